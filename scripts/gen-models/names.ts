/**
 * Names for schemas an SDK exposes that the document still inlines. The server names its schemas
 * (`components/schemas`: `Task`, `ApprovalRequest`, `TaskStatus`, …) and the generators take those;
 * a name listed here that the document already has is left to the document. Each other one is taken
 * from where the schema sits (an operation's response or request body, then a path inside it) and
 * every structurally equal copy in the document becomes a `$ref` to it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { OpenApiDocument, Schema } from './document.js';

/** Where a schema sits: an operation's response (by status) or request body, then property names. */
interface Locator {
  op: string;
  /** A response status, or `body` for the request body. */
  at: string;
  /** Property names inside it; `[]` steps into array items, `|0` into the first branch of an `anyOf`. */
  path?: string[];
}

/** Schemas the SDKs expose that the server does not name (yet). */
export const SDK_SCHEMAS: Record<string, Locator> = {
  // The task as `GET /approvals/{id}` shows it (with its payloads): Go's `TaskRef`.
  ApprovalTask: { op: 'getApproval', at: '200', path: ['task'] },
};

function operation(doc: OpenApiDocument, id: string): Schema {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) if (op.operationId === id) return op;
  }
  throw new Error(`gen-models: no operation ${id} in the document`);
}

/** The schema a `$ref` names (a schema that is not a reference is itself). */
function resolve(doc: OpenApiDocument, s: Schema | undefined): Schema | undefined {
  const ref = s?.$ref as string | undefined;
  return ref ? doc.components.schemas?.[ref.split('/').pop() as string] : s;
}

function locate(doc: OpenApiDocument, name: string, loc: Locator): Schema {
  const op = operation(doc, loc.op);
  const holder = loc.at === 'body' ? op.requestBody : op.responses?.[loc.at];
  const content = holder?.content ?? {};
  let s: Schema | undefined = (content['application/json'] ?? content['application/problem+json'])?.schema;
  for (const step of loc.path ?? []) {
    s = resolve(doc, s);
    s = step === '[]' ? s?.items : step.startsWith('|') ? s?.anyOf?.[Number(step.slice(1))] : s?.properties?.[step];
  }
  if (!s) throw new Error(`gen-models: ${name} not found at ${JSON.stringify(loc)}`);
  return s;
}

/** Replaces every value deep-equal to one of `named` (other than `self`) by a `$ref` to it. */
function refer(v: unknown, named: [string, Schema][], self?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => refer(x, named, self));
  if (v === null || typeof v !== 'object') return v;
  for (const [name, s] of named) {
    if (name !== self && isDeepStrictEqual(v, s)) return { $ref: `#/components/schemas/${name}` };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, refer(x, named, self)]));
}

/**
 * The document with the SDKs' schemas named (a copy; the argument is left as it is). Larger schemas
 * are matched first so a `Task` is not taken apart for the `AiProposal` inside it.
 *
 * @example
 * const named = nameSchemas(await serverDocument());
 * named.components.schemas?.Task; // { type: 'object', properties: { approvals: { items: { $ref: … } } } }
 */
export function nameSchemas(doc: OpenApiDocument): OpenApiDocument {
  const existing = doc.components.schemas ?? {};
  const found: [string, Schema][] = [];
  for (const [name, loc] of Object.entries(SDK_SCHEMAS)) {
    if (existing[name]) continue;
    const s = locate(doc, name, loc);
    if (!s.$ref) found.push([name, s]);
  }
  const size = (s: Schema) => JSON.stringify(s).length;
  const named = found.sort((a, b) => size(b[1]) - size(a[1]));
  const schemas: Record<string, Schema> = { ...(refer(existing, named) as Record<string, Schema>) };
  for (const [name, s] of named) schemas[name] = refer(s, named, name) as Schema;
  const paths = refer(doc.paths, named) as OpenApiDocument['paths'];
  return { ...doc, paths, components: { ...doc.components, schemas: sortKeys(schemas) } };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
