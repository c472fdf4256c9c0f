import { isDeepStrictEqual } from 'node:util';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../kernel/routes.js';

/*
 * Named schemas (`named()` in kernel/schemas.ts: a schema whose `$id` is its stable name) are the one
 * source of the wire contract. The routes use them by value, so validation and `Static<>` are those
 * of the schema itself; the OpenAPI document shows each once, under `components/schemas/<name>`, and
 * every use of it (in a route or in another named schema) as a `$ref`. Ajv never sees the names
 * (`withoutIds` in kernel/schemas.ts): a name used twice in one route schema would be an ambiguous
 * `$id` to it.
 */

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOf = (v: Json): string | undefined => (isObject(v) && typeof v.$id === 'string' ? v.$id : undefined);

/** The schema with every named subschema (the root too unless `keepRoot`) replaced by a `$ref` to its name. */
function referenced(schema: Json, keepRoot = false): Json {
  if (Array.isArray(schema)) return schema.map((s) => referenced(s));
  if (!isObject(schema)) return schema;
  const name = nameOf(schema);
  if (name !== undefined && !keepRoot) return { $ref: name };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, referenced(v)]));
}

/** Every named schema inside `schema` (itself included), by name, in its document form. */
function collectNamed(schema: Json, into: Map<string, Json>, where: string): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectNamed(s, into, where);
    return;
  }
  if (!isObject(schema)) return;
  const name = nameOf(schema);
  if (name !== undefined) {
    const form = referenced(schema, true);
    const seen = into.get(name);
    if (seen !== undefined) {
      // One name, one schema: two different schemas under a name would make the document lie about one.
      if (!isDeepStrictEqual(seen, form)) throw new Error(`two different schemas are named ${name} (${where})`);
      return;
    }
    into.set(name, form);
  }
  for (const v of Object.values(schema)) collectNamed(v, into, where);
}

const TAGS = [
  ['tasks', 'Agents create tasks and read them, their decision (long-poll) and their verified history'],
  ['approvals', 'The inbox, approval requests, approve and reject'],
  ['execution', 'Claims, execution grants and leases, heartbeats, in-run decisions, override, complete and fail'],
  ['feedback', 'Ratings of finished tasks and the confidence calibration they feed'],
  ['events', 'The ledger as a Server-Sent Events stream'],
  ['ledger', 'The signed, tamper-evident ledger: checkpoints, proofs, entries and export'],
  ['audit', 'Periodic audit reviews of unattended runs (auditFrequency daily, weekly, monthly)'],
  ['policy', 'The approval policy in force and dry runs of it'],
  ['principals', 'People and agents, their roles, capabilities and bearer tokens'],
  ['webhooks', 'Ledger events delivered to URLs, signed'],
] as const;

/**
 * The OpenAPI document at `/v1/humanos/openapi.json`: every named schema a route uses is registered
 * once (as it is registered, from the `onRoute` hook) and becomes `components/schemas/<name>`; the
 * routes' schemas are handed to @fastify/swagger with their named parts as `$ref`s, which its ref
 * resolver turns into `#/components/schemas/<name>`. Call before any route is added.
 *
 * @example
 * await openApi(app, '0.1.0');
 */
export async function openApi(app: FastifyInstance, version: string): Promise<void> {
  const named = new Map<string, Json>();
  app.addHook('onRoute', (route) => {
    const before = new Set(named.keys());
    collectNamed(route.schema, named, `${route.method} ${route.url}`);
    for (const [name, form] of named) if (!before.has(name)) app.addSchema(form as { $id: string });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HumanOS API',
        version,
        description:
          'Human-in-the-loop approvals with a signed, tamper-evident ledger. Errors are RFC 9457 problem+json with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'The server this document was fetched from' }],
      tags: TAGS.map(([name, description]) => ({ name, description })),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // A shared schema's component is named by its `$id` (the default would be `def-<n>`).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => nameOf(json) ?? `def-${i}` },
    transform: ({ schema, url }) => ({ schema: referenced(schema) as typeof schema, url }),
  });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}
