/**
 * Go: the document's named schemas as structs (`oapi-codegen -generate types`, pinned, through
 * `go run`) in package `humanos`. oapi-codegen reads `x-go-*` extensions; this step writes them on a
 * copy of the schemas so the structs keep the SDK's Go names and types:
 *
 * - the SDK's type names (`PolicyOutcome` is `PolicyApplied`, `ApprovalStep` is `ChainLink`, …) and
 *   Go field names (`taskId` is `TaskID`, `aiProposal` is `AIProposal`);
 * - values, not pointers, for absent or null strings, numbers, lists and maps (the zero value reads
 *   as "none", as Go code expects); pointers for an absent or null gate and for null times;
 * - `time.Time` for the `…At` members, `int64` for ledger positions, `float64` for numbers,
 *   `json.RawMessage` for values of any type (a task's `result` and `error`);
 * - open objects (`additionalProperties: true`) as plain structs: unknown members are ignored, as
 *   encoding/json does;
 * - the hand-written types with JSON behaviour of their own (`HITLConfig`, `AIProposal`) where the
 *   schema names them, and the SDK's own members (`json:"-"`) where the client fills them in.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenApiDocument, Schema } from './document.js';
import { mustRun, requireSchemas, withoutValidation } from './python.js';

const OAPI_CODEGEN = 'github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2';

/** Go name of each schema the Go SDK exposes (the others are not generated). */
const GO_TYPES: Record<string, string> = {
  Task: 'Task',
  TaskStatus: 'TaskStatus',
  ApprovalRequest: 'ApprovalRequest',
  Decision: 'Decision',
  ChainStep: 'ChainLink',
  ApprovalTask: 'TaskRef',
  TaskDecision: 'Approval',
  PolicyOutcome: 'PolicyApplied',
  RiskAssessment: 'RiskAssessment',
  TaskPage: 'TaskPage',
  ApprovalRequestPage: 'ApprovalPage',
  Provenance: 'Provenance',
  Principal: 'Principal',
  CreatedTask: 'CreatedTask',
  ErrorCode: 'ErrorCode',
  Delegation: 'Delegation',
  DelegationState: 'DelegationState',
  ChangesRequestedResult: 'ChangesRequestedResult',
  RevisedTask: 'RevisedTask',
  ApprovalComment: 'Comment',
  ApprovalClaim: 'Claim',
  ApproverMetrics: 'ApproverMetrics',
  ApproverStats: 'ApproverStats',
  RoleReviewStats: 'RoleReviewStats',
};

/** Hand-written Go types (types.go) that stand for a schema: they carry JSON behaviour of their own. */
const HAND_WRITTEN: Record<string, string> = {
  HumanInLoop: '*HITLConfig',
  HumanInLoopSettings: '*HITLConfig',
  AiProposal: 'AIProposal',
  PayloadChange: 'PayloadChange',
};

/** Members the Go SDK adds (never on the wire), by Go type: [wire-like name, Go name, Go type, doc]. */
const SDK_MEMBERS: Record<string, [string, string, string, string][]> = {
  CreatedTask: [['id', 'ID', 'string', 'is the task’s id (same as TaskID; the seed reads task.ID).']],
  ApprovalRequest: [
    [
      'aiSafetyCheck',
      'AISafetyCheck',
      'string',
      'is a readable summary of the risk assessment and of the policy that applied, filled in by WaitForApproval (and by GetApproval). It is not a server field.',
    ],
  ],
  Approval: [
    [
      'timedOut',
      'TimedOut',
      'bool',
      'says WaitForApproval stopped because its own Timeout ran out, not because of a decision.',
    ],
  ],
};

/** Schemas merged into a Go type that has the members of both (Go has one struct where the API has two). */
const MERGED: [string, string][] = [
  ['ApprovalRequest', 'ApprovalRequestDetail'],
  ['DecisionResult', 'ApprovalResult'],
  ['DecisionResult', 'RejectionResult'],
  ['Principal', 'CreatedPrincipal'],
];

/** Inline members given a Go type of their own: [Go type, member, Go name of the member's type]. */
const HOISTED: [string, string, string][] = [
  ['Task', 'lease', 'Lease'],
  ['Task', 'execution', 'ExecutionRef'],
];

/** Members whose Go type differs from what the rules below give (kept as the SDK has always had them). */
const GO_TYPE_OF: Record<string, string> = {
  // The policy's action matcher holds unions (`eq`: string, number or boolean): kept as JSON.
  'Delegation.scope': 'map[string]any',
  'Approval.approvedAt': 'time.Time',
  'Approval.rejectedAt': 'time.Time',
  'Principal.createdAt': '*time.Time',
  'Task.confidence': '*float64',
  'ApprovalRequest.chain': '[]ChainLink',
  'ApprovalRequest.task': 'TaskRef',
  'TaskRef.policy': '*PolicyApplied',
};

/** Types also sent as input (a task's claimed risk): their empty members are left out of the JSON. */
const INPUT_TYPES = new Set(['RiskAssessment']);

/** Task statuses by the names the Go SDK has always had (`StatusAwaitingApproval`, …). */
function enumNames(goType: string, values: string[]): string[] {
  const camel = (v: string) => v.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  return values.map((v) => (goType === 'TaskStatus' ? `Status${camel(v)}` : `${goType}${camel(v)}`));
}

const INITIALISMS = new Set(['id', 'ai', 'url', 'http', 'json', 'did', 'sha']);

/** `taskId` → `TaskID`, `showAIReasoning` → `ShowAIReasoning`. */
export function goName(wire: string): string {
  const words = wire.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [wire];
  return words
    .map((w) => (INITIALISMS.has(w.toLowerCase()) ? w.toUpperCase() : w[0]?.toUpperCase() + w.slice(1)))
    .join('');
}

function nonNull(s: Schema): { s: Schema; nullable: boolean } {
  const branches: Schema[] | undefined = s.anyOf;
  if (!branches) return { s, nullable: false };
  const rest = branches.filter((b) => b.type !== 'null');
  if (rest.length === 1 && rest.length < branches.length) return { s: rest[0] as Schema, nullable: true };
  return { s, nullable: false };
}

const refName = (s: Schema) => (s.$ref as string | undefined)?.split('/').pop();

/** The Go type of a member, by the rules in the module comment. */
function goType(owner: string, prop: string, schema: Schema, required: boolean): string {
  const special = GO_TYPE_OF[`${owner}.${prop}`];
  if (special) return special;
  const { s, nullable } = nonNull(schema);
  const ref = refName(s);
  if (ref) {
    const hand = HAND_WRITTEN[ref];
    if (hand) return hand;
    const name = GO_TYPES[ref] ?? ref;
    return nullable || !required ? `*${name}` : name;
  }
  if (s.type === 'string' && /At$/.test(prop)) return nullable ? '*time.Time' : 'time.Time';
  if (s.type === 'string') return 'string';
  if (s.type === 'boolean') return 'bool';
  if (s.type === 'number') return 'float64';
  if (s.type === 'integer') return /ledgerIndex|treeSize|Size$/.test(prop) ? 'int64' : 'int';
  if (s.type === 'array') {
    const item = itemType(owner, prop, s.items as Schema);
    return item && `[]${item}`;
  }
  if (s.type === 'object') return Object.keys(s.properties ?? {}).length ? '' : 'map[string]any';
  if (!s.type && !s.anyOf) return 'json.RawMessage';
  return '';
}

function itemType(owner: string, prop: string, items: Schema): string {
  const ref = refName(items);
  if (ref) return HAND_WRITTEN[ref] ?? GO_TYPES[ref] ?? ref;
  return goType(owner, `${prop}[]`, items, true);
}

/** A member as oapi-codegen is to write it: its Go name and, where the rules decide it, its Go type. */
function member(owner: string, prop: string, schema: Schema, required: boolean): Schema {
  // No `omitempty`: the structs read answers, and write them back as the server sent them.
  const omit = INPUT_TYPES.has(owner) ? {} : { 'x-omitempty': false };
  const named = { description: schema.description, 'x-go-name': goName(prop), ...omit };
  const t = goType(owner, prop, schema, required);
  // oapi-codegen runs goimports, which adds `time` and `encoding/json` where a type names them.
  if (t) return { ...named, 'x-go-type': t, 'x-go-type-skip-optional-pointer': true };
  const { s, nullable } = nonNull(schema);
  if (s.type === 'array') {
    const items = object(`${owner}${goName(prop)}Item`, s.items);
    return { ...named, type: 'array', items, 'x-go-type-skip-optional-pointer': true };
  }
  if (s.anyOf?.every((b: Schema) => b.type === 'string')) return { ...named, 'x-go-type': 'string' };
  return { ...named, ...object(`${owner}${goName(prop)}`, s), 'x-go-type-skip-optional-pointer': !nullable };
}

/** An object schema as oapi-codegen is to write it (closed: no `AdditionalProperties` map). */
function object(goTypeName: string, s: Schema): Schema {
  const required = new Set<string>(INPUT_TYPES.has(goTypeName) ? [] : (s.required ?? []));
  const properties: Record<string, Schema> = {};
  for (const [p, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
    properties[p] = v['x-go-json-ignore'] ? v : member(goTypeName, p, v, required.has(p));
  }
  return { type: 'object', description: s.description, properties, required: [...required] };
}

/** `a` with the members of `b` it lacks; a member only one of them has is optional. */
function merge(a: Schema | undefined, b: Schema): Schema {
  if (!a) return structuredClone(b);
  const req = new Set<string>(b.required ?? []);
  return {
    ...a,
    properties: { ...b.properties, ...a.properties },
    required: (a.required ?? []).filter((r: string) => req.has(r)),
  };
}

/**
 * Gives `raw` the object schemas its members name (`RankedCandidate`, `PolicyFlag`, …) under their own
 * names, and makes members naming an enum the SDK has no type for plain strings (the Go SDK compares
 * `gate.Kind`, `gate.Status` with strings).
 */
function referenced(raw: Record<string, Schema>, src: Record<string, Schema>): void {
  const pending = Object.keys(raw);
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v === null || typeof v !== 'object') return v;
    const ref = refName(v as Schema);
    if (ref && !GO_TYPES[ref] && !HAND_WRITTEN[ref] && src[ref]) {
      const target = src[ref] as Schema;
      if (Array.isArray(target.enum)) return { type: 'string', description: target.description };
      if (!raw[ref]) {
        raw[ref] = structuredClone(target);
        pending.push(ref);
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
  };
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    raw[name] = visit(raw[name]) as Schema;
  }
}

/** The Go SDK's schemas, by Go type name, with the `x-go-*` extensions written. */
export function goSchemas(doc: OpenApiDocument): Record<string, Schema> {
  const src = withoutValidation(doc.components.schemas ?? {}) as Record<string, Schema>;
  requireSchemas(src, [...Object.keys(GO_TYPES), ...MERGED.map(([, api]) => api)]);
  const raw: Record<string, Schema> = {};
  for (const [api, go] of Object.entries(GO_TYPES)) raw[go] = structuredClone(src[api] as Schema);
  for (const [go, api] of MERGED) raw[go] = merge(raw[go], src[api] as Schema);
  for (const [go, prop, name] of HOISTED) {
    const holder = raw[go];
    if (!holder?.properties?.[prop]) continue;
    const { s, nullable } = nonNull(holder.properties[prop]);
    raw[name] = s;
    const ref = { $ref: `#/components/schemas/${name}` };
    holder.properties[prop] = nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  referenced(raw, src);
  for (const [go, extra] of Object.entries(SDK_MEMBERS)) {
    const holder = raw[go];
    if (!holder) continue;
    for (const [wire, name, type, description] of extra) {
      holder.properties[wire] = { description, 'x-go-name': name, 'x-go-type': type, 'x-go-json-ignore': true };
      holder.properties[wire]['x-go-type-skip-optional-pointer'] = true;
    }
  }
  const out: Record<string, Schema> = {};
  for (const [go, s] of Object.entries(raw)) {
    out[go] = Array.isArray(s.enum)
      ? { type: 'string', description: s.description, enum: s.enum, 'x-enum-varnames': enumNames(go, s.enum) }
      : object(go, s);
  }
  return out;
}

/**
 * The generated Go file's text (without the header).
 *
 * @example
 * const text = goModels(named);
 */
export function goModels(doc: OpenApiDocument): string {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-gen-go-'));
  try {
    const input = join(dir, 'openapi.json');
    const output = join(dir, 'types.gen.go');
    const schemas = goSchemas(doc);
    writeFileSync(input, JSON.stringify({ openapi: '3.0.3', info: doc.info, paths: {}, components: { schemas } }));
    // Types only; `skip-prune` keeps schemas no operation names (the document given has no paths).
    const config = { package: 'humanos', generate: { models: true }, output, 'output-options': { 'skip-prune': true } };
    writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config));
    mustRun('go', ['run', OAPI_CODEGEN, '-config', join(dir, 'config.yaml'), input], dir);
    // oapi-codegen's own header and package comment: ours is above, and the package's is doc.go's.
    return readFileSync(output, 'utf8').replace(/^(\/\/.*\n)+/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
