import { humanize, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { AgentText } from '../lib/text.js';
import type { ApprovalDetail, Me, TaskDetail } from '../lib/types.js';
import { Countdown, Principal, Risk, Status } from '../views/common.js';

/** Title, at-a-glance facts and the hidden-character warning of an approval request. */
export function DetailHeader({
  a,
  task,
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
      <h1 class="request-title" id="request-title">
        <AgentText text={a.task.description} />
      </h1>
      <Glance a={a} task={task} />
      {a.textWarnings.length ? (
        <p class="warning card" role="note" data-testid="invisible-warning" id="invisible-warning">
          Hidden characters: the agent's text contains invisible or direction-changing characters, shown as ⟦U+…⟧ (in{' '}
          {a.textWarnings.map((w) => w.path).join(', ')}). Read those values carefully.
        </p>
      ) : null}
    </>
  );
}

function escalation(a: ApprovalDetail): string {
  if (!a.expiresAt) return 'it waits (no deadline)';
  if (a.escalationPolicy === 'auto' && a.escalateTo) return `escalates to ${humanize(a.escalateTo)}`;
  return 'it expires and the task never runs';
}

/** The request at a glance: status, risk, who asked, quorum progress, deadline, policy, task. */
function Glance({ a, task }: { a: ApprovalDetail; task: TaskDetail | null }) {
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
      <div>
        <dt>Deadline</dt>
        <dd>
          <Countdown expiresAt={a.expiresAt} />
        </dd>
      </div>
      <div>
        <dt>If nobody decides</dt>
        <dd>{escalation(a)}</dd>
      </div>
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
