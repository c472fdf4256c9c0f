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
    // Three files at a time whatever the core count (vitest's default is cores − 1: one on the 2-core CI
    // machine). Most of a server suite's time is spent waiting on its server, its database, a child
    // process or a long-poll, so a third file overlaps that waiting: the suite's wall time drops by
    // about half, and the whole suite passed this way under a load average of 12–16.
    maxWorkers: 3,
    globalSetup: ['test-support/global-setup.ts'],
  },
});
