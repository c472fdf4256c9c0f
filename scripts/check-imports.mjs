#!/usr/bin/env node
/**
 * The import rule between the server's folders (docs/contributing.md, "The layers"), for every folder
 * that exists now or is added later:
 *
 * - layers: `store/` imports no other folder; `kernel/` only `store/`; a feature only `store/`,
 *   `kernel/` and other features; nothing below imports `http/` or the composition root (service.ts,
 *   server.ts, run.ts, main.ts, index.ts — one node with `http/`, which assembles the app from the
 *   service). Other files directly in `src/` (config.ts, errors.ts) are leaves anyone may import;
 * - no import cycle between folders (a feature that needs another one's code and is needed by it
 *   means the shared part belongs in a room of its own, like `delivery/`, or in the kernel or core).
 *
 * Test files (`*.test.ts`) are left out: a test may reach across features without making one depend
 * on another. Biome's `noRestrictedImports` checks the layers too (per file, with the message at the
 * import); this script is the one that sees the graph, so it also catches cycles.
 *
 * Usage: `node scripts/check-imports.mjs [src-dir]` (default packages/server/src); exits 1 on a breach.
 *
 * @example
 * node scripts/check-imports.mjs
 * // imports: 122 files, 21 folders and leaf files, 59 edges between them, no cycles, layers kept
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? 'packages/server/src');
const APP = '(app: http/ and the composition root)';
const COMPOSITION = new Set(['service.ts', 'server.ts', 'run.ts', 'main.ts', 'index.ts']);

/** Where a node sits: lower layers never import higher ones. Every other folder is a feature. */
const LAYER = { store: 0, kernel: 1, [APP]: 3 };
const FEATURE = 2;
const layerOf = (node) => (node.endsWith('.ts') ? -1 : (LAYER[node] ?? FEATURE));

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** The node a file belongs to: its top folder under `root`, the app, or (a leaf file in `root`) its name. */
function folderOf(file) {
  const rel = relative(root, file);
  const top = rel.split(sep)[0];
  if (top === 'http' || COMPOSITION.has(top)) return APP;
  return top;
}

// Static imports and re-exports (`import … from`, `export … from`, bare `import '…'`) and dynamic `import('…')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** folder → folder → the first import that makes the edge (file:line), for the message. */
const edges = new Map();
let files = 0;
for (const file of sources(root)) {
  files++;
  const from = folderOf(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(SPECIFIER)) {
    const target = resolve(dirname(file), m[1]);
    if (!target.startsWith(root + sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    const line = text.slice(0, m.index).split('\n').length;
    if (!edges.has(from)) edges.set(from, new Map());
    const out = edges.get(from);
    if (!out.has(to)) out.set(to, `${relative(process.cwd(), file)}:${line}`);
  }
}

const problems = [];
for (const [from, out] of edges) {
  for (const [to, where] of out) {
    if (layerOf(to) > layerOf(from)) {
      problems.push(`layer: ${from} imports ${to} (a higher layer) at ${where}`);
    }
  }
}

// Tarjan's strongly connected components: every component with more than one folder is a cycle.
const folders = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((o) => [...o.keys()])])].sort();
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
let next = 0;
function connect(v) {
  index.set(v, next);
  low.set(v, next++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    onStack.delete(w);
    component.push(w);
  } while (w !== v);
  if (component.length > 1) {
    const inside = new Set(component);
    const links = component.flatMap((a) =>
      [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([b, where]) => `${a} → ${b} (${where})`),
    );
    problems.push(`cycle between ${component.sort().join(', ')}:\n    ${links.join('\n    ')}`);
  }
}
for (const f of folders) if (!index.has(f)) connect(f);

const edgeCount = [...edges.values()].reduce((n, o) => n + o.size, 0);
if (problems.length > 0) {
  console.error(`imports: ${problems.length} problem(s) in ${relative(process.cwd(), root)}:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `imports: ${files} files, ${folders.length} folders and leaf files, ${edgeCount} edges between them, no cycles, layers kept`,
);
