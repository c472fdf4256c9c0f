import type { InboxItem, TaskDetail } from '../lib/types.js';
import { InboxRow } from './InboxRow.js';
import { bulkBlock } from './inboxFilter.js';

const COLUMNS = ['Request', 'Requester', 'Amount', 'Risk', 'Approvals', 'Deadline', 'Age'];

/** The dense inbox table; the active row follows j/k and focus. */
export function InboxTable(p: {
  rows: InboxItem[];
  tasks: Map<string, TaskDetail>;
  active: number;
  setActive: (i: number) => void;
  selected: Set<string>;
  toggle: (id: string) => void;
  now: number;
}) {
  return (
    <div class="table-wrap">
      <table class="inbox" aria-describedby="filter-note">
        <caption class="visually-hidden">Pending approval requests</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            {COLUMNS.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r, i) => (
            <InboxRow
              key={r.id}
              item={r}
              index={i}
              task={p.tasks.get(r.taskId)}
              active={i === p.active}
              selected={p.selected.has(r.id)}
              bulkWhy={bulkBlock(r, p.tasks.get(r.taskId))}
              onToggle={() => p.toggle(r.id)}
              onFocus={() => p.setActive(i)}
              now={p.now}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
