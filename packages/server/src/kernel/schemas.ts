import {
  APPROVAL_ID_PATTERN,
  APPROVAL_STATUSES,
  DID_PATTERN,
  DISPLAY_FORMATS,
  ERROR_STATUS,
  type ErrorCode,
  RISK_LEVELS,
  TASK_ID_PATTERN,
  TASK_STATUSES,
} from '@humanos/core';
import { Type as T, type TProperties, type TSchema } from 'typebox';

/**
 * A schema with a stable name: the OpenAPI document shows it once, as `components/schemas/<name>`,
 * and every use as a `$ref` to it (http/openapi.ts). The name is its `$id`; the value is otherwise the
 * same schema (a copy, so the original stays unnamed), so validation and `Static<>` do not change.
 * Names are the wire contract of the SDK models generated from the document (docs/api.md, "Schemas"):
 * never rename one.
 *
 * @example
 * export const TaskView = named('Task', view({ id: T.String() }, 'A task'));
 */
export function named<S extends TSchema>(name: string, schema: S): S {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as S;
  return Object.assign(copy, { $id: name });
}

const stripped = new WeakMap<object, unknown>();

/**
 * A copy of a schema without `$id`s, for Ajv: the names are for the document only, and a name that
 * occurs twice in one schema (a task's proposal and its gates' proposals) is an ambiguous `$id` to
 * Ajv. Everything else, and so what validates, is the schema as written.
 *
 * @example
 * ajv.compile(withoutIds(TaskView))
 */
export function withoutIds<T>(schema: T): T {
  if (typeof schema !== 'object' || schema === null) return schema;
  const hit = stripped.get(schema);
  if (hit) return hit as T;
  const out = Array.isArray(schema)
    ? schema.map((s) => withoutIds(s))
    : Object.fromEntries(
        Object.entries(schema)
          .filter(([k]) => k !== '$id')
          .map(([k, v]) => [k, withoutIds(v)]),
      );
  stripped.set(schema, out);
  return out as T;
}

/**
 * Schema pieces every feature's request schemas share. Request schemas are the single place where
 * input is validated: every object is closed (`additionalProperties: false`) so an unknown field such
 * as `"status": "approved"` on create is a 400, not silently ignored; strings are bounded so nothing
 * unbounded reaches the store.
 */
export const ROLE = T.String({
  pattern: '^[a-z][a-z0-9_.-]{0,63}$',
  description: 'A role name, e.g. `finance_manager`',
});
export const TEXT = (max: number, extra: Record<string, unknown> = {}) => T.String({ maxLength: max, ...extra });
export const closed = { additionalProperties: false } as const;

export const Did = T.String({ pattern: DID_PATTERN, description: 'Principal DID, e.g. `did:human:john-dba`' });
export const TaskIdParams = T.Object({ taskId: T.String({ pattern: TASK_ID_PATTERN }) }, closed);
export const ApprovalIdParams = T.Object({ approvalId: T.String({ pattern: APPROVAL_ID_PATTERN }) }, closed);

/**
 * Any JSON object (a payload, edits): one named component, so a client generated from the document has
 * one open-object type instead of one class per member that holds one (`payload`, `edits`, …).
 */
export const JsonObject = named(
  'JsonObject',
  T.Object({}, { additionalProperties: true, description: 'Any JSON object' }),
);

export const LIMIT = T.Optional(T.Integer({ minimum: 1, maximum: 200, default: 50 }));
export const CURSOR = T.Optional(T.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }));

/** `?wait=` seconds of a long-poll. */
/** `Idempotency-Key`: a retry with the same key and body gets the first answer (other headers pass). */
export const IdempotencyHeaders = T.Object({
  'idempotency-key': T.Optional(
    T.String({
      minLength: 1,
      maxLength: 200,
      description: 'Makes retries of this call safe: the first answer is replayed',
    }),
  ),
});
export const WaitQuery = T.Object({ wait: T.Optional(T.Number({ minimum: 0, maximum: 60 })) }, closed);

/*
 * Response schemas. They document and validate; they never reshape a response (the app serialises
 * with `JSON.stringify`). Views are open (`additionalProperties` allowed, so a new member is not a
 * breaking change) and type every member the handler sends; a member sent only in some cases is
 * `T.Optional`. The SDK's types are checked against `Static<>` of these (packages/sdk/test).
 */

/**
 * A lenient object: the listed members typed, others allowed. Generic, so `Static<typeof X>` is the
 * exact shape (packages/sdk/test/responses.test.ts compares the SDK's response types with it).
 */
export const view = <P extends TProperties>(props: P, description: string) =>
  T.Object(props, { additionalProperties: true, description });
export const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);
export const IsoTime = T.String({ description: 'An RFC 3339 time in UTC, e.g. `2026-01-31T09:00:00.000Z`' });
export const Items = <S extends TSchema>(item: S, description: string) => view({ items: T.Array(item) }, description);
export const Page = <S extends TSchema>(item: S, description: string) =>
  view({ items: T.Array(item), nextCursor: Nullable(T.String()) }, description);

/** A string from a fixed list (`enum`), typed as the list's union. */
export const Enum = <V extends string>(values: readonly V[], description?: string) =>
  T.Unsafe<V>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** The stable problem codes (core's `ERROR_STATUS`), one named enum. */
export const ErrorCodeSchema = named(
  'ErrorCode',
  Enum(Object.keys(ERROR_STATUS) as ErrorCode[], 'Stable error code (docs/api.md lists them)'),
);

/** RFC 9457 problem details with the stable HumanOS `code` (see docs/api.md for the list). */
export const Problem = named(
  'Problem',
  view(
    {
      type: T.String({ description: '`urn:humanos:problem:<code>`' }),
      title: T.String(),
      status: T.Integer({ minimum: 400, maximum: 599 }),
      code: ErrorCodeSchema,
      detail: T.String(),
      instance: T.String({ description: 'The request path' }),
      requestId: T.Optional(T.String({ description: 'The request id, also in the logs' })),
    },
    'An RFC 9457 problem (`application/problem+json`)',
  ),
);

const PROBLEM_TEXT: Record<string, string> = {
  400: 'Bad request: the body, query or an id failed validation (`validation_failed`, `invalid_id`, `bad_request`)',
  401: 'No valid bearer token (`unauthorized`)',
  403: 'Not allowed for this principal (`forbidden`, `role_required`, …)',
  404: 'Not found, or not visible to this principal (`not_found`)',
  409: 'Conflicts with the current state (`invalid_state`, `already_decided`, `conflict`, …)',
  410: 'The approval request expired (`approval_expired`)',
  default: 'Any other problem (`payload_too_large`, `rate_limited`, `internal`, `unavailable`, …)',
};

/** A problem response as a route documents it. */
export type ProblemResponse = {
  description: string;
  content: { 'application/problem+json': { schema: typeof Problem } };
};

/**
 * A route's responses: the success schema under its status, the problems it can give by status, and
 * a `default` problem for the rest (413, 415, 429, 500, 503, …). Typed, so the type provider checks
 * what the handler returns against `Static<>` of the success schema (or a problem).
 *
 * @example
 * schema: { response: responses(200, TaskView, 400, 401, 404) }
 */
export function responses<S extends 200 | 201, Ok extends TSchema>(
  status: S,
  ok: Ok,
  ...errors: number[]
): Record<S, Ok> & Record<string, ProblemResponse> {
  return { [status]: ok, ...problemsOnly(...errors) } as Record<S, Ok> & Record<string, ProblemResponse>;
}

/** Only the problem responses (for routes whose success is not JSON: an event stream, an export). */
export function problemsOnly(...errors: number[]): Record<string, ProblemResponse> {
  const out: Record<string, ProblemResponse> = {};
  for (const code of [...errors, 'default' as const]) {
    out[code] = {
      description: PROBLEM_TEXT[code] ?? PROBLEM_TEXT.default ?? '',
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return out;
}

/**
 * The documentation members of an operation: `operationId` (camelCase, unique), summary, description.
 *
 * @example
 * schema: { ...op('getTask', 'Get a task', 'The task with its gates and decisions.'), ... }
 */
export const op = (operationId: string, summary: string, description: string) => ({
  operationId,
  summary,
  description,
});
/* Named enums more than one feature uses (each feature names its own). */
export const TaskStatusSchema = named('TaskStatus', Enum(TASK_STATUSES, 'The task status'));
export const GateStatusSchema = named('ApprovalStatus', Enum(APPROVAL_STATUSES, 'The approval request (gate) status'));
export const RiskLevelSchema = named('RiskLevel', Enum(RISK_LEVELS, 'The risk level'));
/** What a decision says of the payload. */
export const VerdictSchema = named('Verdict', Enum(['approved', 'rejected'] as const, 'The decision’s verdict'));
/** Whether a principal is a person or an agent. */
export const PrincipalKindSchema = named('PrincipalKind', Enum(['human', 'agent'] as const, 'A person or an agent'));
export const EscalationPolicySchema = named(
  'EscalationPolicy',
  Enum(['auto', 'reject'] as const, 'What happens when an approval request times out'),
);
export const AuditFrequencySchema = named(
  'AuditFrequency',
  Enum(['always', 'daily', 'weekly', 'monthly'] as const, 'How often unattended runs are spot-checked'),
);
export const PolicySourceSchema = named(
  'PolicySource',
  Enum(['built-in', 'file'] as const, 'Where the policy in force came from'),
);

/* Domain views more than one feature answers with. */

/** The agent's proposal as a gate or task shows it (core `AiProposal`). */
export const AiProposalView = named(
  'AiProposal',
  view(
    {
      action: T.String(),
      reasoning: Nullable(T.String()),
      confidence: Nullable(T.Number()),
      alternatives: T.Array(T.String()),
      alternativePayloads: T.Optional(
        T.Array(Nullable(JsonObject), {
          description:
            'The payload each alternative would execute, by index (null: text only); absent when the agent sent none',
        }),
      ),
    },
    'What the agent proposes: the action, its reasoning, its stated confidence and the alternatives it saw',
  ),
);
/** The assessed risk (core `RiskAssessment`): the stricter of the server's rules and the agent's claim. */
/** How a payload field is written (the policy's display templates and the payload display). */
export const DisplayFormatSchema = named('DisplayFormat', Enum(DISPLAY_FORMATS, 'How a payload field is written'));
/** The payload that executes, as every channel shows it (`renderPayload` in core). */
export const PayloadDisplaySchema = named(
  'PayloadDisplay',
  view(
    {
      fields: T.Array(
        named(
          'PayloadDisplayField',
          view(
            {
              path: T.String({ description: 'An RFC 6901 JSON pointer into the payload' }),
              label: T.String(),
              text: T.String({ description: 'The value as written for a human, cut to the channel’s limit' }),
              format: DisplayFormatSchema,
              edited: T.Boolean({ description: 'A human changed it from what the agent proposed' }),
              truncated: T.Integer({ description: 'Characters of the value not shown in `text`' }),
            },
            'One shown payload field',
          ),
        ),
      ),
      hiddenFields: T.Integer({ description: 'Fields not listed (over the limit)' }),
      tooLarge: T.Boolean({
        description: 'Not everything is shown: Slack and e-mail offer no one-click decision, only the console',
      }),
      template: Nullable(T.String({ description: 'The policy display template used, by id' })),
    },
    'The payload that executes, labelled and formatted by the policy’s display template, edits marked',
  ),
);
export const RiskView = named(
  'RiskAssessment',
  view(
    { level: RiskLevelSchema, factors: T.Array(T.String()), mitigations: T.Array(T.String()) },
    'The assessed risk: its level, the factors found and the mitigations claimed',
  ),
);
/** One step of the effective requirement (core `GatePlan['policy']['requirements']`). */
export const PolicyRequirement = named(
  'PolicyRequirement',
  view(
    {
      step: T.Integer(),
      roles: T.Array(T.String()),
      required: T.Integer(),
      origin: T.Optional(
        named('RequirementOrigin', Enum(['policy', 'floor', 'client'] as const, 'Who demanded the step')),
      ),
      rule: Nullable(T.String()),
    },
    'One step of the effective requirement and who demanded it',
  ),
);
/** A value a matched policy rule could not read. */
export const PolicyFlag = named(
  'PolicyFlag',
  view(
    {
      rule: T.String(),
      path: T.String({ description: '`payload.amount`, `description`' }),
      code: named(
        'PolicyFlagCode',
        Enum(['not_comparable', 'ambiguous_number', 'unsupported_pattern', 'text_too_long'] as const),
      ),
      message: T.String(),
    },
    'A value a matched rule could not read (it applied anyway: fail closed) or read two ways',
  ),
);
/** A warning about an approval request (core `ApprovalWarning`): text that disagrees with the payload, a gate nobody can decide. */
export const ApprovalWarningSchema = named(
  'ApprovalWarning',
  view(
    {
      code: named(
        'ApprovalWarningCode',
        Enum(
          ['text_payload_mismatch', 'gate_undecidable'] as const,
          '`text_payload_mismatch`: the agent’s text says what the payload does not; `gate_undecidable`: no enabled human can decide a gate',
        ),
      ),
      message: T.String({ description: 'A sentence for a human' }),
      field: T.Optional(T.String({ description: 'A JSON pointer into the payload (`/amount`)' })),
      claimed: T.Optional(T.String({ description: 'What the agent’s text says (`EUR 24.99`)' })),
      actual: T.Optional(
        Nullable(
          T.String({ description: 'The payload’s value as displayed; null when the payload has no such value' }),
        ),
      ),
      source: T.Optional(
        named(
          'ApprovalWarningSource',
          Enum(['description', 'action', 'reasoning', 'policy'] as const, 'Where the claim was read'),
        ),
      ),
    },
    'Shown above the decision buttons in every channel: the agent’s text disagrees with the payload, or a gate has no eligible human',
  ),
);
/** Which policy planned a task's gates, and how (core `GatePlan['policy']`). */
export const PolicyOutcome = named(
  'PolicyOutcome',
  view(
    {
      id: T.String(),
      version: T.Integer(),
      source: PolicySourceSchema,
      rulesApplied: T.Array(T.String()),
      gateRequired: T.Boolean(),
      floorApplied: T.Boolean({ description: 'Whether the built-in risk floor added a gate' }),
      approvalRequired: T.String({ description: 'What the client asked for (`before_execution`, `threshold`, …)' }),
      approverRole: Nullable(T.String()),
      reason: T.String(),
      requirements: T.Array(PolicyRequirement),
      // Optional: tasks planned before flags existed have none stored.
      flags: T.Optional(T.Array(PolicyFlag)),
    },
    'The policy that planned the gates: its id and version, the rules that matched, whether a gate is required',
  ),
);
