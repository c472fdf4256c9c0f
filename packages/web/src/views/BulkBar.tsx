import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../lib/api.js';
import { loadInbox } from '../lib/store.js';
import type { InboxItem } from '../lib/types.js';

/**
 * Bulk approval of the requests the policy marks bulk-approvable, without warnings or edits (see
 * `bulkBlock`). Each request is approved on its own (one signed decision each, for the payload digest
 * the inbox listed); the result says which were recorded and which were refused, and why.
 */
export function BulkBar(p: {
  eligible: InboxItem[];
  chosen: InboxItem[];
  onDone: (result: string) => void;
  setAll: (ids: string[]) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    let ok = 0;
    const failed: string[] = [];
    for (const i of p.chosen) {
      try {
        // Each approval is for the version the inbox listed; an edit since is refused (stale_payload).
        await api('POST', `/approvals/${seg(i.id)}/approve`, {
          ...(reason.trim() ? { approvalReason: reason.trim() } : {}),
          payloadDigest: i.currentDigest,
        });
        ok += 1;
      } catch (e) {
        const why =
          e instanceof ApiError && e.code === 'stale_payload'
            ? 'the payload changed since it was listed; open it to review the new version'
            : e instanceof ApiError
              ? e.code
              : (e as Error).message;
        failed.push(`${i.task.description}: ${why}`);
      }
    }
    setBusy(false);
    p.onDone(`Approved ${ok} of ${p.chosen.length}.${failed.length ? ` Not recorded: ${failed.join('; ')}` : ''}`);
    await loadInbox();
  };
  return (
    <section class="bulk card" aria-labelledby="bulk-title">
      <h2 id="bulk-title" class="h3">
        Bulk approve
      </h2>
      <p class="muted small" id="bulk-note">
        {p.eligible.length === 1 ? '1 shown request is' : `${p.eligible.length} shown requests are`} marked
        bulk-approvable by the policy and have no warnings and no edits. Select them with the checkboxes (or{' '}
        <kbd>x</kbd>); each is approved on its own, for the version listed. Every other request says why it is not
        offered.
      </p>
      <div class="row">
        <button type="button" onClick={() => p.setAll(p.eligible.map((i) => i.id))}>
          Select all {p.eligible.length}
        </button>
        <label for="bulk-reason">Reason (optional)</label>
        <input id="bulk-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <button type="button" class="primary" disabled={busy || p.chosen.length === 0} onClick={() => void run()}>
          Approve {p.chosen.length} selected
        </button>
      </div>
    </section>
  );
}
