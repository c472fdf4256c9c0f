/**
 * Approver habits in the audit view (`GET /audit/approvers`, the last 30 days): per approver and per
 * role the approval rate, median time to decide, share of decisions under 5 s, edits, rejections and
 * how many decisions were made unopened or timed. An approver who decides most requests in seconds,
 * or approves everything over a real sample, is marked "possible rubber-stamping" (issue 26).
 */
import type { ApproverStats, ApproverMetrics as Report, RoleReviewStats } from '@human/sdk';
import type { ComponentChildren } from 'preact';
import { api } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { pct } from '../lib/labels.js';
import { ErrorBox, Principal } from '../views/common.js';

/** Below this many decisions a 100 % approval rate says little (a handful of good requests). */
const MIN_DECISIONS = 10;

/**
 * Why an approver's row is highlighted, or null: more than half of the timed decisions under the
 * fast threshold, or every one of at least 10 decisions approved.
 *
 * @example
 * rubberStampReason({ fastShare: 0.8, approvalRate: 0.5, decisions: 4 }, 5) // 'most decisions under 5 s'
 */
export function rubberStampReason(
  s: Pick<ApproverStats, 'fastShare' | 'approvalRate' | 'decisions'>,
  fastSeconds: number,
): string | null {
  if (s.fastShare !== null && s.fastShare > 0.5) return `most decisions under ${fastSeconds} s`;
  if (s.approvalRate === 1 && s.decisions >= MIN_DECISIONS) return `approved all ${s.decisions}`;
  return null;
}

/** `12.34` → `12.3 s`; null (nothing timed) → `n/a`. */
const seconds = (x: number | null): string => (x === null ? 'n/a' : `${Math.round(x * 10) / 10} s`);

function StatCells({ s }: { s: ApproverStats | RoleReviewStats }) {
  return (
    <>
      <td data-decisions>{s.decisions}</td>
      <td data-approval-rate>{pct(s.approvalRate)}</td>
      <td data-median>{seconds(s.medianSecondsToDecide)}</td>
      <td data-fast>{pct(s.fastShare)}</td>
      <td data-edited>{s.edited}</td>
      <td data-rejected>{s.rejected}</td>
      <td data-unopened>{s.unopened}</td>
      <td data-timed>{s.timed}</td>
    </>
  );
}

/** The column headings after the first (approver or role), in the order of `StatCells`. */
const statColumns = (fastSeconds: number): string[] => [
  'Decisions',
  'Approval rate',
  'Median time to decide',
  `Under ${fastSeconds} s`,
  'Edited',
  'Rejected',
  'Unopened',
  'Timed',
];

/** One table of figures: a caption, the first column's heading (approver or role), the rows. */
function StatTable({
  caption,
  first,
  fastSeconds,
  children,
}: {
  caption: string;
  first: string;
  fastSeconds: number;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class="habits">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {[first, ...statColumns(fastSeconds)].map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function ApproverMetrics() {
  const r = useLoad(() => api<Report>('GET', '/audit/approvers'), []);
  const data = r.data;
  return (
    <section class="card" aria-labelledby="habits-title" id="approver-habits">
      <h2 id="habits-title" class="h3">
        Approver habits
      </h2>
      {r.error ? <ErrorBox error={r.error} what="The approver metrics" /> : null}
      <p class="muted">
        Decisions from {data ? new Date(data.since).toLocaleDateString() : '…'} to{' '}
        {data ? new Date(data.until).toLocaleDateString() : '…'}. Time to decide counts from when the approver first had
        the request (opened it, or its message was delivered); decisions made without that are "unopened" and count as 0
        s. A row is marked <strong>possible rubber-stamping</strong> when more than half of the timed decisions took
        under {data?.fastSeconds ?? 5} s, or every one of at least {MIN_DECISIONS} decisions was an approval.
      </p>
      {data?.truncated ? (
        <p class="status warning">More than 100 000 decisions: only the newest were counted.</p>
      ) : null}
      {data && data.approvers.length > 0 ? (
        <StatTable caption="Per approver" first="Approver" fastSeconds={data.fastSeconds}>
          {data.approvers.map((a) => {
            const why = rubberStampReason(a, data.fastSeconds);
            return (
              <tr key={a.principal} data-approver={a.principal} class={why ? 'flagged' : undefined}>
                <th scope="row">
                  <Principal id={a.principal} />
                  {why ? (
                    <span class="flag" data-flag>
                      {' '}
                      Possible rubber-stamping: {why}
                    </span>
                  ) : null}
                </th>
                <StatCells s={a} />
              </tr>
            );
          })}
        </StatTable>
      ) : data ? (
        <p class="muted">No decision in this window.</p>
      ) : null}
      {data && data.roles.length > 0 ? (
        <StatTable caption="Per role" first="Role" fastSeconds={data.fastSeconds}>
          {data.roles.map((s) => (
            <tr key={s.role} data-role={s.role}>
              <th scope="row">{s.role}</th>
              <StatCells s={s} />
            </tr>
          ))}
        </StatTable>
      ) : null}
    </section>
  );
}
