/**
 * `/audit/reviews` (`?status=open|completed&frequency=daily|weekly|monthly`): the periodic reviews of
 * unattended runs, open ones first, each with its period, runs, sample and (once completed) outcome.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { bind } from '../admin/form.js';
import { qs, seg } from '../lib/api.js';
import { when } from '../lib/labels.js';
import { Link, navigate } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import type { AuditReview } from '../lib/types.js';
import { ErrorBox, Principal, Status } from '../views/common.js';
import {
  FREQUENCIES,
  firstPos,
  frequencyLabel,
  type ListPos,
  listReviews,
  outcomeLabel,
  parseFilter,
  periodLabel,
  type ReviewFilter,
} from './reviewData.js';

const PAGE = 25;

function Filters({ f }: { f: ReviewFilter }) {
  const go = (patch: Partial<ReviewFilter>) => navigate(`/audit/reviews${qs({ ...f, ...patch })}`, true);
  return (
    <div class="filters">
      <div class="field">
        <label for="rv-status">Status</label>
        <select id="rv-status" value={f.status} onChange={bind((v) => go({ status: v as ReviewFilter['status'] }))}>
          <option value="">Any (open first)</option>
          <option value="open">Open</option>
          <option value="completed">Completed</option>
        </select>
      </div>
      <div class="field">
        <label for="rv-frequency">Frequency</label>
        <select
          id="rv-frequency"
          value={f.frequency}
          onChange={bind((v) => go({ frequency: v as ReviewFilter['frequency'] }))}
        >
          <option value="">Any</option>
          {FREQUENCIES.map((x) => (
            <option key={x} value={x}>
              {frequencyLabel(x)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function Outcome({ r }: { r: AuditReview }) {
  if (r.status !== 'completed') return <span class="muted">Not yet completed</span>;
  const flagged = r.flaggedTaskIds.length;
  return (
    <>
      {outcomeLabel(r.outcome)} <span class="sub">by</span> <Principal id={r.completedBy} />
      {flagged ? <span class="sub block">{flagged === 1 ? '1 run flagged' : `${flagged} runs flagged`}</span> : null}
    </>
  );
}

function ReviewTable({ rows }: { rows: AuditReview[] }) {
  return (
    <div class="table-wrap">
      <table class="list" id="reviews">
        <caption class="visually-hidden">Audit reviews, open ones first, newest period first</caption>
        <thead>
          <tr>
            <th scope="col">Period (UTC)</th>
            <th scope="col">Frequency</th>
            <th scope="col">Status</th>
            <th scope="col">Runs</th>
            <th scope="col">Sample</th>
            <th scope="col">Outcome</th>
            <th scope="col">Opened</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-review={r.id} data-status={r.status}>
              <td>
                <Link href={`/audit/reviews/${seg(r.id)}`}>{periodLabel(r)}</Link>
              </td>
              <td>{frequencyLabel(r.frequency)}</td>
              <td>
                <Status status={r.status} />
              </td>
              <td class="num">{r.taskCount}</td>
              <td class="num">{r.sample.length}</td>
              <td>
                <Outcome r={r} />
              </td>
              <td class="small">{when(r.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ReviewList({ query }: { query: URLSearchParams }) {
  const s = useStore();
  const f = parseFilter(query);
  const [rows, setRows] = useState<AuditReview[]>([]);
  const [next, setNext] = useState<ListPos | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const load = async (pos: ListPos, append: boolean) => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const page = await listReviews(f, pos, PAGE);
      if (mine !== seq.current) return;
      setRows((old) => (append ? [...old, ...page.items] : page.items));
      setNext(page.next);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(e as Error);
    }
    if (mine === seq.current) setLoading(false);
  };
  useEffect(() => {
    void load(firstPos(f), false);
  }, [f.status, f.frequency, s.tick]);
  return (
    <>
      <p class="lede">
        After each UTC day, week or month, the server opens a review of the unattended runs (
        <code>humanInLoop.enabled: false</code> with an <code>auditFrequency</code>) created in it, with a sample to
        inspect. An auditor completes it with findings; both steps are signed into the ledger.
      </p>
      <Filters f={f} />
      {error ? <ErrorBox error={error} what="The audit reviews" /> : null}
      <ReviewTable rows={rows} />
      {rows.length === 0 && !error && !loading ? (
        <p class="empty">
          No {f.status ? `${f.status} ` : ''}
          {f.frequency ? `${f.frequency} ` : ''}reviews yet.
        </p>
      ) : null}
      <div class="row">
        {next ? (
          <button type="button" disabled={loading} onClick={() => void load(next, true)}>
            Load more
          </button>
        ) : null}
        <span class="muted small" id="reviews-shown">
          {loading ? 'Loading…' : `${rows.length} ${rows.length === 1 ? 'review' : 'reviews'} shown`}
          {next ? '' : rows.length ? ', all of them' : ''}
        </span>
      </div>
    </>
  );
}
