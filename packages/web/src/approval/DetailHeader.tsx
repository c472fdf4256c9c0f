import { humanize, principalLabel, statusLabel, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { AgentText } from '../lib/text.js';
import type { ApprovalDetail, Me, TaskDetail } from '../lib/types.js';
import { Countdown, Principal, Risk, Status } from '../views/common.js';

/** Title, at-a-glance facts and the hidden-character warning of an approval request. */
export function DetailHeader({
  a,
  task,
  me,
  onStep,
}: {
  a: ApprovalDetail;
  task: TaskDetail | null;
  me: Me;
  onStep: (d: number) => void;
}) {
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/inbox">Inbox</Link> › <span>Request</span>
        <span class="pager">
          <button type="button" class="small" onClick={() => onStep(-1)} aria-keyshortcuts="k">
            Previous
          </button>
          <button type="button" class="small" onClick={() => onStep(1)} aria-keyshortcuts="j">
            Next
          </button>
        </span>
      </nav>
      <p class="eyebrow muted small" id="request-eyebrow">
        The agent asks:
      </p>
      <h1 class="request-title" id="request-title" aria-describedby="request-eyebrow">
        <AgentText text={a.task.description} />
      </h1>
      <Glance a={a} task={task} me={me} />
      {a.textWarnings.length ? (
        <p class="warning card" role="note" data-testid="invisible-warning" id="invisible-warning">
          Hidden characters: the agent's text contains invisible or direction-changing characters, shown as ⟦U+…⟧ (in{' '}
          {a.textWarnings.map((w) => w.path).join(', ')}). Read those values carefully.
        </p>
      ) : null}
    </>
  );
}

const UNDECIDED = new Set(['pending', 'waiting']);

/** "Approved by wendy (and olga) at …": the decisions that count, by verdict. */
function decidedBy(a: ApprovalDetail, verdict: 'approved' | 'rejected'): string {
  const ds = a.decisions.filter((d) => d.verdict === verdict && !d.stale);
  const last = ds[ds.length - 1];
  if (!last) return verdict === 'approved' ? 'Approved' : 'Rejected';
  const who = ds.map((d) => principalLabel(d.principal)).join(' and ');
  const why = verdict === 'rejected' && last.reason ? ` — “${last.reason}”` : '';
  return `${verdict === 'approved' ? 'Approved' : 'Rejected'} by ${who} at ${when(last.decidedAt)}${why}`;
}

/** What became of a decided request, in place of its countdown (nothing counts down once decided). */
function outcomeText(a: ApprovalDetail, task: TaskDetail | null): string {
  const run = task && a.kind !== 'decision' ? `; the task is ${statusLabel(task.status).toLowerCase()}` : '';
  if (a.status === 'approved') return `${decidedBy(a, 'approved')}${run}.`;
  if (a.status === 'rejected') return `${decidedBy(a, 'rejected')}.`;
  if (a.status === 'expired') return `Expired at ${when(a.decidedAt ?? a.expiresAt)}, undecided${run}.`;
  if (a.status === 'escalated') return `Escalated${a.escalateTo ? ` to ${humanize(a.escalateTo)}` : ''}.`;
  return `${statusLabel(a.status)}${a.decidedAt ? ` at ${when(a.decidedAt)}` : ''}${run}.`;
}

/**
 * An undecided request: its deadline and what happens if nobody decides (with your own approval, what
 * it still waits for). A decided one: the outcome, never a countdown.
 */
function DeadlineOrOutcome({ a, task, me }: { a: ApprovalDetail; task: TaskDetail | null; me: Me }) {
  if (!UNDECIDED.has(a.status))
    return (
      <div class="outcome-fact">
        <dt>Outcome</dt>
        <dd id="gate-outcome">{outcomeText(a, task)}</dd>
      </div>
    );
  const mine = a.decisions.filter((d) => d.principal === me.id && !d.stale).pop();
  return (
    <>
      <div>
        <dt>Deadline</dt>
        <dd id="gate-deadline">
          {mine ? `You ${mine.verdict} at ${when(mine.decidedAt)}; ${a.required - a.approvals} more needed, ` : null}
          <Countdown expiresAt={a.expiresAt} />
        </dd>
      </div>
      <div>
        <dt>If nobody decides</dt>
        <dd>{escalation(a)}</dd>
      </div>
    </>
  );
}

function escalation(a: ApprovalDetail): string {
  if (!a.expiresAt) return 'it waits (no deadline)';
  if (a.escalationPolicy === 'auto' && a.escalateTo) return `escalates to ${humanize(a.escalateTo)}`;
  return 'it expires and the task never runs';
}

/** The request at a glance: status, risk, who asked, quorum progress, deadline, policy, task. */
function Glance({ a, task, me }: { a: ApprovalDetail; task: TaskDetail | null; me: Me }) {
  return (
    <dl class="glance">
      <div>
        <dt>Status</dt>
        <dd id="gate-status">
          <Status status={a.status} />
        </dd>
      </div>
      <div>
        <dt>Risk</dt>
        <dd>
          <Risk level={a.riskAssessment.level} />
        </dd>
      </div>
      <div>
        <dt>Requested by</dt>
        <dd>
          <Principal id={a.task.requester} />
          {a.task.onBehalfOf ? (
            <>
              {' '}
              for <Principal id={a.task.onBehalfOf} />
            </>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>Approvals</dt>
        <dd class="quorum" id="quorum">
          {a.approvals} of {a.required}
        </dd>
      </div>
      <DeadlineOrOutcome a={a} task={task} me={me} />
      <div>
        <dt>Required by</dt>
        <dd>{a.task.policy ? `${a.task.policy.id} v${a.task.policy.version}: ${a.task.policy.reason}` : '—'}</dd>
      </div>
      <div>
        <dt>Task</dt>
        <dd>
          <Link href={`/tasks/${encodeURIComponent(a.taskId)}`}>{task ? humanize(task.status) : 'open'}</Link>{' '}
          <span class="muted small">requested {when(a.requestedAt)}</span>
        </dd>
      </div>
    </dl>
  );
}
