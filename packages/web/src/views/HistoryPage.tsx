/**
 * `/history`: requests of the caller's roles that were decided, expired or cancelled (the server pages
 * by status), each with the task's current state; "decided by me" is marked from the task's gates.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../lib/api.js';
import { useFocusHeading, useTitle } from '../lib/hooks.js';
import { humanize, when } from '../lib/labels.js';
import { Link, navigate } from '../lib/router.js';
import { loadTasks, useStore } from '../lib/store.js';
import { AgentText } from '../lib/text.js';
import type { InboxItem } from '../lib/types.js';
import { ErrorBox, Page, Principal, Risk, Status } from './common.js';

const STATUSES = ['approved', 'rejected', 'expired', 'cancelled', 'pending'];

export function HistoryPage({ query }: { query: URLSearchParams }) {
  const s = useStore();
  const status = query.get('status') || 'approved';
  const [items, setItems] = useState<InboxItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const h = useFocusHeading('history');
  useTitle('History');
  const load = async (after: string | null) => {
    try {
      const r = await api<{ items: InboxItem[]; nextCursor: string | null }>(
        'GET',
        `/approvals${qs({ status, limit: 50, cursor: after })}`,
      );
      setItems((old) => (after ? [...old, ...r.items] : r.items));
      setCursor(r.nextCursor);
      await loadTasks(r.items.map((i) => i.taskId));
    } catch (e) {
      setError(e as Error);
    }
  };
  useEffect(() => {
    void load(null);
  }, [status, s.tick]);
  return (
    <Page title="History" wide headingRef={h.ref}>
      <div class="filters">
        <div class="field">
          <label for="h-status">Status</label>
          <select
            id="h-status"
            value={status}
            onChange={(e) => navigate(`/history?status=${(e.target as HTMLSelectElement).value}`, true)}
          >
            {STATUSES.map((x) => (
              <option key={x} value={x}>
                {humanize(x)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error ? <ErrorBox error={error} what="The history" /> : null}
      <HistoryTable items={items} status={status} />
      {items.length === 0 && !error ? (
        <p class="empty">No {humanize(status).toLowerCase()} requests for your roles.</p>
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)}>
          Load more
        </button>
      ) : null}
    </Page>
  );
}

function HistoryTable({ items, status }: { items: InboxItem[]; status: string }) {
  const s = useStore();
  const me = s.me?.id;
  return (
    <div class="table-wrap">
      <table class="inbox">
        <caption class="visually-hidden">Requests with status {status}</caption>
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Risk</th>
            <th scope="col">Decided by</th>
            <th scope="col">When</th>
            <th scope="col">Task</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const t = s.tasks.get(i.taskId);
            const gate = t?.approvals.find((g) => g.id === i.id);
            const deciders = gate?.decisions ?? [];
            return (
              <tr key={i.id} data-approval={i.id}>
                <td class="desc">
                  <Link href={`/approvals/${encodeURIComponent(i.id)}`} class="open">
                    <AgentText text={i.task.description} />
                  </Link>
                </td>
                <td>
                  <Risk level={i.riskAssessment.level} />
                </td>
                <td>
                  {deciders.length
                    ? deciders.map((d, k) => (
                        <span key={d.ledgerIndex}>
                          {k ? ', ' : ''}
                          <Principal id={d.principal} />
                          {d.principal === me ? ' (you)' : ''}
                        </span>
                      ))
                    : '—'}
                </td>
                <td>{when((i.decidedAt as string | null) ?? i.requestedAt)}</td>
                <td>
                  {t ? (
                    <Link href={`/tasks/${encodeURIComponent(t.id)}`}>
                      <Status status={t.status} />
                    </Link>
                  ) : (
                    '…'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
