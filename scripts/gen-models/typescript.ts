/**
 * TypeScript: the document's named schemas as types (`openapi-typescript`), one exported type per
 * schema under the schema's name (`Task`, `ApprovalRequest`, …) and a value list per enum
 * (`errorCodeValues`), for `packages/sdk/src/types.ts` to re-export.
 */
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenApiDocument, Schema } from './document.js';

/**
 * Objects the server marks open (`additionalProperties: true`, so a newer server may add members)
 * lose the mark here: an index signature would make every misspelt member `unknown` instead of an
 * error, and `Omit<>` of such a type keeps nothing but the index. A JSON object without declared
 * members (a payload) stays open.
 */
export function closeObjects(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(closeObjects);
  if (v === null || typeof v !== 'object') return v;
  const s = v as Schema;
  const open = s.additionalProperties === true && s.properties && Object.keys(s.properties).length > 0;
  return Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => !(open && k === 'additionalProperties'))
      .map(([k, x]) => [k, closeObjects(x)]),
  );
}

/**
 * The generated module's text (without the header; biome formats it after).
 *
 * @example
 * const text = await typescriptModels(nameSchemas(await serverDocument()));
 */
export async function typescriptModels(doc: OpenApiDocument): Promise<string> {
  const onlySchemas = { ...doc, paths: {}, components: { schemas: closeObjects(doc.components.schemas ?? {}) } };
  const ast = await openapiTS(onlySchemas as never, {
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    alphabetize: true,
    silent: true,
  });
  return `${astToString(ast)}\n${enumValues(doc)}`;
}

/** A value list per named enum (`ErrorCode` → `errorCodeValues`), for code that checks or lists them. */
function enumValues(doc: OpenApiDocument): string {
  const lines: string[] = [];
  for (const [name, s] of Object.entries(doc.components.schemas ?? {})) {
    if (!Array.isArray(s.enum)) continue;
    const id = `${name[0]?.toLowerCase()}${name.slice(1)}Values`;
    lines.push(`/** Every ${name}, in the order the server lists them. */`);
    lines.push(`export const ${id} = ${JSON.stringify(s.enum)} as const satisfies readonly ${name}[];`);
  }
  return lines.join('\n');
}
