import { age, humanize } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { AgentText, invisibleCharacters } from '../lib/text.js';
import type { InboxItem, TaskDetail } from '../lib/types.js';
import { Countdown, Principal, Risk } from './common.js';
import { amountOf } from './inboxFilter.js';

/**
 * Who else is involved: the delegator a delegate sees it for ("on behalf of"), a colleague's live
 * claim ("looking at it") and a lead's assignment.
 */
function Who({ item: r, now }: { item: InboxItem; now: number }) {
  const claimed = r.claimedBy && r.claimedUntil && Date.parse(r.claimedUntil) > now ? r.claimedBy : null;
  return (
    <>
      {r.onBehalfOf ? (
        <span class="behalf" data-on-behalf-of={r.onBehalfOf.delegator}>
          {' '}
          · on behalf of <Principal id={r.onBehalfOf.delegator} />
        </span>
      ) : null}
      {claimed ? (
        <span data-claimed-by={claimed}>
          {' '}
          · <Principal id={claimed} /> is looking at it
        </span>
      ) : null}
      {r.assignee ? (
        <span data-assignee={r.assignee}>
          {' '}
          · assigned to <Principal id={r.assignee} />
        </span>
      ) : null}
    </>
  );
}

/** One dense inbox row: what, who asked, amount, risk, quorum progress, deadline, age. */
export function InboxRow(p: {
  item: InboxItem;
  index: number;
  task: TaskDetail | undefined;
  active: boolean;
  selected: boolean;
  /** Why it cannot be approved in bulk; null: it can (a checkbox selects it). */
  bulkWhy: string | null;
  onToggle: () => void;
  onFocus: () => void;
  now: number;
}) {
  const { item: r, task } = p;
  const amount = amountOf(task);
  // The list carries warnings for the description and proposal; the payload's are found here.
  const flagged = (r.textWarnings?.length ?? 0) > 0 || invisibleCharacters(task?.payload ?? {}).length > 0;
  return (
    <tr data-row={p.index} data-approval={r.id} class={p.active ? 'active' : undefined}>
      <td>
        {p.bulkWhy === null ? (
          <input
            type="checkbox"
            checked={p.selected}
            onChange={p.onToggle}
            aria-label={`Select for bulk approval: ${r.task.description}`}
          />
        ) : null}
      </td>
      <td class="desc">
        <Link href={`/approvals/${encodeURIComponent(r.id)}`} class="open" onFocus={p.onFocus}>
          <AgentText text={r.task.description} />
        </Link>
        <div class="sub">
          {humanize(r.kind)} · {r.eligibleRoles?.join(' or ') ?? r.approverRole}
          {flagged ? <span class="flag"> · hidden characters</span> : null}
          {(r.warnings?.length ?? 0) > 0 ? (
            <span class="flag">
              {' '}
              · {r.warnings?.length} warning{r.warnings?.length === 1 ? '' : 's'}
            </span>
          ) : null}
          <Who item={r} now={p.now} />
          {p.bulkWhy !== null ? <span class="bulk-why"> · no bulk approval: {p.bulkWhy}</span> : null}
        </div>
      </td>
      <td>{task ? <Principal id={task.onBehalfOf ?? task.requester} /> : '…'}</td>
      <td class="num">{amount ?? '—'}</td>
      <td>
        <Risk level={r.riskAssessment.level} />
      </td>
      <td>
        <span class="quorum">
          {r.approvals} of {r.required}
        </span>
      </td>
      <td>
        <Countdown expiresAt={r.expiresAt} />
      </td>
      <td class="muted">{age(r.requestedAt, p.now)}</td>
    </tr>
  );
}
