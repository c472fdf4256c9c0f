import { readFileSync } from 'node:fs';
import {
  BUILTIN_POLICY,
  compilePattern,
  displayTemplateProblems,
  type PolicyDocument,
  UnsupportedPattern,
} from '@humanos/core';
import { Ajv } from 'ajv';
import { Type as T } from 'typebox';
import { StartupError } from '../errors.js';
import { DisplayFormatSchema, EscalationPolicySchema, named, RiskLevelSchema, withoutIds } from '../kernel/schemas.js';

const ROLE = T.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$' });
const closed = { additionalProperties: false } as const;
const RISK = RiskLevelSchema;
const STEP = T.Object(
  { role: ROLE, reason: T.Optional(T.String({ maxLength: 500 })), timeout: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);

const ID = T.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
/** What a rule (and a display template) matches: one matcher, `ruleMatch` in core. */
const MATCH = named(
  'PolicyMatch',
  T.Object(
    {
      capabilities: T.Optional(T.Array(ROLE, { minItems: 1 })),
      descriptionMatches: T.Optional(T.String({ maxLength: 500 })),
      payload: T.Optional(
        T.Array(
          T.Object(
            {
              path: T.String({ minLength: 1, maxLength: 200 }),
              gt: T.Optional(T.Number()),
              gte: T.Optional(T.Number()),
              lt: T.Optional(T.Number()),
              lte: T.Optional(T.Number()),
              eq: T.Optional(T.Union([T.String(), T.Number(), T.Boolean()])),
              in: T.Optional(T.Array(T.Union([T.String(), T.Number()]))),
            },
            closed,
          ),
        ),
      ),
      riskAtLeast: T.Optional(RISK),
      riskFactors: T.Optional(T.Array(T.String({ maxLength: 100 }), { minItems: 1 })),
    },
    closed,
  ),
);
const POINTER = T.String({ maxLength: 200, description: 'An RFC 6901 JSON pointer into the payload, e.g. `/amount`' });
/** A display template: for the tasks its matcher matches, which payload fields approvers see first, and how. */
const DISPLAY = T.Object(
  {
    id: ID,
    description: T.Optional(T.String({ maxLength: 500 })),
    match: MATCH,
    fields: T.Array(
      T.Object(
        {
          path: POINTER,
          label: T.Optional(T.String({ minLength: 1, maxLength: 100 })),
          format: T.Optional(DisplayFormatSchema),
          currencyPath: T.Optional(POINTER),
          currency: T.Optional(T.String({ pattern: '^[A-Z]{3}$' })),
          minorUnits: T.Optional(T.Boolean()),
        },
        closed,
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  closed,
);

/** The documented policy file format (docs/policy.md); validated once at start-up. */
export const PolicyFileSchema = T.Object(
  {
    name: T.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    version: T.Integer({ minimum: 1 }),
    defaultApproverRole: T.Optional(ROLE),
    auditorRole: T.Optional(ROLE),
    escalationLadder: T.Optional(T.Record(T.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$' }), ROLE)),
    risk: T.Optional(
      T.Object(
        {
          largeAmount: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 1e15 })),
          significantSizeGb: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 1e12 })),
        },
        closed,
      ),
    ),
    requirePasskey: T.Optional(
      T.Object(
        {
          always: T.Optional(T.Boolean()),
          riskAtLeast: T.Optional(T.Union([RISK, T.Null()])),
          capabilities: T.Optional(T.Array(ROLE, { minItems: 1 })),
          rules: T.Optional(T.Array(T.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }), { minItems: 1 })),
        },
        closed,
      ),
    ),
    maxSessionAge: T.Optional(
      T.Object({ seconds: T.Integer({ minimum: 1, maximum: 90 * 86_400 }), riskAtLeast: T.Optional(RISK) }, closed),
    ),
    display: T.Optional(T.Array(DISPLAY, { maxItems: 200 })),
    promptCap: T.Optional(T.Object({ perApproverPerHour: T.Integer({ minimum: 1, maximum: 10_000 }) }, closed)),
    delegation: T.Optional(T.Object({ maxDays: T.Optional(T.Integer({ minimum: 1, maximum: 366 })) }, closed)),
    maxRevisions: T.Optional(T.Integer({ minimum: 0, maximum: 100 })),
    rules: T.Array(
      T.Object(
        {
          id: ID,
          description: T.Optional(T.String({ maxLength: 500 })),
          match: MATCH,
          bulkApprovable: T.Optional(T.Boolean()),
          require: T.Object(
            {
              approverRole: T.Optional(ROLE),
              approvalChain: T.Optional(T.Array(STEP, { minItems: 1, maxItems: 10 })),
              quorum: T.Optional(
                T.Object(
                  { required: T.Integer({ minimum: 1, maximum: 20 }), eligible: T.Array(ROLE, { minItems: 1 }) },
                  closed,
                ),
              ),
              timeout: T.Optional(T.Integer({ minimum: 1 })),
              escalationPolicy: T.Optional(EscalationPolicySchema),
              escalateTo: T.Optional(ROLE),
              riskLevel: T.Optional(RISK),
              riskFactors: T.Optional(T.Array(T.String({ maxLength: 100 }))),
              minReviewSeconds: T.Optional(T.Integer({ minimum: 1, maximum: 3600 })),
              delegable: T.Optional(T.Boolean()),
            },
            closed,
          ),
        },
        closed,
      ),
    ),
  },
  closed,
);

/** A policy file start-up refuses, with a stable code for what (`unsupported_regex`). */
export class PolicyFileError extends StartupError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super('HUMANOS_POLICY', message);
  }
}

/**
 * Loads and validates the policy file. Any problem stops start-up with one line naming HUMANOS_POLICY.
 *
 * @example
 * const { policy, source } = loadPolicy(process.env.HUMANOS_POLICY, 'approver');
 */
export function loadPolicy(
  file: string | undefined,
  defaultApproverRole: string,
): { policy: PolicyDocument; source: 'built-in' | 'file' } {
  if (!file) return { policy: { ...BUILTIN_POLICY, defaultApproverRole }, source: 'built-in' };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StartupError('HUMANOS_POLICY', `cannot read ${file} as JSON: ${(e as Error).message}`);
  }
  // Without the names (`$id`s), which are the OpenAPI document's: `RiskLevel` occurs twice in it.
  const validate = new Ajv({ allErrors: false, strict: false }).compile(withoutIds(PolicyFileSchema));
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    throw new StartupError('HUMANOS_POLICY', `${file}: ${err?.instancePath || '/'} ${err?.message ?? 'is invalid'}`);
  }
  const policy = doc as PolicyDocument;
  const matchers = [
    ...policy.rules.map((r) => ({ what: `rule ${r.id}`, match: r.match })),
    ...(policy.display ?? []).map((t) => ({ what: `display template ${t.id}`, match: t.match })),
  ];
  for (const { what, match } of matchers) {
    if (match.descriptionMatches) {
      // Matched by RE2 (linear time): what it cannot run (backreferences, lookaround) is refused here,
      // not discovered while a task waits.
      try {
        compilePattern(match.descriptionMatches);
      } catch (e) {
        if (!(e instanceof UnsupportedPattern)) throw e;
        throw new PolicyFileError(
          e.code,
          `${file}: ${what}: descriptionMatches ${JSON.stringify(e.pattern)} is refused (${e.code}): ${e.message}`,
        );
      }
    }
  }
  const badTemplates = displayTemplateProblems(policy.display ?? []);
  if (badTemplates.length > 0)
    throw new PolicyFileError('invalid_display_template', `${file}: ${badTemplates.join('; ')}`);
  for (const r of policy.rules) {
    if (r.require.quorum && r.require.quorum.required > 20)
      throw new StartupError('HUMANOS_POLICY', `rule ${r.id}: quorum too large`);
  }
  for (const start of Object.keys(policy.escalationLadder ?? {})) {
    const seen = new Set([start]);
    for (let r = policy.escalationLadder?.[start]; r; r = policy.escalationLadder?.[r]) {
      if (seen.has(r)) throw new StartupError('HUMANOS_POLICY', `${file}: escalationLadder has a cycle through ${r}`);
      seen.add(r);
    }
  }
  const ids = new Set<string>();
  for (const r of policy.rules) {
    if (ids.has(r.id)) throw new StartupError('HUMANOS_POLICY', `${file}: rule id ${r.id} appears twice`);
    ids.add(r.id);
  }
  for (const r of policy.requirePasskey?.rules ?? []) {
    if (!ids.has(r))
      throw new StartupError('HUMANOS_POLICY', `${file}: requirePasskey names rule ${r}, which is not in rules`);
  }
  return {
    policy: { ...policy, defaultApproverRole: policy.defaultApproverRole ?? defaultApproverRole },
    source: 'file',
  };
}
