/**
 * Python: the document's named schemas as pydantic v2 models (`datamodel-code-generator`, installed
 * by the SDK's dev extra): snake_case attributes with camelCase aliases, unknown members kept
 * (`extra='allow'`, so a newer server never breaks an older SDK), enums as `Literal` aliases.
 * `human_sdk/models.py` re-exports them under the SDK's names and adds the behaviour.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenApiDocument, Schema } from './document.js';

/**
 * Validation keywords the server enforces on what it accepts. A model that reads the server's
 * answers must not refuse one because the server relaxed a pattern, so the SDKs leave them out.
 */
const VALIDATION = new Set([
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'format',
]);

/** The schema without validation keywords (a property named like one is kept). */
export function withoutValidation(v: unknown, inProperties = false): unknown {
  if (Array.isArray(v)) return v.map((x) => withoutValidation(x));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Schema)
      .filter(([k]) => inProperties || !VALIDATION.has(k))
      .map(([k, x]) => [k, withoutValidation(x, k === 'properties' && !inProperties)]),
  );
}

/** Python name of each schema the Python SDK exposes (the others are read as plain dicts). */
const PY_TYPES: Record<string, string> = {
  AiProposal: 'AiProposal',
  RiskAssessment: 'RiskAssessment',
  Decision: 'Decision',
  ApprovalRequest: 'ApprovalRequest',
  CreatedTask: 'CreatedTask',
  TaskDecision: 'Approval',
  Task: 'Task',
  ExecutionGrant: 'Execution',
  Provenance: 'Provenance',
  Principal: 'Principal',
  ApprovalRequestPage: 'InboxPage',
  TaskPage: 'TaskPage',
  ReviewedTask: 'ReviewedTask',
  SampledTask: 'SampledTask',
  AuditReview: 'AuditReview',
  AuditReviewPage: 'AuditReviewPage',
  ReviewedTaskPage: 'ReviewedTaskPage',
  TaskStatus: 'TaskStatus',
  ApprovalStatus: 'ApprovalStatus',
  ApprovalKind: 'ApprovalKind',
  Verdict: 'Verdict',
  RiskLevel: 'RiskLevel',
  ErrorCode: 'ErrorCode',
  ReviewFrequency: 'ReviewFrequency',
  ReviewStatus: 'ReviewStatus',
  ReviewOutcome: 'ReviewOutcome',
  SampleReason: 'SampleReason',
  Delegation: 'Delegation',
  DelegationState: 'DelegationState',
  OnBehalfOf: 'OnBehalfOf',
  ChosenAlternative: 'ChosenAlternative',
  ChangesRequestedResult: 'ChangesRequestedResult',
  RevisedTask: 'RevisedTask',
  ApprovalComment: 'ApprovalComment',
  ApprovalClaim: 'ApprovalClaim',
  ApproverMetrics: 'ApproverMetrics',
  ApproverStats: 'ApproverStats',
  RoleReviewStats: 'RoleReviewStats',
};

/** Schemas merged into one Python model that has the members of both. */
const PY_MERGED: [string, string][] = [
  ['ApprovalRequest', 'ApprovalRequestDetail'],
  ['DecisionResult', 'ApprovalResult'],
  ['DecisionResult', 'RejectionResult'],
  ['Principal', 'CreatedPrincipal'],
];

/**
 * The members a model cannot be built without; every other member may be absent (and reads as its
 * default), so a model can be made from a partial answer or a test's dict, as the SDK always allowed.
 */
const PY_REQUIRED: Record<string, string[]> = {
  Approval: ['taskId', 'status'],
  ApprovalRequest: ['id', 'taskId', 'status'],
  AuditReview: [
    'id',
    'frequency',
    'periodStart',
    'periodEnd',
    'status',
    'auditorRole',
    'taskCount',
    'openedAt',
    'ledgerIndex',
  ],
  AuditReviewPage: ['items'],
  ApprovalClaim: ['approvalId'],
  ApprovalComment: ['id', 'approvalId', 'author', 'body'],
  CreatedTask: ['taskId', 'status'],
  ChangesRequestedResult: ['approvalId', 'taskId'],
  RevisedTask: ['taskId', 'status'],
  Decision: ['principal', 'verdict'],
  Delegation: ['id', 'delegator', 'delegate', 'roles', 'startsAt', 'endsAt', 'state', 'ledgerIndex'],
  DecisionResult: ['approvalId', 'status'],
  Execution: ['taskId', 'executionId', 'leaseId'],
  InboxPage: ['items'],
  Principal: ['id'],
  Provenance: ['approvalSignature', 'ledgerIndex', 'treeSize', 'rootHash', 'checkpoint', 'signer'],
  ReviewedTask: ['taskId', 'status'],
  ReviewedTaskPage: ['items'],
  SampledTask: ['taskId', 'status', 'reason'],
  Task: ['taskId', 'status'],
  TaskPage: ['items'],
};

/** Defaults besides the general ones (empty lists and dicts, false). */
const PY_DEFAULTS: Record<string, Record<string, unknown>> = {
  ApprovalRequest: { kind: 'execution', step: 0, required: 1, approvals: 0, aiProposal: {} },
  Execution: { attempt: 1, status: 'executing', description: '' },
  Task: { description: '' },
  ReviewedTask: { description: '' },
  SampledTask: { description: '' },
};

/** Members only the SDK sets (the outcome of a wait that ran out of time). */
const PY_MEMBERS: Record<string, Record<string, Schema>> = {
  Approval: {
    timedOut: { type: 'boolean', default: false, description: 'The wait stopped because its own timeout ran out' },
  },
  // The payload the approver is asked to approve; `wait_for_approval` fills it in for any gate.
  ApprovalRequest: {
    payload: { type: 'object', additionalProperties: true, default: {} },
    // Only a gate read on its own (`GET /approvals/{id}`) has its chain: None elsewhere, not [].
    chain: { anyOf: [{ type: 'array', items: { type: 'object', additionalProperties: true } }, { type: 'null' }] },
  },
};

/** Hand-written bases with the models' behaviour (`human_sdk/_model_base.py`). */
const PY_BASES = {
  ApprovalRequest: 'human_sdk._model_base.ApprovalRequestBase',
  CreatedTask: 'human_sdk._model_base.CreatedTaskBase',
};

const OPEN = { type: 'object', additionalProperties: true };

function nonNull(s: Schema): { s: Schema; nullable: boolean } {
  const rest = (s.anyOf as Schema[] | undefined)?.filter((b) => b.type !== 'null');
  return rest?.length === 1 && rest.length < s.anyOf.length
    ? { s: rest[0] as Schema, nullable: true }
    : { s, nullable: false };
}

/**
 * A member as the Python SDK reads it: nested objects it does not model are plain dicts, enums it
 * does not name are `Literal`s in place.
 */
function pyMember(v: Schema, src: Record<string, Schema>): Schema {
  const { s, nullable } = nonNull(v);
  const ref = (s.$ref as string | undefined)?.split('/').pop();
  const target = ref ? src[ref] : undefined;
  let out: Schema = s;
  if (ref && PY_TYPES[ref]) out = { $ref: `#/components/schemas/${PY_TYPES[ref]}` };
  else if (ref) out = Array.isArray(target?.enum) ? { type: 'string', enum: target.enum } : OPEN;
  else if (s.type === 'object') out = OPEN;
  else if (s.type === 'array') out = { ...s, items: pyMember(s.items as Schema, src) };
  const typed = { ...out, description: v.description ?? s.description };
  return nullable ? { anyOf: [typed, { type: 'null' }], description: typed.description } : typed;
}

function pyDefault(owner: string, prop: string, v: Schema): unknown {
  const explicit = PY_DEFAULTS[owner]?.[prop];
  if (explicit !== undefined) return explicit;
  const { s, nullable } = nonNull(v);
  if (nullable) return undefined;
  if (!s.type && !s.$ref && !s.anyOf) return null;
  if (s.type === 'array') return [];
  if (s.type === 'boolean') return false;
  if (s.type === 'object' && !s.$ref) return {};
  return undefined;
}

function pyObject(name: string, s: Schema, src: Record<string, Schema>): Schema {
  const keep = new Set(PY_REQUIRED[name] ?? []);
  const properties: Record<string, Schema> = {};
  for (const [p, v] of Object.entries({ ...s.properties, ...PY_MEMBERS[name] } as Record<string, Schema>)) {
    const m = pyMember(v, src);
    const d = keep.has(p) ? undefined : pyDefault(name, p, v);
    properties[p] = d === undefined || 'default' in m ? m : { ...m, default: d };
  }
  const required = (s.required ?? []).filter((r: string) => keep.has(r));
  return { type: 'object', description: s.description, properties, required };
}

/** The Python SDK's schemas, by Python name. */
export function pythonSchemas(doc: OpenApiDocument): Record<string, Schema> {
  const src = withoutValidation(doc.components.schemas ?? {}) as Record<string, Schema>;
  requireSchemas(src, [...Object.keys(PY_TYPES), ...PY_MERGED.map(([, api]) => api)]);
  const raw: Record<string, Schema> = {};
  for (const [api, py] of Object.entries(PY_TYPES)) raw[py] = structuredClone(src[api] as Schema);
  for (const [py, api] of PY_MERGED) {
    const b = src[api];
    if (!b) continue;
    const a = raw[py];
    const req = new Set<string>(b.required ?? []);
    raw[py] = a
      ? {
          ...a,
          properties: { ...b.properties, ...a.properties },
          required: a.required.filter((r: string) => req.has(r)),
        }
      : structuredClone(b);
  }
  const out: Record<string, Schema> = {};
  for (const [py, s] of Object.entries(raw)) out[py] = Array.isArray(s.enum) ? s : pyObject(py, s, src);
  return out;
}

const ARGS = [
  '--input-file-type=openapi',
  '--openapi-scopes=schemas',
  '--output-model-type=pydantic_v2.BaseModel',
  '--target-python-version=3.10',
  '--snake-case-field',
  '--alias-generator=to_camel',
  '--allow-population-by-field-name',
  '--extra-fields=allow',
  '--use-union-operator',
  '--use-standard-collections',
  '--use-annotated',
  '--enum-field-as-literal=all',
  '--use-type-alias',
  '--strict-nullable',
  '--naming-strategy=primary-first',
  `--base-class-map=${JSON.stringify(PY_BASES)}`,
  '--use-schema-description',
  '--use-field-description',
  '--use-single-line-docstring',
  '--disable-timestamp',
  '--no-formatters',
];

/**
 * A model member whose default is the empty model (`aiProposal: {}`): datamodel-code-generator writes
 * `Annotated[AiProposal, Field(validate_default=True)] = {}`, right for pydantic but a dict to mypy;
 * the same default as a factory types.
 */
const EMPTY_MODEL_DEFAULT = /(\w+): Annotated\[(\w+), Field\(validate_default=True\)\] = \{\}/g;

/** Fails when the document lacks a schema an SDK exposes (renamed or removed on the server). */
export function requireSchemas(src: Record<string, Schema>, names: string[]): void {
  const missing = names.filter((n) => !src[n]);
  if (missing.length) throw new Error(`gen-models: the document has no schema ${missing.join(', ')}`);
}

/** Runs a command; its failure (with its output) is an error. */
export function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`gen-models: ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gen-models: ${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * The generated module's text, formatted by the SDK's own ruff settings (`pyproject.toml`).
 *
 * @example
 * const text = pythonModels(named, 'sdks/python');
 */
export function pythonModels(doc: OpenApiDocument, sdkDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-gen-python-'));
  try {
    const input = join(dir, 'openapi.json');
    const output = join(dir, '_generated.py');
    const schemas = pythonSchemas(doc);
    writeFileSync(input, JSON.stringify({ ...doc, paths: {}, components: { schemas } }));
    mustRun('python3', ['-m', 'datamodel_code_generator', ...ARGS, `--input=${input}`, `--output=${output}`], dir);
    const config = `--config=${join(sdkDir, 'pyproject.toml')}`;
    mustRun('python3', ['-m', 'ruff', 'check', '--fix-only', '--quiet', config, output], sdkDir);
    mustRun('python3', ['-m', 'ruff', 'format', '--quiet', config, output], sdkDir);
    return readFileSync(output, 'utf8')
      .replace(/^# generated by datamodel-codegen:\n#.*\n\n?/, '')
      .replace(EMPTY_MODEL_DEFAULT, '$1: $2 = Field(default_factory=$2)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
