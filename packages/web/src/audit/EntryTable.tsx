import { useState } from 'preact/hooks';
import { eventLabel, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { revealInvisible } from '../lib/text.js';
import { Principal } from '../views/common.js';
import { checkEntry, type EntryCheck, type EntryRow, type PublishedKey } from './checks.js';

function Row({ row, keyInfo }: { row: EntryRow; keyInfo: PublishedKey }) {
  const [check, setCheck] = useState<EntryCheck | null>(null);
  const [open, setOpen] = useState(false);
  const e = JSON.parse(row.entry) as { type: string; at: string; actor: string; taskId: string | null };
  return (
    <tr data-index={row.index}>
      <td class="num">#{row.index}</td>
      <td title={e.type}>{eventLabel(e.type)}</td>
      <td>
        <Principal id={e.actor} />
      </td>
      <td>
        {e.taskId ? (
          <Link href={`/audit/ledger?task=${encodeURIComponent(e.taskId)}`}>{e.taskId.slice(0, 18)}…</Link>
        ) : (
          '—'
        )}
      </td>
      <td class="small">{when(e.at)}</td>
      <td>
        <button type="button" class="small" onClick={async () => setCheck(await checkEntry(row, keyInfo))}>
          Verify
        </button>{' '}
        <button type="button" class="small" aria-expanded={open} onClick={() => setOpen(!open)}>
          Entry
        </button>
        {check ? (
          <p class={`small ${check.ok ? 'ok' : 'error'}`} data-check={check.ok ? 'ok' : 'failed'}>
            {check.ok ? 'Verified: ' : 'FAILED: '}
            {check.lines.join('; ')}
          </p>
        ) : null}
        {open ? <pre class="entry">{revealInvisible(JSON.stringify(JSON.parse(row.entry), null, 2))}</pre> : null}
      </td>
    </tr>
  );
}

/** Ledger entries, readable, each verifiable here. */
export function EntryTable({ rows, keyInfo }: { rows: EntryRow[]; keyInfo: PublishedKey }) {
  return (
    <div class="table-wrap">
      <table class="list" id="entries">
        <caption class="visually-hidden">Ledger entries</caption>
        <thead>
          <tr>
            <th scope="col">Index</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Task</th>
            <th scope="col">At</th>
            <th scope="col">Checks</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row key={r.index} row={r} keyInfo={keyInfo} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
