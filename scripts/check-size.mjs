#!/usr/bin/env node
// Keeps the source readable: no function over 80 lines and no file over 600 lines in
// packages/*/src (migrations and generated `*.gen.ts` files aside). Run by `npm run lint`; prints the offenders and exits 1.
// Usage: node scripts/check-size.mjs [--report]   (--report lists the 15 longest functions)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const MAX_FUNCTION = 80;
const MAX_FILE = 600;

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') yield* sources(p);
    } else if (/\.tsx?$/.test(name) && !/\.(test|gen)\.tsx?$/.test(name) && !/\.d\.ts$/.test(name)) yield p;
  }
}

const functions = [];
const problems = [];
for (const pkg of readdirSync(join(ROOT, 'packages'))) {
  const src = join(ROOT, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  for (const file of sources(src)) {
    const rel = relative(ROOT, file);
    if (rel.includes('/migrations/')) continue;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length;
    if (lines > MAX_FILE) problems.push(`${rel}: ${lines} lines (max ${MAX_FILE})`);
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const n = end - start + 1;
        const name = node.name?.getText(sf) ?? (ts.isArrowFunction(node) ? '(arrow)' : '(anonymous)');
        functions.push({ where: `${rel}:${start + 1}`, name, n });
        if (n > MAX_FUNCTION) problems.push(`${rel}:${start + 1} ${name}: ${n} lines (max ${MAX_FUNCTION})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}
if (process.argv.includes('--report')) {
  for (const f of functions.sort((a, b) => b.n - a.n).slice(0, 15))
    console.log(`${String(f.n).padStart(4)}  ${f.name}  ${f.where}`);
}
if (problems.length) {
  console.error(`check-size: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `check-size: ${functions.length} functions, none over ${MAX_FUNCTION} lines; no file over ${MAX_FILE} lines`,
);
