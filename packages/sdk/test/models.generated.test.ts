/**
 * The SDKs' wire models are generated from the server's OpenAPI document (`npm run gen:models`,
 * scripts/gen-models): TypeScript types, pydantic models, Go structs. These tests regenerate them and
 * fail when the committed files differ (a schema changed without regenerating, or a generated file
 * was edited by hand), and check that a third-party generator makes a small typed client of the
 * document. They need python3 with the Python SDK's dev extra and Go, as `scripts/ensure-services.sh`
 * installs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverDocument } from '../../../scripts/gen-models/document.js';
import { generate, ROOT, TARGETS } from '../../../scripts/gen-models/index.js';

/** Lines of `a` and `b` that differ, the first few, for a readable failure. */
function firstDifferences(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < 8; i++) {
    if (x[i] !== y[i])
      out.push(`line ${i + 1}:\n  committed:   ${x[i] ?? '(none)'}\n  regenerated: ${y[i] ?? '(none)'}`);
  }
  return out.join('\n');
}

describe('generated SDK models', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'humanos-regen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('regenerating them changes nothing (else run `npm run gen:models` and commit the result)', async () => {
    await generate(dir);
    for (const target of Object.values(TARGETS)) {
      const committed = readFileSync(join(ROOT, target), 'utf8');
      const regenerated = readFileSync(join(dir, target), 'utf8');
      expect(regenerated === committed, `${target} is stale:\n${firstDifferences(committed, regenerated)}`).toBe(true);
    }
  }, 600_000);

  it('openapi-python-client makes a typed client of the served document, its models named by our components', async () => {
    const doc = join(dir, 'served.json');
    const served = await serverDocument();
    writeFileSync(doc, JSON.stringify(served));
    const out = join(dir, 'opc');
    // Enums as typed `Literal` aliases (the generator's `literal_enums`), as our own Python SDK has
    // them, rather than one `Enum` class each: what is counted is the models.
    const config = join(dir, 'opc.yaml');
    writeFileSync(config, 'literal_enums: true\n');
    const args = ['generate', `--path=${doc}`, `--config=${config}`, '--meta=none', `--output-path=${out}`];
    const gen = spawnSync('python3', ['-m', 'openapi_python_client', ...args], { cwd: dir, encoding: 'utf8' });
    expect(gen.status, `${gen.stdout}${gen.stderr}`).toBe(0);
    // The generated package imports: its models and operations are valid Python.
    const imported = spawnSync('python3', ['-c', 'import opc, opc.models, opc.api'], { cwd: dir, encoding: 'utf8' });
    expect(imported.status, imported.stderr).toBe(0);
    const classes = readdirSync(join(out, 'models'))
      .filter((f) => f.endsWith('.py'))
      .flatMap((f) => readFileSync(join(out, 'models', f), 'utf8').match(/^class \w+/gm) ?? []);
    expect(classes.length).toBeGreaterThan(20);
    // A model class the generator had to name itself comes from an object inlined in a route or in
    // another object (the policy file's sections, a create body's nested members): each is one more
    // type in every client. Named components are what the contract is made of; the inlined ones are
    // held at the count they had when the features of issues 25-27 were merged, so a new route with an
    // inline object fails here (name it with `named(...)`), while new named components do not.
    const components = new Set(Object.keys((served as { components: { schemas: object } }).components.schemas));
    const inlined = classes.map((c) => c.slice('class '.length)).filter((c) => !components.has(c));
    expect(inlined.length, `model classes not named by a component: ${inlined.join(', ')}`).toBeLessThanOrEqual(36);
  }, 300_000);
});
