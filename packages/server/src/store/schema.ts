import type { ApprovalStatus, GateKind, ReviewFrequency, TaskStatus } from '@humanos/core';

/** Row types. JSON columns are TEXT in both dialects so one query layer serves SQLite and PostgreSQL. */
export interface Database {
  meta: { key: string; value: string };
  /** Who holds which role: `principals.roles` mirrored, one row per role (migration 0029; it only narrows). */
  principal_roles: { role: string; principal_id: string };
  principals: {
    id: string;
    kind: string;
    roles: string;
    token_hash: string;
    public_key: string | null;
    created_at: number;
    created_by: string | null;
    /** Capabilities this resource registered (JSON array), for routing. */
    capabilities: string;
    /** Set while disabled: the token is refused. */
    disabled_at: number | null;
    token_rotated_at: number | null;
    /** When set, the token is refused from this time on (epoch ms). */
    token_expires_at: number | null;
    /** The person's name as the IdP (or an admin) gives it; null until known. */
    display_name: string | null;
    /** An e-mail address set by an admin (matched against the IdP's verified e-mail) or taken from the IdP. */
    email: string | null;
    /** The OpenID identity this principal signs in as (issuer and subject), or null. */
    oidc_issuer: string | null;
    oidc_subject: string | null;
  };
  tasks: {
    id: string;
    requester: string;
    on_behalf_of: string | null;
    description: string;
    required_capabilities: string;
    payload: string;
    /** The payload as proposed at creation (null on rows from before it was kept: then `payload`). */
    proposed_payload: string | null;
    approved_payload: string | null;
    approved_digest: string | null;
    hitl: string;
    /** The client's autonomy settings that apply during the run (JSON). */
    client: string | null;
    policy: string;
    risk: string;
    ai_proposal: string;
    status: TaskStatus;
    execution_id: string | null;
    executor: string | null;
    result: string | null;
    error: string | null;
    created_at: number;
    updated_at: number;
    /** Ledger index of the task's creation: a unique, monotonic order for stable pagination. */
    created_seq: number;
    lease_id: string | null;
    lease_expires_at: number | null;
    attempt: number;
    last_confidence: number | null;
    overridden_by: string | null;
    /** The resource a routing decision assigned; only it may execute. */
    assigned_to: string | null;
    /** Digest of `payload` as it stands; approvals for another digest do not count (null: rows from before). */
    payload_digest: string | null;
    /** Required capabilities, sorted and space-joined; null when none (see `capabilityKey`). */
    cap_key: string | null;
    /** Unattended runs with a periodic `auditFrequency` (0016); null otherwise. */
    audit_frequency: string | null;
    /** The periodic audit review covering this run, once one opened (0016). */
    audit_review_id: string | null;
    /** The `text_payload_mismatch` warnings (JSON) computed for the payload of `warnings_digest` (0022). */
    warnings: string | null;
    warnings_digest: string | null;
  };
  approvals: {
    id: string;
    task_id: string;
    kind: GateKind;
    step: number;
    approver_role: string;
    required: number;
    status: ApprovalStatus;
    requested_at: number;
    expires_at: number | null;
    escalation_policy: 'auto' | 'reject' | null;
    escalate_to: string | null;
    decided_at: number | null;
    reason: string | null;
    timeout_ms: number | null;
    remind_at: number | null;
    reminded: number;
    /** In-run decision gates: the agent's proposal (JSON). */
    proposal: string | null;
    /** The steps of one in-run decision share a group (the id of its first step); null otherwise. */
    group_id: string | null;
    /** 0026: 1 when the policy rule that made it marks it bulk-approvable (the console may batch it). */
    bulk_approvable: number;
    /** 0026: a decision earlier than this many seconds after the approver first had it is refused; null: none. */
    min_review_seconds: number | null;
    /** Who claimed the gate (looking at it) until `claimed_until`, epoch ms (0025; not a lock). */
    claimed_by: string | null;
    claimed_until: number | null;
    /** The eligible approver a lead assigned it to (0025). */
    assignee: string | null;
    assigned_by: string | null;
    assigned_at: number | null;
    /** A synthetic attention check's planted flaw (JSON, 0025); null on every real gate. */
    attention_check: string | null;
  };
  /** 0026: when each principal first had an approval request in front of them, and on which channel. */
  approval_opens: { approval_id: string; principal_id: string; channel: string; opened_at: number };
  /** 0026: each request notification planned for a person (the hourly prompt cap counts them). */
  approval_prompts: { approval_id: string; principal_id: string; prompted_at: number };
  /** Gate roles, with the gate's status and open time mirrored for the inbox index. */
  approval_roles: { approval_id: string; role: string; status: string; requested_at: number };
  decisions: {
    approval_id: string;
    task_id: string;
    principal_id: string;
    verdict: 'approved' | 'rejected';
    reason: string;
    feedback: string | null;
    edits: string | null;
    payload_digest: string;
    decided_at: number;
    record: string;
    signature: string;
    ledger_index: number;
    /** A delegate's decision: the delegator it was made for (0023). */
    on_behalf_of: string | null;
    /** A delegate's decision: the delegation it rests on (0023). */
    delegation_id: string | null;
  };
  /** Time-boxed delegations of a human's roles to another human (0023; see delegations/). */
  delegations: {
    id: string;
    delegator: string;
    delegate: string;
    roles: string;
    scope: string;
    starts_at: number;
    ends_at: number;
    out_of_office: number;
    message: string | null;
    created_at: number;
    created_by: string;
    created_seq: number;
    updated_seq: number | null;
    started_seq: number | null;
    ended_at: number | null;
    ended_by: string | null;
    ended_seq: number | null;
    end_reason: string | null;
  };
  confidence_reports: {
    task_id: string;
    principal_id: string;
    /** `heartbeat` or `decision` (the creation stage is the task's proposal). */
    stage: string;
    confidence: number;
    reported_at: number;
  };
  feedback: {
    task_id: string;
    principal_id: string;
    agent_id: string;
    capabilities: string;
    quality: string;
    correctness: number | null;
    comments: string | null;
    improvements: string;
    confidence: number | null;
    created_at: number;
  };
  idempotency_keys: {
    principal_id: string;
    key: string;
    request_hash: string;
    status_code: number;
    response: string;
    created_at: number;
  };
  /** `signer`: hex public key of the key in force (migration 0028; null before a start recorded it). */
  ledger_head: { id: number; size: number; signer: string | null };
  ledger_entries: { seq: number; entry: string; leaf_hash: string; task_id: string | null };
  ledger_nodes: { level: number; idx: number; hash: string };
  checkpoints: { size: number; root_hash: string; note: string; created_at: number };
  /** Witness cosignature lines per checkpoint size (migration 0027). */
  ledger_cosignatures: { size: number; witness: string; line: string; cosigned_at: number };
  /** The task-heads map (migration 0017): a task's position, entry count and running hash (hex). */
  task_heads: { task_id: string; pos: number; count: number; acc: string };
  task_head_nodes: { level: number; idx: number; hash: string };
  audit_reviews: {
    id: string;
    frequency: ReviewFrequency;
    period_start: number;
    period_end: number;
    status: 'open' | 'completed';
    task_count: number;
    status_counts: string;
    sample: string;
    opened_at: number;
    opened_seq: number;
    completed_at: number | null;
    completed_by: string | null;
    outcome: 'no_issues' | 'issues_found' | null;
    findings: string | null;
    flagged: string | null;
    completed_seq: number | null;
  };
  /** Sign-in sessions of humans (0020): only the hash of the session secret is kept. */
  sessions: {
    id: string;
    token_hash: string;
    principal_id: string;
    /** How it was made: `oidc` (the console's code + PKCE sign-in) or `device` (`humanos login`). */
    method: string;
    issuer: string;
    created_at: number;
    /** When the person authenticated at the IdP (the id token's `auth_time`, else the sign-in time). */
    auth_time: number;
    last_seen_at: number;
    idle_expires_at: number;
    expires_at: number;
    revoked_at: number | null;
    user_agent: string | null;
    /** The console sign-in's ID token (0030), for sign-out at the IdP; null once the session ends. */
    id_token: string | null;
  };
  /** Sign-ins in progress (0020): code flow state + PKCE verifier, or a device authorization. */
  oidc_logins: {
    id: string;
    kind: 'code' | 'device';
    /** The PKCE code verifier (code) or the device authorization response as JSON (device). */
    secret: string;
    nonce: string | null;
    return_to: string | null;
    created_at: number;
    expires_at: number;
  };
  /** Standing grants of a human (0018): kind `on_behalf_of` lets an agent name them as `onBehalfOf`. */
  /** A human's WebAuthn credentials (0021); rows stay after revocation. */
  passkeys: {
    credential_id: string;
    principal_id: string;
    name: string;
    /** base64url of the SubjectPublicKeyInfo DER. */
    public_key: string;
    /** COSE algorithm: -7 (ES256) or -8 (EdDSA). */
    algorithm: number;
    rp_id: string;
    /** JSON array of the origins the key was enrolled for. */
    origins: string;
    /** JSON array of the authenticator's transports (hints for the browser). */
    transports: string;
    created_at: number;
    enrolled_seq: number;
    last_used_at: number | null;
    revoked_at: number | null;
    revoked_by: string | null;
    revoked_seq: number | null;
  };
  /** Single-use nonces of enrolments and passkey-signed decisions (0021). */
  passkey_challenges: {
    nonce: string;
    principal_id: string;
    purpose: string;
    approval_id: string | null;
    created_at: number;
    expires_at: number;
  };
  consents: {
    grantor: string;
    grantee: string;
    kind: string;
    /** JSON: what the grant is limited to; null for everything its kind allows. */
    scope: string | null;
    granted_at: number;
    until: number;
    granted_seq: number;
    revoked_at: number | null;
    revoked_by: string | null;
    revoked_seq: number | null;
  };
  webhooks: {
    id: string;
    url: string;
    /** JSON array of event patterns (`*`, `approval.*`, `task.created`). */
    events: string;
    secret: string;
    /** After a rotation, the secret that also signs until `previous_secret_expires_at` (0012). */
    previous_secret: string | null;
    previous_secret_expires_at: number | null;
    active: number;
    created_at: number;
    created_by: string;
  };
  /** The durable outbox of webhooks and notification channels (`delivery/outbox.ts`; `webhook_deliveries` before 0019). */
  deliveries: {
    id: string;
    /** The sink that sends the row: `webhook:…` (a subscription), `channel:plan`, `channel:slack`, `channel:email` (0019: was `webhook_id`). */
    sink: string;
    /** The ledger index of the event; the body is read from `ledger_entries` when sending. */
    seq: number;
    event_type: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    next_attempt_at: number;
    last_status: number | null;
    last_error: string | null;
    created_at: number;
    delivered_at: number | null;
    /** For a sink that fans out (notification channels), the one recipient of this row (0012). */
    target: string | null;
  };
  /** Changes requested of a task's agent and the revisions that answered them (0024; `tasks/revise.ts`). */
  task_versions: {
    task_id: string;
    /** The version changes were requested for (1 = as created). */
    version: number;
    payload_digest: string;
    approval_id: string;
    requested_by: string;
    feedback: string;
    requested_at: number;
    requested_seq: number;
    revised_at: number | null;
    revised_digest: string | null;
    revised_seq: number | null;
    /** JSON array of `PayloadChange` from this version to the revision. */
    diff: string | null;
  };
  /** Comments on a gate (0025, `comments/`). */
  approval_comments: {
    id: string;
    approval_id: string;
    task_id: string;
    author: string;
    /** Markdown, as the author wrote it. */
    body: string;
    /** JSON array of the principal ids it mentioned (each notified). */
    mentions: string;
    digest: string;
    ledger_index: number;
    created_at: number;
  };
  /** Planted attention checks and their outcome (0025, `comments/attention.ts`). */
  attention_checks: {
    id: string;
    task_id: string;
    approval_id: string;
    source_task_id: string | null;
    /** JSON: what was planted (`kind`, `field`, `shown`, `planted`, `message`). */
    flaw: string;
    created_at: number;
    decided_by: string | null;
    verdict: string | null;
    /** 1 when the approver rejected the flawed request, 0 when they approved it. */
    caught: number | null;
    decided_at: number | null;
  };
}
