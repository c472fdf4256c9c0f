/**
 * The OpenAPI document the SDK models are generated from: the server's own, built in process (the
 * app is assembled over a throw-away SQLite directory and never listens), with its keys sorted so the
 * generated files do not depend on the order routes are registered in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config.js';
import { startServer } from '../../packages/server/src/server.js';

/** A JSON Schema (or any JSON value inside the document). */
// biome-ignore lint/suspicious/noExplicitAny: the document is walked generically
export type Schema = Record<string, any>;

export interface OpenApiDocument {
  openapi: string;
  info: Schema;
  paths: Record<string, Record<string, Schema>>;
  components: { schemas?: Record<string, Schema>; [k: string]: unknown };
  [k: string]: unknown;
}

/** Objects with their keys sorted (arrays keep their order). */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  ) as T;
}

/**
 * The document `GET /v1/humanos/openapi.json` serves, built without binding a port.
 *
 * @example
 * const doc = await serverDocument();
 * console.log(Object.keys(doc.components.schemas ?? {}));
 */
export async function serverDocument(): Promise<OpenApiDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-gen-models-'));
  try {
    const config = loadConfig({ HUMANOS_DATA_DIR: dir, HUMANOS_ADMIN_TOKEN: 'gen-models-admin-token-0000' });
    const server = await startServer(config, { listen: false, logger: false });
    try {
      await server.app.ready();
      return sortKeys(server.app.swagger() as unknown as OpenApiDocument);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
