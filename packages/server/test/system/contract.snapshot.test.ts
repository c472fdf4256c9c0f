import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test-support/harness.js';

/** Objects with their keys sorted, so the snapshot does not depend on the order routes are registered in. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
  );
}

/** `printRoutes`' tree as a sorted list of "path (METHODS)" lines. */
function routeList(tree: string): string {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    const [, segment, methods] = /^(.*?)(?: \(([^)]*)\))?$/.exec(m[2] as string) as RegExpExecArray;
    stack.length = depth;
    stack.push(segment as string);
    if (methods) out.push(`${stack.join('')} (${methods.split(', ').sort().join(', ')})`);
  }
  return `${out.sort().join('\n')}\n`;
}

/**
 * Guards refactors: the generated OpenAPI document and the route table are snapshots. A change to
 * either must be deliberate (update with `npx vitest run -u` and review the diff).
 */
describe('HTTP contract snapshot', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t.close());

  it('the OpenAPI document is unchanged', async () => {
    const doc = await (await fetch(`${t.url}/v1/humanos/openapi.json`)).json();
    await expect(`${JSON.stringify(sorted(doc), null, 2)}\n`).toMatchFileSnapshot('__snapshots__/openapi.json');
  });

  it('the route table is unchanged', async () => {
    const routes = routeList(t.server.app.printRoutes({ commonPrefix: false }));
    await expect(routes).toMatchFileSnapshot('__snapshots__/routes.txt');
  });
});
