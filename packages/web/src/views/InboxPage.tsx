/** The approver's queue: dense rows, search and filters, j/k, bulk approval of low-risk requests. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useFocusHeading, useNow, useTitle } from '../lib/hooks.js';
import { useShortcuts } from '../lib/keys.js';
import { principalLabel } from '../lib/labels.js';
import { navigate } from '../lib/router.js';
import { loadInbox, PAGE, type State, useStore } from '../lib/store.js';
import type { InboxItem, Me } from '../lib/types.js';
import { BulkBar } from './BulkBar.js';
import { ErrorBox, Page } from './common.js';
import { InboxFilters } from './InboxFilters.js';
import { InboxTable } from './InboxTable.js';
import { applyFilters, bulkEligible, filtersQuery, options, readFilters, setInboxOrder } from './inboxFilter.js';

/** Selection for bulk approval, and j/k/x over the shown rows. */
function useRows(s: State, rows: InboxItem[]) {
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const focusRow = (i: number) => {
    const k = Math.max(0, Math.min(rows.length - 1, i));
    setActive(k);
    document.querySelector<HTMLElement>(`[data-row="${k}"] a.open`)?.focus();
  };
  useShortcuts({
    j: () => focusRow(active + 1),
    k: () => focusRow(active - 1),
    x: () => {
      const r = rows[active];
      if (r && bulkEligible(r, s.tasks.get(r.taskId))) toggle(r.id);
    },
  });
  return { active, setActive, selected, setSelected, toggle, focusRow };
}

function Empty({ s }: { s: State }) {
  if (!s.inboxLoaded) return <p>Loading…</p>;
  return <p class="empty">{s.inbox.length === 0 ? 'Nothing waiting for you.' : 'No request matches these filters.'}</p>;
}

export function InboxPage({ query, me }: { query: URLSearchParams; me: Me }) {
  const s = useStore();
  const t = useNow();
  const f = readFilters(query);
  const [bulkResult, setBulkResult] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const h = useFocusHeading('inbox');
  useTitle('Inbox');
  const rows = useMemo(
    () => applyFilters(s.inbox, s.tasks, f, t),
    [s.inbox, s.tasksVersion, s.tick, query.toString(), f.age ? t : 0],
  );
  setInboxOrder(rows.map((r) => r.id));
  const r = useRows(s, rows);
  useEffect(() => {
    if (query.get('focus') !== 'search') return;
    search.current?.focus();
    navigate(`/inbox${filtersQuery(f)}`, true);
  }, [query.get('focus')]);
  const eligible = rows.filter((x) => bulkEligible(x, s.tasks.get(x.taskId)));
  const onBulkDone = (result: string) => {
    r.setSelected(new Set());
    setBulkResult(result);
  };
  return (
    <Page title="Inbox" wide headingRef={h.ref}>
      <p class="lede inbox-intro">
        Requests waiting for a decision by {principalLabel(me.id)} ({me.roles.join(', ') || 'no roles'}).
      </p>
      <InboxFilters f={f} opts={options(s.inbox, s.tasks)} rows={rows} search={search} focusRow={r.focusRow} />
      <p class="muted small" id="filter-note">
        Showing {rows.length} of {s.inbox.length} loaded request{s.inbox.length === 1 ? '' : 's'}
        {s.inboxCursor ? ' (more on the server)' : ''}. Filters apply to the loaded pages.
      </p>
      {eligible.length > 0 ? (
        <BulkBar
          eligible={eligible}
          chosen={eligible.filter((x) => r.selected.has(x.id))}
          onDone={onBulkDone}
          setAll={(ids) => r.setSelected(new Set(ids))}
        />
      ) : null}
      {bulkResult ? (
        <p class="status" role="status" id="bulk-result">
          {bulkResult}
        </p>
      ) : null}
      {s.inboxError ? <ErrorBox error={new Error(s.inboxError)} what="The inbox" /> : null}
      {rows.length === 0 ? <Empty s={s} /> : <InboxTable rows={rows} tasks={s.tasks} now={t} {...r} />}
      {s.inboxCursor ? (
        <button type="button" onClick={() => void loadInbox(true)}>
          Load the next {PAGE} requests
        </button>
      ) : null}
    </Page>
  );
}
