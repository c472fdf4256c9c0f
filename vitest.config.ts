import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Core's `#crypto` is its package.json `imports` entry, which points into dist/: tests of core's
    // source get the source (Node's) instead. packages/core/test/crypto.web.test.ts swaps in web.ts.
    alias: [
      { find: /^#crypto$/, replacement: fileURLToPath(new URL('packages/core/src/crypto/node.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // `expect.poll` waits for a state; its default of 1 s made ~200 such waits a race against a
    // loaded machine (a heartbeat answered in 1.2 s failed the execution suite). A poll returns as
    // soon as the state holds, so a long default costs nothing when things are fast.
    expect: { poll: { timeout: 30_000 } },
    // Server suites each open their own SQLite file / PostgreSQL database, so files run in parallel.
    pool: 'forks',
    globalSetup: ['test-support/global-setup.ts'],
  },
});
