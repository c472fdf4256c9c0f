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
    // Server suites each open their own SQLite file / PostgreSQL database, so files run in parallel.
    pool: 'forks',
    globalSetup: ['test-support/global-setup.ts'],
  },
});
