import { type Static, Type as T } from 'typebox';
import { OnBehalfOfView } from '../delegations/schemas.js';
import {
  AiProposalView,
  ApprovalWarningSchema,
  CURSOR,
  closed,
  Did,
  Enum,
  EscalationPolicySchema,
  GateStatusSchema,
  IdempotencyHeaders,
  IsoTime,
  JsonObject,
  LIMIT,
  Nullable,
  named,
  Page,
  PayloadDisplaySchema,
  PolicyOutcome,
  Problem,
  RiskView,
  TaskStatusSchema,
  TEXT,
  VerdictSchema,
  view,
} from '../kernel/schemas.js';

export { VerdictSchema };

/** A payload digest as `payloadDigest()` makes it: `sha256:` and 64 lowercase hex digits. */
export const DIGEST_PATTERN = '^sha256:[0-9a-f]{64}$';
const SeenDigest = T.String({
  pattern: DIGEST_PATTERN,
  description:
    'The digest of the payload the decider was shown (`currentDigest` of the gate as they read it). A decision for another version is refused with `409 stale_payload`; on approve it is required once the payload has had more than one version (`428 payload_digest_required`). `If-Match: "<digest>"` says the same.',
});

/** A decision's `passkey` member: the approver's WebAuthn assertion over the decision's challenge. */
export const PasskeyAssertionBody = named(
  'PasskeyAssertion',
  T.Object(
    {
      credentialId: T.String({ pattern: '^[A-Za-z0-9_-]{1,1400}$' }),
      nonce: T.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'From `POST /approvals/{id}/passkey-challenge`' }),
      authenticatorData: T.String({ pattern: '^[A-Za-z0-9_-]{50,4000}$' }),
      clientDataJSON: T.String({ pattern: '^[A-Za-z0-9_-]{1,8000}$' }),
      signature: T.String({ pattern: '^[A-Za-z0-9_-]{1,400}$' }),
      userHandle: T.Union([T.String({ pattern: '^[A-Za-z0-9_-]{0,400}$' }), T.Null()]),
    },
    {
      ...closed,
      description:
        'The approver’s passkey assertion (base64url, as WebAuthn returns it) over the challenge of this decision; required where the policy’s `requirePasskey` applies (`403 passkey_required`), refused with `403 passkey_invalid` naming the failed `check`',
    },
  ),
);

/** Request schemas of the approval routes. */
export const ApproveBody = named(
  'ApproveBody',
  T.Object(
    {
      payloadDigest: T.Optional(SeenDigest),
      approvedBy: T.Optional(Did),
      approvalReason: T.Optional(TEXT(5000)),
      feedback: T.Optional(TEXT(5000)),
      edits: T.Optional(JsonObject),
      assignTo: T.Optional(Did),
      passkey: T.Optional(PasskeyAssertionBody),
      alternative: T.Optional(
        T.Integer({
          minimum: 0,
          maximum: 1000,
          description:
            'Approve the proposal’s alternative of this (0-based) index instead of the proposal: its own payload executes. Not with `edits`.',
        }),
      ),
    },
    closed,
  ),
);

export const RejectBody = named(
  'RejectBody',
  T.Object(
    {
      payloadDigest: T.Optional(SeenDigest),
      rejectedBy: T.Optional(Did),
      rejectionReason: TEXT(5000),
      feedback: T.Optional(TEXT(5000)),
      passkey: T.Optional(PasskeyAssertionBody),
    },
    closed,
  ),
);

/** Headers of a decision: an `Idempotency-Key`, and `If-Match` with the digest the decider saw. */
export const DecisionHeaders = T.Object({
  ...IdempotencyHeaders.properties,
  'if-match': T.Optional(
    T.String({
      maxLength: 200,
      description:
        'The digest the decider was shown, as a quoted entity tag: `"sha256:…"` (the `ETag` of `GET /approvals/{id}`). Same rule as `payloadDigest` in the body; both given and different → `400 payload_digest_conflict`.',
    }),
  ),
});

export const InboxQuery = T.Object({ status: T.Optional(GateStatusSchema), limit: LIMIT, cursor: CURSOR }, closed);

/* Response schemas. */

/** One decision on a gate, as signed into the ledger. */
export const DecisionEntry = view(
  {
    principal: T.String({ description: 'The decider’s DID' }),
    verdict: VerdictSchema,
    reason: T.String({ description: 'Empty when none was given' }),
    feedback: Nullable(T.String()),
    edits: Nullable(JsonObject),
    payloadDigest: T.String(),
    decidedAt: IsoTime,
    signature: T.String(),
    ledgerIndex: T.Integer(),
    onBehalfOf: T.Optional(T.String({ description: 'A delegate’s decision: the delegator it was made for' })),
  },
  'One decision: who, which verdict, why, the edits and the payload digest it is for, and its signature',
);
/** A decision as a gate shows it: the signed decision, and whether it still counts. */
export const GateDecision = named(
  'Decision',
  view(
    {
      ...DecisionEntry.properties,
      stale: T.Boolean({ description: 'An approval of an earlier version of the payload: it no longer counts' }),
    },
    'A decision on this gate, and whether it still counts',
  ),
);
const TextWarningView = named(
  'TextWarning',
  view(
    {
      path: T.String(),
      kinds: T.Array(named('TextWarningKind', Enum(['bidi_control', 'zero_width'] as const, 'What was found'))),
    },
    'Where the agent’s text holds invisible characters (shown escaped)',
  ),
);
/** Something the approver must know before deciding (the kernel's `ApprovalWarning`). */
export const ApprovalWarningView = ApprovalWarningSchema;
const RankedCandidateView = named(
  'RankedCandidate',
  view(
    {
      id: T.String(),
      score: T.Number(),
      capabilityMatch: T.Number(),
      meanQuality: Nullable(T.Number()),
      ratings: T.Integer(),
    },
    'A resource a routing gate could assign, ranked',
  ),
);

/**
 * What a synthetic attention check planted, shown once the request is decided (null on every real
 * request, and on a check while it is open: a check looks like any other request until then).
 */
export const AttentionCheckReveal = named(
  'AttentionCheckReveal',
  view(
    {
      kind: named('AttentionFlawKind', Enum(['amount', 'iban'] as const, 'What kind of flaw was planted')),
      field: T.String({ description: 'JSON pointer of the payload field that was changed, e.g. `/amount`' }),
      shown: T.String({ description: 'The value the request’s text stated' }),
      planted: T.String({ description: 'The value the payload carried instead' }),
      message: T.String({ description: 'A sentence for the approver: this was a check, and what was wrong' }),
      caught: Nullable(
        T.Boolean({ description: 'The request was rejected (true) or approved (false); null if neither' }),
      ),
    },
    'This request was an attention check (a synthetic request with a planted flaw; it could never execute)',
  ),
);

/** The members every gate view has; `GateView` adds the short task, the detail view the long one. */
const gateMembers = {
  id: T.String({ description: '`approval:human:…`' }),
  taskId: T.String(),
  kind: named(
    'ApprovalKind',
    Enum(['execution', 'routing', 'review', 'decision', 'audit'] as const, 'What the gate decides'),
  ),
  status: GateStatusSchema,
  requestedAt: IsoTime,
  expiresAt: Nullable(IsoTime),
  approverRole: T.String({ description: 'The eligible roles, comma-separated' }),
  eligibleRoles: T.Array(T.String()),
  step: T.Integer(),
  reason: Nullable(T.String()),
  required: T.Integer({ description: 'Approvals needed (a quorum when above 1)' }),
  approvals: T.Integer({ description: 'Approvals given that still count' }),
  escalationPolicy: Nullable(EscalationPolicySchema),
  escalateTo: Nullable(T.String()),
  aiProposal: AiProposalView,
  alternatives: T.Array(T.String(), { description: 'The proposal’s alternatives' }),
  riskAssessment: RiskView,
  decisions: T.Array(GateDecision),
  currentDigest: T.String({
    description:
      'The digest of the payload an approval of this gate would approve now (the task’s payload as it stands; an in-run decision’s own). Send it back as `payloadDigest` (or `If-Match`) when deciding.',
  }),
  decidedAt: Nullable(IsoTime),
  textWarnings: T.Array(TextWarningView),
  warnings: T.Array(ApprovalWarningView, {
    description:
      'Where the agent’s text (description, proposed action, reasoning) disagrees with the payload as it stands; `[]` when none',
  }),
  bulkApprovable: T.Boolean({
    description:
      'The policy rule that made the gate marks it bulk-approvable: the console may batch it (without warnings or edits); each item is still its own decision',
  }),
  minReviewSeconds: Nullable(
    T.Integer({
      description:
        'A decision earlier than this many seconds after the approver first opened the request is refused (`review_too_fast`)',
    }),
  ),
  claimedBy: Nullable(
    T.String({ description: 'Who of the role is looking at it now (a claim; not a lock on deciding)' }),
  ),
  claimedUntil: Nullable(IsoTime),
  assignee: Nullable(T.String({ description: 'The eligible approver a lead assigned it to' })),
  assignedBy: Nullable(T.String()),
  attentionCheck: Nullable(AttentionCheckReveal),
  // Routing gates: the proposed resource and the ranking.
  proposedResource: T.Optional(Nullable(T.String())),
  ranking: T.Optional(T.Array(RankedCandidateView)),
  // In-run decision gates: the decision's payload, and once approved the approved one and its digest.
  payload: T.Optional(JsonObject),
  approvedPayload: T.Optional(Nullable(JsonObject)),
  payloadDigest: T.Optional(Nullable(T.String())),
  // Low-confidence reviews: the confidence reported, the threshold it fell below, the message.
  reportedConfidence: T.Optional(T.Number()),
  confidenceThreshold: T.Optional(T.Number()),
  escalationMessage: T.Optional(T.String()),
};

/** An approval request (gate) as every route shows it: open, with its members typed. */
export const GateView = named(
  'ApprovalRequest',
  view(
    {
      ...gateMembers,
      task: view({ id: T.String(), description: T.String() }, 'The task the gate decides'),
      onBehalfOf: T.Optional(OnBehalfOfView),
    },
    'An approval request (gate): its policy, progress, the proposal it decides and its decisions',
  ),
);
export const GatePage = named('ApprovalRequestPage', Page(GateView, 'A page of the inbox'));

/** `GET /approvals/{id}`: the gate with every step of its path and the task's payloads. */
export const GateDetail = named(
  'ApprovalRequestDetail',
  view(
    {
      ...gateMembers,
      display: PayloadDisplaySchema,
      task: view(
        {
          id: T.String(),
          description: T.String(),
          requester: T.String(),
          onBehalfOf: Nullable(T.String()),
          status: TaskStatusSchema,
          payload: JsonObject,
          proposedPayload: JsonObject,
          requiredCapabilities: T.Array(T.String()),
          policy: PolicyOutcome,
        },
        'The task the gate decides, with its payload as it stands and as proposed',
      ),
      chain: T.Array(
        named(
          'ChainStep',
          view(
            {
              id: T.String(),
              step: T.Integer(),
              approverRole: T.String(),
              status: GateStatusSchema,
              required: T.Integer(),
              reason: Nullable(T.String()),
              decisions: T.Array(GateDecision),
            },
            'One step (or escalation) of the path',
          ),
        ),
        { description: 'Every gate of this kind on the task, in step order, with its decisions' },
      ),
    },
    'An approval request with every step of its path and the task it decides',
  ),
);

/** Signature and inclusion proof of a decision in the ledger. */
export const ProvenanceView = named(
  'Provenance',
  view(
    {
      approvalSignature: T.String(),
      ledgerProof: T.String({ description: 'The inclusion proof as one hex string' }),
      ledgerIndex: T.Integer(),
      treeSize: T.Integer(),
      rootHash: T.String(),
      inclusionProof: T.Array(T.String()),
      checkpoint: T.String({ description: 'The signed note of the tree of `treeSize`' }),
      signer: T.String({ description: 'The server’s `did:key`' }),
    },
    'The decision’s signature and its inclusion proof under a signed checkpoint',
  ),
);
const decisionResult = {
  approvalId: T.String(),
  status: GateStatusSchema,
  taskId: T.String(),
  taskStatus: TaskStatusSchema,
  feedback: Nullable(T.String()),
  provenance: ProvenanceView,
};
/** The passkey a decision was signed with (the receipt's "signed with your passkey …"), or null. */
const SignedWithPasskey = Nullable(
  named(
    'SignedWithPasskey',
    view(
      { credentialId: T.String(), name: T.String({ description: 'The passkey’s name as its owner labelled it' }) },
      'The passkey that signed this decision',
    ),
  ),
);

export const ApprovalResult = named(
  'ApprovalResult',
  view(
    {
      ...decisionResult,
      approvedBy: T.String(),
      approvedAt: IsoTime,
      signedWithPasskey: SignedWithPasskey,
      approvalReason: T.String({ description: 'Empty when none was given' }),
      edits: Nullable(JsonObject),
      payloadDigest: T.String(),
    },
    'The approval as recorded: the gate and task status after it, who approved, and its provenance',
  ),
);
export const RejectionResult = named(
  'RejectionResult',
  view(
    {
      ...decisionResult,
      rejectedBy: T.String(),
      rejectedAt: IsoTime,
      rejectionReason: T.String(),
      signedWithPasskey: SignedWithPasskey,
    },
    'The rejection as recorded: the gate and task status after it, who rejected, and its provenance',
  ),
);

/** One change between two versions of a payload (`from` absent: added; `to` absent: removed). */
export const PayloadChangeView = named(
  'PayloadChange',
  view(
    {
      path: T.String({ description: 'An RFC 6901 JSON pointer into the payload (`""` is the whole payload)' }),
      from: T.Optional(T.Unknown({ description: 'The value in the version the decider saw' })),
      to: T.Optional(T.Unknown({ description: 'The value as it stands now' })),
    },
    'One change of the payload since the version the decider saw',
  ),
);

/** A decision's problem: `stale_payload` adds the version it was for, the current one and the diff. */
export const StalePayloadProblem = named(
  'DecisionProblem',
  view(
    {
      ...Problem.properties,
      seenDigest: T.Optional(T.String({ description: '`stale_payload`: the digest the decider named' })),
      currentDigest: T.Optional(T.String({ description: '`stale_payload`: the digest an approval would approve now' })),
      currentPayload: T.Optional(T.Unknown({ description: '`stale_payload`: the payload as it now stands' })),
      diff: T.Optional(
        Nullable(
          T.Array(PayloadChangeView, {
            description:
              '`stale_payload`: from the version seen to the current one; null when the server does not know the version seen',
          }),
        ),
      ),
    },
    'An RFC 9457 problem of a decision; `stale_payload` carries the current version and what changed',
  ),
);

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type DecisionEntry = Static<typeof DecisionEntry>;
export type ApprovalWarningView = Static<typeof ApprovalWarningView>;
export type GateDecision = Static<typeof GateDecision>;
export type GateView = Static<typeof GateView>;
export type AttentionCheckReveal = Static<typeof AttentionCheckReveal>;
export type GatePage = Static<typeof GatePage>;
export type GateDetail = Static<typeof GateDetail>;
export type ProvenanceView = Static<typeof ProvenanceView>;
export type ApprovalResult = Static<typeof ApprovalResult>;
export type RejectionResult = Static<typeof RejectionResult>;
/** What `decide` answers: the approval or the rejection as recorded. */
export type DecisionResult = ApprovalResult | RejectionResult;

/* Request changes (issue 26): the approver answers with feedback instead of a verdict. */

export const RequestChangesBody = named(
  'RequestChangesBody',
  T.Object(
    {
      feedback: TEXT(5000, { minLength: 1, description: 'What the agent should change; it gets this text back' }),
      payloadDigest: T.Optional(SeenDigest),
      requestedBy: T.Optional(Did),
    },
    closed,
  ),
);
export const ChangesRequestedResult = named(
  'ChangesRequestedResult',
  view(
    {
      approvalId: T.String(),
      taskId: T.String(),
      taskStatus: TaskStatusSchema,
      requestedBy: T.String(),
      requestedAt: IsoTime,
      feedback: T.String(),
      version: T.Integer({ description: 'The version changes were requested for (1 = as created)' }),
      payloadDigest: T.String({ description: 'The digest of that version' }),
      ledgerIndex: T.Integer({ description: 'The `task.changes_requested` entry' }),
    },
    'Changes requested: the task went back to its agent with the feedback; the gates of this version no longer count',
  ),
);
export type ChangesRequestedResult = Static<typeof ChangesRequestedResult>;
