import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The repository root: the first directory up from here with `test-support/`. Found by walking up,
 * not by a fixed `../..`, because Stryker runs this config from a sandbox copy of `packages/core`
 * (`packages/core/.stryker-tmp/sandbox-…`), two levels deeper.
 */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test-support', 'signed-export.ts'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (with test-support/) not found');
    dir = up;
  }
  return dir;
}
const root = repoRoot();

/**
 * Core's own tests alone, for mutation testing (`npm run mutation`, see docs/mutation.md): core is
 * pure, so none of the root config's PostgreSQL set-up is needed, and Stryker runs this many times.
 *
 * Two aliases make the tests that build signed exports with `test-support/signed-export.ts` load here
 * (without them `taskheads.test.ts` failed to import, and Stryker silently ran none of its tests):
 * the shared helper from the repository root, and `@humanos/core` (which it imports; core's package
 * entry is `dist/`, absent without a build) as the repository's unmutated source, so the exports a
 * test verifies are built by the real code, not by the mutant under test.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^(?:\.\.\/)+test-support\/(.*)\.js$/, replacement: join(root, 'test-support', '$1.ts') },
      { find: /^@humanos\/core$/, replacement: join(root, 'packages', 'core', 'src', 'index.ts') },
      // Core's `#crypto` (package.json `imports`) points into dist/: the source's Node module instead.
      { find: /^#crypto$/, replacement: join(root, 'packages', 'core', 'src', 'crypto', 'node.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
