/**
 * Extracts the TypeScript snippets of the seed document (testdata/seed/human-in-the-loop.md) and
 * type-checks them under `strict` against the SDK's source, each with a small prelude declaring the
 * helpers it calls but does not define.
 *
 * The seed fences only its first example (```typescript); its later snippets (Confidence-Based
 * Auto-Escalation, Sequential and Parallel Approval, Human Override, Feedback Loop, Gradual
 * Autonomy) are bare code between prose lines. A bare snippet starts at a line beginning with
 * `const `, `await ` or `// ` and runs while its brackets are open or the next line still reads as
 * code (`const`, `await`, `if`, `//`, a closing bracket).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

export const REPO_ROOT = join(import.meta.dirname, '../../..');
export const SEED_PATH = join(REPO_ROOT, 'testdata/seed/human-in-the-loop.md');

export interface Snippet {
  /** The heading-like prose line above the snippet (e.g. `Sequential Approval`). */
  section: string;
  /** 1-based line of the snippet's first line in the seed document. */
  line: number;
  fenced: boolean;
  code: string;
}

const START = /^(const |await |\/\/ )/;
const CONTINUE = /^(const |let |await |if \(|\/\/|[}\])])/;

/** Net bracket depth change of one line, skipping strings, template text and `//` comments. */
function depthDelta(line: string): number {
  let d = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('({['.includes(c)) d++;
    else if (')}]'.includes(c)) d--;
  }
  return d;
}

/** Every TypeScript snippet of the seed document, fenced or bare, in document order. */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^```(typescript|ts)\s*$/.test(line)) {
      const end = lines.indexOf('```', i + 1);
      out.push({ section, line: i + 2, fenced: true, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    } else if (line.startsWith('```')) {
      i = lines.indexOf('```', i + 1);
    } else if (START.test(line)) {
      let depth = 0;
      let j = i;
      for (; j < lines.length; j++) {
        const l = lines[j] as string;
        if (j > i && depth === 0 && !CONTINUE.test(l)) break;
        depth += depthDelta(l);
      }
      out.push({ section, line: i + 1, fenced: false, code: lines.slice(i, j).join('\n') });
      i = j - 1;
    } else if (line.trim() !== '' && !line.startsWith('{') && !line.startsWith('"')) {
      section = line.trim();
    }
  }
  return out;
}

/**
 * The declarations a snippet relies on without defining them: the seed's own placeholders
 * (`Invoice`, `taskId`, `completeTaskManually`). Only names the snippet uses and does not declare
 * are added, as `declare` statements, so the prelude never hides a real error in the snippet.
 */
export function preludeFor(code: string): string {
  const decls: string[] = [];
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
  const defines = (name: string) => new RegExp(`(const|let|function|interface|type) ${name}\\b`).test(code);
  if (!/from '@human\/sdk'/.test(code)) decls.push("import { HumanOS } from '@human/sdk';");
  if (uses('Invoice') && !defines('Invoice'))
    decls.push('interface Invoice { id: string; amount: number; vendor: string }');
  if (uses('taskId') && !defines('taskId')) decls.push('declare const taskId: string;');
  if (uses('completeTaskManually') && !defines('completeTaskManually'))
    decls.push('declare function completeTaskManually(task: unknown): Promise<Record<string, unknown>>;');
  return decls.join('\n');
}

/** Writes each snippet (with its prelude) to a temp dir; returns the file paths in order. */
export function writeSnippets(snippets: Snippet[]): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'seed-snippets-'));
  const files = snippets.map((s, i) => {
    const file = join(dir, `snippet${i + 1}.mts`);
    // The prelude goes after the snippet's own imports would; imports are hoisted either way.
    writeFileSync(file, `${preludeFor(s.code)}\n${s.code}\nexport {};\n`);
    return file;
  });
  return { dir, files };
}

/** Type-checks the files under `strict` against the SDK's source; returns diagnostics per file. */
export function typeCheck(files: string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
    skipLibCheck: true,
    baseUrl: REPO_ROOT,
    paths: { '@human/sdk': ['packages/sdk/src/index.ts'] },
  };
  const program = ts.createProgram(files, options);
  const result = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName ?? '';
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const key = files.find((f) => f === file) ?? file;
    result.set(key, [...(result.get(key) ?? []), `${key}:${at}: ${text}`]);
  }
  return result;
}

export function loadSeed(): Snippet[] {
  return extractSnippets(readFileSync(SEED_PATH, 'utf8'));
}
