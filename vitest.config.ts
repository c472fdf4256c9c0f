import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Server suites each open their own SQLite file / PostgreSQL database, so files run in parallel.
    pool: 'forks',
    globalSetup: ['test-support/global-setup.ts'],
  },
});
