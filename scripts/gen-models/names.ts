/**
 * Names for the schemas the SDKs expose, for a document that still inlines them. The server names
 * its schemas (`components/schemas`); a name listed here that the document already has is left to
 * the document. Each other one is taken from where the schema sits (an operation's response or
 * request body, then a path inside it) and every structurally equal copy in the document becomes a
 * `$ref` to it, so the three generators see one `Task`, not one per route that returns it.
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

/** The SDKs' wire types, by the name the server gives them (or will). */
export const SDK_SCHEMAS: Record<string, Locator> = {
  Task: { op: 'getTask', at: '200' },
  TaskStatus: { op: 'getTask', at: '200', path: ['status'] },
  AiProposal: { op: 'getTask', at: '200', path: ['aiProposal'] },
  RiskAssessment: { op: 'getTask', at: '200', path: ['riskAssessment'] },
  HumanInLoopSettings: { op: 'getTask', at: '200', path: ['humanInLoop'] },
  PolicyOutcome: { op: 'getTask', at: '200', path: ['policy'] },
  ApprovalRequest: { op: 'getTask', at: '200', path: ['approvals', '[]'] },
  Decision: { op: 'getTask', at: '200', path: ['approvals', '[]', 'decisions', '[]'] },
  TaskPage: { op: 'listTasks', at: '200' },
  ApprovalRequestPage: { op: 'listApprovals', at: '200' },
  ApprovalRequestDetail: { op: 'getApproval', at: '200' },
  ChainStep: { op: 'getApproval', at: '200', path: ['chain', '[]'] },
  ApprovalTask: { op: 'getApproval', at: '200', path: ['task'] },
  CreateTaskBody: { op: 'createTask', at: 'body' },
  CreatedTask: { op: 'createTask', at: '201' },
  TaskDecision: { op: 'getDecision', at: '200' },
  ApproveBody: { op: 'approve', at: 'body' },
  RejectBody: { op: 'reject', at: 'body' },
  ApprovalResult: { op: 'approve', at: '200' },
  RejectionResult: { op: 'reject', at: '200' },
  Provenance: { op: 'approve', at: '200', path: ['provenance'] },
  ExecutionGrant: { op: 'executeTask', at: '200' },
  SignedGrant: { op: 'executeTask', at: '200', path: ['grant'] },
  HeartbeatBody: { op: 'heartbeat', at: 'body' },
  HeartbeatResult: { op: 'heartbeat', at: '200' },
  InRunDecisionBody: { op: 'submitDecision', at: 'body' },
  InRunDecisionResult: { op: 'submitDecision', at: '201' },
  OverrideBody: { op: 'overrideTask', at: 'body' },
  OverrideResult: { op: 'overrideTask', at: '200' },
  FeedbackBody: { op: 'recordFeedback', at: 'body' },
  Feedback: { op: 'recordFeedback', at: '201' },
  CalibrationReport: { op: 'getCalibration', at: '200' },
  PolicyEvaluation: { op: 'evaluatePolicy', at: '200' },
  Principal: { op: 'getPrincipal', at: '200' },
  CreatePrincipalBody: { op: 'createPrincipal', at: 'body' },
  CreatedPrincipal: { op: 'createPrincipal', at: '201' },
  AuditReview: { op: 'getAuditReview', at: '200' },
  AuditReviewPage: { op: 'listAuditReviews', at: '200' },
  ReviewedTaskPage: { op: 'listAuditReviewTasks', at: '200' },
  ReviewedTask: { op: 'listAuditReviewTasks', at: '200', path: ['items', '[]'] },
  SampledTask: { op: 'getAuditReview', at: '200', path: ['sample', '[]'] },
  ReviewFrequency: { op: 'getAuditReview', at: '200', path: ['frequency'] },
  ReviewStatus: { op: 'getAuditReview', at: '200', path: ['status'] },
  ReviewOutcome: { op: 'getAuditReview', at: '200', path: ['outcome', '|0'] },
  SampleReason: { op: 'getAuditReview', at: '200', path: ['sample', '[]', 'reason'] },
  Problem: { op: 'getTask', at: 'default' },
  ErrorCode: { op: 'getTask', at: 'default', path: ['code'] },
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
