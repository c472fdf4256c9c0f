/**
 * Readable labels for what the server stores as identifiers: principals (`did:human:wendy`), risk
 * factors (`financial_transaction`), ledger event types (`approval.decided`), statuses and roles.
 */

/**
 * `did:human:wendy` → `wendy`; `did:agent:web-bot` → `web-bot (agent)`; anything else as it is.
 *
 * @example
 * principalLabel('did:agent:deploy-bot') // 'deploy-bot (agent)'
 */
export function principalLabel(did: string | null | undefined): string {
  if (!did) return 'unknown';
  const m = /^did:(human|agent):(.+)$/.exec(did);
  if (!m) return did === 'system' ? 'HumanOS (system)' : did;
  return m[1] === 'agent' ? `${m[2]} (agent)` : (m[2] as string);
}

/** `financial_transaction` → `Financial transaction`. */
export function humanize(id: string): string {
  const words = id.replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const EVENTS: Record<string, string> = {
  'principal.created': 'Principal created',
  'task.created': 'Task proposed',
  'approval.requested': 'Approval requested',
  'approval.decided': 'Decision recorded',
  'approval.expired': 'Approval request expired',
  'approval.escalated': 'Escalated',
  'approval.reminder': 'Reminder sent',
  'approval.cancelled': 'Approval request cancelled',
  'task.execution_started': 'Execution started',
  'task.lease_expired': 'Executor lease expired',
  'task.paused': 'Paused for review',
  'task.resumed': 'Resumed',
  'task.overridden': 'Taken over by a human',
  'task.feedback': 'Feedback given',
  'task.decision_auto_approved': 'In-run decision auto-approved',
  'principal.capabilities': 'Capabilities registered',
  'principal.roles_changed': 'Roles changed',
  'principal.identity_changed': 'Sign-in identity changed',
  'principal.token_rotated': 'Token rotated',
  'principal.disabled': 'Principal disabled',
  'principal.enabled': 'Principal enabled',
  'task.completed': 'Completed',
  'task.failed': 'Failed',
  'task.cancelled': 'Withdrawn by the requester',
  'webhook.created': 'Webhook created',
  'webhook.removed': 'Webhook removed',
};

/** `approval.decided` → `Decision recorded`. */
export function eventLabel(type: string): string {
  return EVENTS[type] ?? humanize(type);
}

const STATUS: Record<string, string> = {
  awaiting_approval: 'Awaiting approval',
  pending: 'Pending',
  waiting: 'Waiting for an earlier step',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
  escalated: 'Escalated',
  executing: 'Executing',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  overridden: 'Overridden',
};

export function statusLabel(s: string): string {
  return STATUS[s] ?? humanize(s);
}

const AUTONOMY: Record<string, string> = {
  all_decisions: 'A human approves every decision',
  before_execution: 'A human approves before execution',
  critical_only: 'Only critical actions need a human',
  confidence: 'Only low-confidence decisions need a human',
};

export function autonomyLabel(level: string): string {
  return AUTONOMY[level] ?? humanize(level);
}

/** `0.4213` → `42 %`; null → `n/a`. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : `${Math.round(x * 100)} %`;
}

/** A local date and time, or `—`. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** `3m ago`, `2h ago`, `4d ago` relative to `nowMs`. */
export function age(iso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** Time left until `iso`: `1h 04m`, `59s`, `expired`; `no deadline` without one. */
export function timeLeft(iso: string | null, nowMs: number): string {
  if (!iso) return 'no deadline';
  const ms = Date.parse(iso) - nowMs;
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
