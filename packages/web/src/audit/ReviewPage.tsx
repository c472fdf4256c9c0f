/**
 * `/audit/reviews/{id}`: one periodic audit review — its period, the runs it covers by status, the
 * sample with why each run is in it, every covered run, the ledger entries that opened and completed
 * it (each checkable here), and for an open review the completion form.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { statusLabel, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { revealInvisible } from '../lib/text.js';
import type { AuditReview, Me } from '../lib/types.js';
import { ErrorBox, Principal, Status } from '../views/common.js';
import { checkEntry, type EntryCheck, type EntryRow, publishedKey } from './checks.js';
import { CompleteForm, type Completion } from './ReviewForm.js';
import { AllRuns, type Flags, Sample } from './ReviewRuns.js';
import {
  frequencyLabel,
  getReview,
  ledgerHref,
  loadOpenReviews,
  outcomeLabel,
  periodLabel,
  timelineHref,
} from './reviewData.js';

/**
 * A ledger entry of this review: a link into the explorer and a check, in this browser, of its
 * inclusion under a checkpoint signed by the published key and that it is this review's entry.
 */
function LedgerRef({ index, type, reviewId }: { index: number; type: string; reviewId: string }) {
  const [check, setCheck] = useState<EntryCheck | null>(null);
  const verify = async () => {
    try {
      const key = await publishedKey();
      const r = await api<{ entries: EntryRow[] }>('GET', `/ledger/entries${qs({ start: index, end: index + 1 })}`);
      const row = r.entries[0];
      if (!row) return setCheck({ ok: false, lines: [`no entry #${index}`] });
      const e = JSON.parse(row.entry) as { type?: string; data?: { reviewId?: string } };
      if (e.type !== type || e.data?.reviewId !== reviewId)
        return setCheck({ ok: false, lines: [`entry #${index} is not the ${type} of this review`] });
      setCheck(await checkEntry(row, key));
    } catch (x) {
      setCheck({ ok: false, lines: [(x as Error).message] });
    }
  };
  return (
    <>
      <Link href={ledgerHref(index)}>ledger #{index}</Link>{' '}
      <button type="button" class="small" onClick={() => void verify()}>
        Verify<span class="visually-hidden"> ledger entry #{index}</span>
      </button>
      {check ? (
        <span class={`block small ${check.ok ? 'ok' : 'error'}`} data-check={check.ok ? 'ok' : 'failed'}>
          {check.ok ? 'Verified: ' : 'FAILED: '}
          {check.lines.join('; ')}
        </span>
      ) : null}
    </>
  );
}

function Glance({ r }: { r: AuditReview }) {
  const facts: [string, preact.ComponentChildren][] = [
    ['Period (UTC)', <span key="p" title={`${r.periodStart} to ${r.periodEnd}`}>{`${periodLabel(r)}`}</span>],
    ['Frequency', frequencyLabel(r.frequency)],
    ['Status', <Status status={r.status} key="s" />],
    ['Runs covered', r.taskCount],
    ['Auditor role', r.auditorRole],
    ['Opened', when(r.openedAt)],
  ];
  return (
    <dl class="glance" id="review-glance">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Counts({ r }: { r: AuditReview }) {
  const counts = Object.entries(r.statusCounts).sort((a, b) => b[1] - a[1]);
  return (
    <section class="card" aria-labelledby="counts-title">
      <h2 id="counts-title" class="h3">
        Runs by status
      </h2>
      <dl class="glance" id="review-counts">
        {counts.map(([status, n]) => (
          <div key={status} data-status={status}>
            <dt>{statusLabel(status)}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      <p class="small muted">
        Counted when the runs joined the review. Opened by the server at {when(r.openedAt)}:{' '}
        <LedgerRef index={r.ledgerIndex} type="audit.review_opened" reviewId={r.id} />
      </p>
    </section>
  );
}

function Result({ r, names }: { r: AuditReview; names: ReadonlyMap<string, string> }) {
  return (
    <section class="card" aria-labelledby="result-title" id="review-result">
      <h2 id="result-title" class="h3">
        Completed
      </h2>
      <dl class="facts">
        <dt>Outcome</dt>
        <dd id="result-outcome" data-outcome={r.outcome}>
          {outcomeLabel(r.outcome)}
        </dd>
        <dt>Completed by</dt>
        <dd id="result-by">
          <Principal id={r.completedBy} /> at {when(r.completedAt)}
        </dd>
        <dt>Signed entry</dt>
        <dd id="result-ledger" data-index={r.completedLedgerIndex ?? undefined}>
          {r.completedLedgerIndex === null ? (
            '—'
          ) : (
            <LedgerRef index={r.completedLedgerIndex} type="audit.review_completed" reviewId={r.id} />
          )}
        </dd>
        <dt>Findings</dt>
        <dd id="result-findings" class="pre">
          {revealInvisible(r.findings ?? '')}
        </dd>
        <dt>Flagged runs</dt>
        <dd>
          {r.flaggedTaskIds.length ? (
            <ul id="result-flagged" class="targets">
              {r.flaggedTaskIds.map((id) => (
                <li key={id} data-task={id}>
                  <Link href={timelineHref(id)}>{revealInvisible(names.get(id) ?? id)}</Link>
                </li>
              ))}
            </ul>
          ) : (
            'None'
          )}
        </dd>
      </dl>
    </section>
  );
}

/** What happened to this auditor's completion: signed, or someone else's came first. */
function Notice({ notice, r }: { notice: Completion; r: AuditReview }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [notice]);
  if ('done' in notice)
    return (
      <div class="status ok" role="status" tabIndex={-1} ref={ref} id="review-notice" data-kind="done">
        Review completed and signed into the ledger at #{notice.done.completedLedgerIndex}.
      </div>
    );
  return (
    <div class="status error" role="alert" tabIndex={-1} ref={ref} id="review-notice" data-kind="conflict">
      <p>
        Not recorded: this review was already completed
        {r.completedBy ? (
          <>
            {' '}
            by <Principal id={r.completedBy} /> at {when(r.completedAt)}
          </>
        ) : null}
        . Their result is shown below; your findings were not signed.
      </p>
      <details>
        <summary>Your unsent findings</summary>
        <p class="pre">{notice.conflict}</p>
      </details>
    </div>
  );
}

export function ReviewPage({ id, me }: { id: string; me: Me }) {
  const d = useLoad(() => getReview(id), [id]);
  const [picked, setPicked] = useState<ReadonlyMap<string, string>>(new Map());
  const [notice, setNotice] = useState<Completion | null>(null);
  useEffect(() => {
    setPicked(new Map());
    setNotice(null);
  }, [id]);
  if (d.error && !d.data) return <ErrorBox error={d.error} what="The audit review" />;
  if (!d.data) return <p>Loading…</p>;
  const r = d.data;
  const open = r.status === 'open';
  const toggle = (taskId: string, description: string) =>
    setPicked((old) => {
      const next = new Map(old);
      if (next.has(taskId)) next.delete(taskId);
      else next.set(taskId, description);
      return next;
    });
  const flags: Flags = open ? { picked, toggle } : { picked: new Map(r.flaggedTaskIds.map((x) => [x, x])) };
  const names = new Map([...r.sample.map((t) => [t.taskId, t.description] as const), ...picked]);
  const finish = async (c: Completion) => {
    await d.reload();
    setNotice(c);
    void loadOpenReviews();
  };
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/audit/reviews">Reviews</Link> › <span>{periodLabel(r)}</span>
      </nav>
      <h2 id="review-title">
        {frequencyLabel(r.frequency)} review of {periodLabel(r)}
      </h2>
      <Glance r={r} />
      {notice ? <Notice notice={notice} r={r} /> : null}
      {d.error ? <ErrorBox error={d.error} what="The audit review" /> : null}
      {open ? null : <Result r={r} names={names} />}
      <div class={open ? 'review-grid' : 'review-grid single'}>
        <div class="content">
          <Sample r={r} flags={flags} />
          <Counts r={r} />
        </div>
        {open ? (
          <div class="side">
            <CompleteForm r={r} me={me} flags={{ picked, toggle }} onDone={(c) => void finish(c)} />
          </div>
        ) : null}
      </div>
      <AllRuns r={r} flags={flags} />
    </>
  );
}
