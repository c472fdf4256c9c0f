/**
 * The ledger explorer: the published key and current checkpoint (signature checked here), the whole
 * log verified in this browser from the export, entries page by page (or one task's timeline), each
 * entry's inclusion and decision signature checked on demand, and the export as a download.
 */
import { useState } from 'preact/hooks';
import { api, qs, rawRequest } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { type LedgerReport, verifyExport } from '../lib/ledgerCheck.js';
import { navigate } from '../lib/router.js';
import { ErrorBox } from '../views/common.js';
import { checkCurrentCheckpoint, type EntryRow, type PublishedKey, publishedKey, taskEntries } from './checks.js';
import { EntryTable } from './EntryTable.js';

const PAGE = 50;

function WholeLog({ keyInfo }: { keyInfo: PublishedKey }) {
  const [report, setReport] = useState<LedgerReport | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [download, setDownload] = useState<string | null>(null);
  const fetchExport = async () => {
    const res = await rawRequest('GET', '/ledger/export');
    if (!res.ok) throw new Error(`export: HTTP ${res.status}`);
    return res.text();
  };
  const verify = async () => {
    setReport(null);
    setError(null);
    try {
      const text = await fetchExport();
      setReport(await verifyExport(text, keyInfo.publicKey, (d, n) => setProgress(`${d} of ${n} entries checked`)));
    } catch (x) {
      setError((x as Error).message);
    }
    setProgress(null);
  };
  const exportFile = async () => {
    try {
      const blob = new Blob([await fetchExport()], { type: 'application/x-ndjson' });
      if (download) URL.revokeObjectURL(download);
      setDownload(URL.createObjectURL(blob));
    } catch (x) {
      setError((x as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="whole-title">
      <h2 id="whole-title" class="h3">
        The whole log
      </h2>
      <p class="small">
        Downloads the export and recomputes every leaf and root here, checking each checkpoint and decision signature
        against the published key.
      </p>
      <div class="actions">
        <button type="button" class="primary" id="verify-log" onClick={() => void verify()}>
          Verify the whole log in this browser
        </button>
        <button type="button" onClick={() => void exportFile()}>
          Prepare export
        </button>
        {download ? (
          <a href={download} download="humanos-ledger.jsonl" id="export-link">
            Download humanos-ledger.jsonl
          </a>
        ) : null}
      </div>
      {progress ? <p class="muted small">{progress}</p> : null}
      {error ? (
        <p class="status error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <output id="log-report" class={report.ok ? 'status ok' : 'status error'} data-ok={String(report.ok)}>
          {report.ok ? (
            <span class="block">
              Verified: {report.size} entries, {report.checkpointsVerified} signed checkpoints and{' '}
              {report.decisionsVerified} decision signatures check out against the published key.
            </span>
          ) : (
            <span class="block">
              Verification FAILED{report.firstBadIndex !== undefined ? ` at entry #${report.firstBadIndex}` : ''}:{' '}
              {report.reason}. ({report.size} entries and {report.checkpointsVerified} checkpoints checked before.)
            </span>
          )}
          {report.keyMismatch ? (
            <span class="block">The export names another signing key than the server publishes.</span>
          ) : null}
        </output>
      ) : null}
    </section>
  );
}

function KeyCard({
  keyInfo: key,
  cp,
}: {
  keyInfo: PublishedKey;
  cp: Awaited<ReturnType<typeof checkCurrentCheckpoint>>;
}) {
  return (
    <section class="card" aria-labelledby="key-title">
      <h2 id="key-title" class="h3">
        Signing key and checkpoint
      </h2>
      <dl class="facts">
        <dt>Origin</dt>
        <dd class="mono">{key.origin}</dd>
        <dt>Published key ({key.algorithm})</dt>
        <dd class="mono wrap">{key.publicKey}</dd>
        <dt>Latest checkpoint</dt>
        <dd>
          {cp.size} entries, root <span class="mono wrap">{cp.root}</span>{' '}
          <span id="cp-verified" class={`badge ${cp.ok ? 'verified' : 'unverified'}`}>
            {cp.ok ? 'signature verified here' : `NOT verified${cp.error ? `: ${cp.error}` : ''}`}
          </span>
        </dd>
      </dl>
    </section>
  );
}

/** Entries page by page (newest first), or one task's entries from the whole log. */
function Entries({ keyInfo, size, query }: { keyInfo: PublishedKey; size: number; query: URLSearchParams }) {
  const task = query.get('task') ?? '';
  const start = Number(query.get('start') ?? '-1');
  const from = start >= 0 ? start : Math.max(0, size - PAGE);
  const rows = useLoad<EntryRow[]>(async () => {
    if (task) return taskEntries(task);
    const r = await api<{ entries: EntryRow[] }>(
      'GET',
      `/ledger/entries${qs({ start: from, end: Math.min(size, from + PAGE) })}`,
    );
    return r.entries.reverse();
  }, [task, from, size]);
  const [filter, setFilter] = useState(task);
  const show = (e: Event) => {
    e.preventDefault();
    navigate(`/audit/ledger${qs({ task: filter.trim() })}`);
  };
  return (
    <section class="card" aria-labelledby="entries-title">
      <h2 id="entries-title" class="h3">
        {task ? 'Task timeline from the ledger' : 'Entries'}
      </h2>
      <form class="row" aria-label="Show one task's entries" onSubmit={show}>
        <label for="task-filter">Task id</label>
        <input
          id="task-filter"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          placeholder="task:…"
        />
        <button type="submit">Show timeline</button>
        {task ? (
          <button
            type="button"
            onClick={() => {
              setFilter('');
              navigate('/audit/ledger');
            }}
          >
            All entries
          </button>
        ) : null}
      </form>
      {rows.error ? <ErrorBox error={rows.error} what="The entries" /> : null}
      <EntryTable rows={rows.data ?? []} keyInfo={keyInfo} />
      {!task ? (
        <div class="row">
          <button
            type="button"
            disabled={from + PAGE >= size}
            onClick={() => navigate(`/audit/ledger?start=${Math.min(size - 1, from + PAGE)}`)}
          >
            Newer
          </button>
          <span class="muted small">
            Entries {from}–{Math.min(size, from + PAGE) - 1} of {size}
          </span>
          <button
            type="button"
            disabled={from === 0}
            onClick={() => navigate(`/audit/ledger?start=${Math.max(0, from - PAGE)}`)}
          >
            Older
          </button>
        </div>
      ) : null}
    </section>
  );
}

export function LedgerExplorer({ query }: { query: URLSearchParams }) {
  const head = useLoad(async () => {
    const key = await publishedKey();
    return { key, cp: await checkCurrentCheckpoint(key) };
  }, []);
  if (head.error) return <ErrorBox error={head.error} what="The ledger" />;
  if (!head.data) return <p>Loading…</p>;
  return (
    <>
      <KeyCard keyInfo={head.data.key} cp={head.data.cp} />
      <WholeLog keyInfo={head.data.key} />
      <Entries keyInfo={head.data.key} size={head.data.cp.size} query={query} />
    </>
  );
}
