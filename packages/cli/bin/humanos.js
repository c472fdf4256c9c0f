#!/usr/bin/env node
// The `humanos` command's launcher. It is committed (dist/ is not), so `npm ci` in a fresh clone links
// `npx humanos` to it before anything is built; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'humanos: the command line is not built yet. In the HumanOS repository run `npm run build` (or `npm start`) first.\n',
  );
  process.exit(1);
}
await import(main.href);
