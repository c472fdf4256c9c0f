import { defineConfig } from 'vitest/config';

/**
 * Core's own tests alone, for mutation testing (`npm run mutation`, see docs/mutation.md): core is
 * pure, so none of the root config's PostgreSQL set-up is needed, and Stryker runs this many times.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
