/** The inbox's search box and filter selects; every value lives in the URL (`/inbox?q=&risk=…`). */
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { humanize, principalLabel } from '../lib/labels.js';
import { navigate } from '../lib/router.js';
import type { InboxItem } from '../lib/types.js';
import { AGES, type Filters, filtersQuery } from './inboxFilter.js';

export interface FilterOptions {
  roles: string[];
  requesters: string[];
  caps: string[];
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

const SORTS: [string, string][] = [
  ['urgent', 'Deadline first'],
  ['newest', 'Newest first'],
  ['risk', 'Highest risk first'],
];
const RISKS: [string, string][] = ['critical', 'high', 'medium', 'low'].map((r) => [r, humanize(r)]);

/** The filters besides search (folded behind the Filters button on a narrow screen). */
function FilterSelects({
  f,
  opts,
  set,
}: {
  f: Filters;
  opts: FilterOptions;
  set: (k: keyof Filters) => (v: string) => void;
}) {
  return (
    <div class="filter-more" id="filter-more">
      <Select
        id="f-role"
        label="Role"
        value={f.role}
        onChange={set('role')}
        options={opts.roles.map((r) => [r, humanize(r)])}
      />
      <Select id="f-risk" label="Risk" value={f.risk} onChange={set('risk')} options={RISKS} />
      <Select
        id="f-requester"
        label="Requester / agent"
        value={f.requester}
        onChange={set('requester')}
        options={opts.requesters.map((r) => [r, principalLabel(r)])}
      />
      <Select
        id="f-cap"
        label="Capability"
        value={f.cap}
        onChange={set('cap')}
        options={opts.caps.map((c) => [c, humanize(c)])}
      />
      <Select
        id="f-age"
        label="Age"
        value={f.age}
        onChange={set('age')}
        options={Object.entries(AGES).map(([k, v]) => [k, v[0]])}
      />
      <Select id="f-sort" label="Order" value={f.sort} onChange={set('sort')} all={null} options={SORTS} />
    </div>
  );
}

export function InboxFilters(p: {
  f: Filters;
  opts: FilterOptions;
  rows: InboxItem[];
  search: Ref<HTMLInputElement>;
  focusRow: (i: number) => void;
}) {
  const { f, opts } = p;
  // On a narrow screen the filters fold behind a button: the first screen shows requests, not selects.
  const [open, setOpen] = useState(false);
  const active = (['role', 'risk', 'requester', 'cap', 'age'] as const).filter((k) => f[k]).length;
  const set = (k: keyof Filters) => (v: string) => navigate(`/inbox${filtersQuery({ ...f, [k]: v })}`, true);
  return (
    <form
      class={open ? 'filters open' : 'filters'}
      aria-label="Search and filter the inbox"
      onSubmit={(e) => e.preventDefault()}
    >
      <div class="field grow">
        <label for="search">Search</label>
        <input
          id="search"
          ref={p.search}
          type="search"
          value={f.q}
          placeholder="description, requester, payload…"
          aria-keyshortcuts="/"
          onInput={(e) => set('q')((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && p.rows[0]) navigate(`/approvals/${encodeURIComponent(p.rows[0].id)}`);
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              p.focusRow(0);
            }
          }}
        />
      </div>
      <button
        type="button"
        class="filters-toggle"
        id="filters-toggle"
        aria-expanded={open}
        aria-controls="filter-more"
        onClick={() => setOpen(!open)}
      >
        Filters{active ? ` (${active} on)` : ''}
      </button>
      <FilterSelects f={f} opts={opts} set={set} />
    </form>
  );
}
