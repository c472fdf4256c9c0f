/** Who already decided and who can still approve, for quorums and for every step of a chain. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { humanize, statusLabel, when } from '../lib/labels.js';
import type { ApprovalDetail, ChainStep, Me, PrincipalView, TaskDetail } from '../lib/types.js';
import { Principal } from '../views/common.js';

/** ` (Ann Approver)`: the display name (from the IdP) of a principal the admin's list knows, else nothing. */
function nameOf(people: PrincipalView[] | null, id: string): string {
  const name = people?.find((p) => p.id === id)?.displayName;
  return name ? ` (${name})` : '';
}

function StepView({
  c,
  a,
  task,
  people,
}: {
  c: ChainStep;
  a: ApprovalDetail;
  task: TaskDetail | null;
  people: PrincipalView[] | null;
}) {
  const counted = c.decisions.filter((d) => d.verdict === 'approved' && !d.stale);
  const roles = c.id === a.id ? a.eligibleRoles : c.approverRole.split(', ');
  const decided = new Set(a.chain.flatMap((x) => x.decisions.filter((d) => !d.stale).map((d) => d.principal)));
  const excluded = new Set([task?.requester, task?.onBehalfOf, ...decided].filter(Boolean) as string[]);
  const still = Math.max(0, c.required - counted.length);
  const candidates = people?.filter(
    (p) => !p.disabledAt && p.kind === 'human' && p.roles.some((r) => roles.includes(r)) && !excluded.has(p.id),
  );
  return (
    <li aria-current={c.id === a.id ? 'step' : undefined} data-step={c.step} data-status={c.status}>
      <p>
        <strong>
          {a.chain.length > 1 ? `Step ${c.step + 1}: ` : ''}
          {roles.map(humanize).join(' or ')}
        </strong>{' '}
        — {statusLabel(c.status)}
        {c.reason ? <span class="muted"> ({c.reason})</span> : null} ·{' '}
        <span class="quorum">
          {counted.length} of {c.required} approval{c.required === 1 ? '' : 's'}
        </span>
      </p>
      {c.decisions.length ? (
        <ul class="decisions">
          {c.decisions.map((d) => (
            <li key={d.ledgerIndex}>
              <Principal id={d.principal} />
              {nameOf(people, d.principal)} {d.verdict} {d.reason ? <>— “{d.reason}”</> : null}{' '}
              <span class="muted small">
                ({when(d.decidedAt)}, ledger #{d.ledgerIndex})
              </span>
              {d.stale ? (
                <strong class="stale"> — for an earlier version of the payload; no longer counts</strong>
              ) : null}
            </li>
          ))}
        </ul>
      ) : c.status === 'pending' || c.status === 'waiting' ? null : (
        <p class="muted small">No decisions recorded on this step.</p>
      )}
      {c.status === 'pending' || c.status === 'waiting' ? (
        <p class="small still">
          Still needed: {still} more approval{still === 1 ? '' : 's'} from {roles.map(humanize).join(' or ')}
          {candidates ? (
            candidates.length ? (
              <>: any of {candidates.map((x) => x.displayName ?? x.id.replace(/^did:human:/, '')).join(', ')}</>
            ) : (
              ': nobody else holds the role'
            )
          ) : null}
          . Not eligible: the requester, the human it acts for, and anyone whose decision on this task still stands.
        </p>
      ) : null}
    </li>
  );
}

export function Approvers({ a, task, me }: { a: ApprovalDetail; task: TaskDetail | null; me: Me }) {
  const [people, setPeople] = useState<PrincipalView[] | null>(null);
  useEffect(() => {
    if (me.roles.includes('admin'))
      api<{ items: PrincipalView[] }>('GET', '/principals').then(
        (r) => setPeople(r.items),
        () => setPeople(null),
      );
  }, [a.id]);
  const steps = a.chain.length ? a.chain : [];
  return (
    <section aria-labelledby="approvers-title" class="card">
      <h2 id="approvers-title" class="h3">
        {steps.length > 1 ? 'Approval chain' : a.required > 1 ? 'Quorum' : 'Approvers'}
      </h2>
      <ol class="chain" id="chain">
        {steps.map((c) => (
          <StepView key={c.id} c={c} a={a} task={task} people={people} />
        ))}
      </ol>
    </section>
  );
}
