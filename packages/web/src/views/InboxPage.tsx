/** The approver's queue: dense rows, search and filters, j/k, bulk approval of low-risk requests. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useFocusHeading, useNow, useTitle } from '../lib/hooks.js';
import { useShortcuts } from '../lib/keys.js';
import { humanize, principalLabel } from '../lib/labels.js';
import { navigate } from '../lib/router.js';
import { loadInbox, PAGE, useStore } from '../lib/store.js';
import type { Me } from '../lib/types.js';
import { BulkBar } from './BulkBar.js';
import { ErrorBox, Page } from './common.js';
import { InboxRow } from './InboxRow.js';
import {
  AGES,
  applyFilters,
  bulkEligible,
  type Filters,
  filtersQuery,
  options,
  readFilters,
  setInboxOrder,
} from './inboxFilter.js';

export function InboxPage({ query, me }: { query: URLSearchParams; me: Me }) {
  const s = useStore();
  const t = useNow();
  const f = readFilters(query);
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkResult, setBulkResult] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const h = useFocusHeading('inbox');
  const n = `${s.inbox.length}${s.inboxCursor ? '+' : ''}`;
  useTitle(s.inboxLoaded ? `(${n}) Inbox` : 'Inbox');
  const rows = useMemo(
    () => applyFilters(s.inbox, s.tasks, f, t),
    [s.inbox, s.tasks, s.tick, query.toString(), f.age ? t : 0],
  );
  setInboxOrder(rows.map((r) => r.id));
  const opts = options(s.inbox, s.tasks);
  useEffect(() => {
    if (query.get('focus') === 'search') {
      search.current?.focus();
      navigate(`/inbox${filtersQuery(f)}`, true);
    }
  }, [query.get('focus')]);

  const set = (k: keyof Filters, v: string) => navigate(`/inbox${filtersQuery({ ...f, [k]: v })}`, true);
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
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const eligible = rows.filter((r) => bulkEligible(r, s.tasks.get(r.taskId)));
  const chosen = eligible.filter((r) => selected.has(r.id));

  return (
    <Page title="Inbox" wide headingRef={h.ref}>
      <p class="lede">
        Requests waiting for a decision by {principalLabel(me.id)} ({me.roles.join(', ') || 'no roles'}).
      </p>
      <form class="filters" aria-label="Search and filter the inbox" onSubmit={(e) => e.preventDefault()}>
        <div class="field grow">
          <label for="search">Search</label>
          <input
            id="search"
            ref={search}
            type="search"
            value={f.q}
            placeholder="description, requester, payload…"
            aria-keyshortcuts="/"
            onInput={(e) => set('q', (e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && rows[0]) navigate(`/approvals/${encodeURIComponent(rows[0].id)}`);
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                focusRow(0);
              }
            }}
          />
        </div>
        <Select
          id="f-role"
          label="Role"
          value={f.role}
          onChange={(v) => set('role', v)}
          options={opts.roles.map((r) => [r, humanize(r)])}
        />
        <Select
          id="f-risk"
          label="Risk"
          value={f.risk}
          onChange={(v) => set('risk', v)}
          options={['critical', 'high', 'medium', 'low'].map((r) => [r, humanize(r)])}
        />
        <Select
          id="f-requester"
          label="Requester / agent"
          value={f.requester}
          onChange={(v) => set('requester', v)}
          options={opts.requesters.map((r) => [r, principalLabel(r)])}
        />
        <Select
          id="f-cap"
          label="Capability"
          value={f.cap}
          onChange={(v) => set('cap', v)}
          options={opts.caps.map((c) => [c, humanize(c)])}
        />
        <Select
          id="f-age"
          label="Age"
          value={f.age}
          onChange={(v) => set('age', v)}
          options={Object.entries(AGES).map(([k, v]) => [k, v[0]])}
        />
        <Select
          id="f-sort"
          label="Order"
          value={f.sort}
          onChange={(v) => set('sort', v)}
          all={null}
          options={[
            ['urgent', 'Deadline first'],
            ['newest', 'Newest first'],
            ['risk', 'Highest risk first'],
          ]}
        />
      </form>
      <p class="muted small" id="filter-note">
        Showing {rows.length} of {s.inbox.length} loaded request{s.inbox.length === 1 ? '' : 's'}
        {s.inboxCursor ? ' (more on the server)' : ''}. Filters apply to the loaded pages.
      </p>
      {eligible.length > 0 ? (
        <BulkBar
          eligible={eligible}
          chosen={chosen}
          onDone={(r) => {
            setSelected(new Set());
            setBulkResult(r);
          }}
          setAll={(ids) => setSelected(new Set(ids))}
        />
      ) : null}
      {bulkResult ? (
        <p class="status" role="status" id="bulk-result">
          {bulkResult}
        </p>
      ) : null}
      {s.inboxError ? <ErrorBox error={new Error(s.inboxError)} what="The inbox" /> : null}
      {!s.inboxLoaded ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">{s.inbox.length === 0 ? 'Nothing waiting for you.' : 'No request matches these filters.'}</p>
      ) : (
        <div class="table-wrap">
          <table class="inbox" aria-describedby="filter-note">
            <caption class="visually-hidden">Pending approval requests</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Request</th>
                <th scope="col">Requester</th>
                <th scope="col">Amount</th>
                <th scope="col">Risk</th>
                <th scope="col">Approvals</th>
                <th scope="col">Deadline</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <InboxRow
                  key={r.id}
                  item={r}
                  index={i}
                  task={s.tasks.get(r.taskId)}
                  active={i === active}
                  selected={selected.has(r.id)}
                  onToggle={bulkEligible(r, s.tasks.get(r.taskId)) ? () => toggle(r.id) : undefined}
                  onFocus={() => setActive(i)}
                  now={t}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {s.inboxCursor ? (
        <button type="button" onClick={() => void loadInbox(true)}>
          Load the next {PAGE} requests
        </button>
      ) : null}
    </Page>
  );
}

function Select(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  all?: string | null;
}) {
  const all = props.all === undefined ? 'Any' : props.all;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {all !== null ? <option value="">{all}</option> : null}
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
