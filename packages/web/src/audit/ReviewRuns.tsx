/**
 * The runs of an audit review: the sample (with why each run is in it) and every covered run, a page
 * at a time; each links to its timeline from the ledger and, while the review is open, has a check
 * box to flag it in the completion.
 */
import { useEffect, useState } from 'preact/hooks';
import { principalLabel, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { AgentText } from '../lib/text.js';
import type { AuditReview, ReviewedTask, SampledTask } from '../lib/types.js';
import { ErrorBox, Risk, Status } from '../views/common.js';
import { MAX_FLAGGED, reasonLabel, reviewRuns, timelineHref } from './reviewData.js';

const RUN_PAGE = 25;

/** The flagged runs (id → description); `toggle` is absent once the review is completed. */
export interface Flags {
  picked: ReadonlyMap<string, string>;
  toggle?: (taskId: string, description: string) => void;
}

function FlagCell({ t, flags, id, n }: { t: ReviewedTask; flags: Flags; id: string; n: number }) {
  const on = flags.picked.has(t.taskId);
  if (!flags.toggle) return <td>{on ? <span class="badge flagged">Flagged</span> : null}</td>;
  const toggle = flags.toggle;
  return (
    <td>
      <input
        type="checkbox"
        id={id}
        data-flag={t.taskId}
        checked={on}
        disabled={!on && flags.picked.size >= MAX_FLAGGED}
        onChange={() => toggle(t.taskId, t.description)}
      />
      <label for={id} class="visually-hidden">
        Flag run {n}: {t.description}
      </label>
    </td>
  );
}

function RunTable({
  rows,
  prefix,
  caption,
  flags,
}: {
  rows: (ReviewedTask & { reason?: SampledTask['reason'] })[];
  prefix: string;
  caption: string;
  flags: Flags;
}) {
  const sampled = prefix === 'sample';
  return (
    <div class="table-wrap">
      <table class="list runs" id={`${prefix}-runs`}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            <th scope="col">Run</th>
            {sampled ? <th scope="col">Why sampled</th> : null}
            <th scope="col">Status</th>
            <th scope="col">Risk</th>
            <th scope="col">Requested by</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t, i) => (
            <tr key={t.taskId} data-task={t.taskId} class={flags.picked.has(t.taskId) ? 'flagged' : undefined}>
              <FlagCell t={t} flags={flags} id={`flag-${prefix}-${i}`} n={i + 1} />
              <td class="desc">
                <Link href={timelineHref(t.taskId)} class="open">
                  <AgentText text={t.description} />
                </Link>
                <span class="sub block mono" title="Opens the run's timeline from the ledger">
                  {t.taskId}
                </span>
              </td>
              {sampled ? <td data-reason={t.reason}>{t.reason ? reasonLabel(t.reason) : '—'}</td> : null}
              <td>
                <Status status={t.status} />
              </td>
              <td>{t.riskLevel ? <Risk level={t.riskLevel} /> : <span class="muted">—</span>}</td>
              <td title={t.requester}>{principalLabel(t.requester)}</td>
              <td class="small">{when(t.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Sample({ r, flags }: { r: AuditReview; flags: Flags }) {
  return (
    <section class="card" aria-labelledby="sample-title">
      <h2 id="sample-title" class="h3">
        Sample to inspect ({r.sample.length} of {r.taskCount})
      </h2>
      <p class="small muted">
        Every failed run, then every high- or critical-risk run, then runs drawn at random (the same draw on every
        replay), up to 10. Each run opens its timeline from the ledger.
      </p>
      {r.sample.length ? (
        <RunTable rows={r.sample} prefix="sample" caption="Sampled runs and why each is in the sample" flags={flags} />
      ) : (
        <p class="empty">No runs to sample.</p>
      )}
    </section>
  );
}

/** Every run the review covers, oldest first, a page at a time. */
export function AllRuns({ r, flags }: { r: AuditReview; flags: Flags }) {
  const [rows, setRows] = useState<ReviewedTask[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);
  const load = async (after: string | null) => {
    setLoading(true);
    try {
      const page = await reviewRuns(r.id, after, RUN_PAGE);
      setRows((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e as Error);
    }
    setLoading(false);
  };
  useEffect(() => {
    void load(null);
  }, [r.id, r.taskCount]);
  return (
    <section class="card" aria-labelledby="all-runs-title">
      <h2 id="all-runs-title" class="h3">
        All runs covered ({r.taskCount})
      </h2>
      {error ? <ErrorBox error={error} what="The runs of this review" /> : null}
      <RunTable rows={rows} prefix="all" caption="Every run the review covers, oldest first" flags={flags} />
      <div class="row">
        {cursor ? (
          <button type="button" disabled={loading} onClick={() => void load(cursor)}>
            Load more runs
          </button>
        ) : null}
        <span class="muted small" id="runs-shown">
          {rows.length} of {r.taskCount} runs shown, oldest first
        </span>
      </div>
    </section>
  );
}
