/**
 * One approval request at `/approvals/{id}`: what is asked, the decision bar in reach, the payload
 * once (editable field by field or as JSON) with a word-level diff against the proposal, and after
 * deciding the approved payload, the edits and the signed receipt.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { changes, fields } from '../lib/diff.js';
import { useLoad, useNow, useTitle } from '../lib/hooks.js';
import { useShortcuts } from '../lib/keys.js';
import { navigate } from '../lib/router.js';
import { loadInbox, useStore } from '../lib/store.js';
import type { Json, Me } from '../lib/types.js';
import { ErrorBox, Timeline } from '../views/common.js';
import { inboxOrder } from '../views/inboxFilter.js';
import { Approvers } from './Approvers.js';
import { DecisionBar, type Outcome, type Verdict } from './DecisionBar.js';
import { DetailHeader } from './DetailHeader.js';
import { DiffView } from './DiffView.js';
import { basePayload, loadDetail, proposedPayload, rules } from './load.js';
import { OutcomePanel } from './Outcome.js';
import { PayloadEditor } from './PayloadEditor.js';
import { Proposal } from './Proposal.js';

export function ApprovalPage({ id, me }: { id: string; me: Me }) {
  const s = useStore();
  const typing = useRef(false);
  const d = useLoad(() => loadDetail(id), [id]);
  const [result, setResult] = useState<Outcome | null>(null);
  const [edited, setEdited] = useState<Json | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict>('approve');
  const outcomeHeading = useRef<HTMLElement | null>(null);
  const t = useNow();
  useEffect(() => {
    setResult(null);
    setEdited(null);
    setEditing(null);
    setJsonMode(false);
  }, [id]);
  // Live: reload when something happened elsewhere, unless the approver is in the middle of typing.
  useEffect(() => {
    if (s.tick && !typing.current && !editing) d.reload();
  }, [s.tick]);
  useTitle(d.data ? d.data.a.task.description.slice(0, 60) : 'Approval request');
  const step = (delta: number) => {
    const i = inboxOrder.indexOf(id);
    const next = inboxOrder[i < 0 ? 0 : i + delta];
    if (next) navigate(`/approvals/${encodeURIComponent(next)}`);
  };
  const focusReason = (v: Verdict) => {
    setVerdict(v);
    document.getElementById('reason')?.focus();
  };
  const data = d.data;
  const a = data?.a;
  const base = a ? (basePayload(a) as Json) : null;
  const value = edited ?? base;
  const mine = a?.decisions.filter((x) => x.principal === me.id).pop();
  const stale = Boolean(mine?.stale);
  const expiredNow = Boolean(a?.expiresAt && Date.parse(a.expiresAt) <= t && a.status === 'pending');
  const open =
    a?.status === 'pending' &&
    (!mine || stale) &&
    !expiredNow &&
    result?.kind !== 'expired' &&
    result?.kind !== 'conflict';
  const editable = Boolean(open && a && a.kind !== 'routing' && a.kind !== 'audit');
  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    a: () => open && focusReason('approve'),
    r: () => open && focusReason('reject'),
    e: () => {
      if (!editable || !value) return;
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('tr[data-field]');
      const first = fields(value)
        .find((f) => f.path.length)
        ?.path.join('.');
      setJsonMode(false);
      setEditing(row?.dataset.field ?? first ?? null);
    },
  });
  // The truth first: reload the gate, then say what happened (who decided, that it expired).
  const onOutcome = async (o: Outcome) => {
    await d.reload();
    if (o.kind === 'recorded') setEdited(null);
    setResult(o);
    void loadInbox();
  };
  useEffect(() => {
    if (result && !d.loading) outcomeHeading.current?.focus();
  }, [result, d.loading]);

  if (d.error && !data)
    return (
      <main id="main" tabIndex={-1} class="page">
        <h1>Approval request</h1>
        <ErrorBox error={d.error} what="This approval request" />
      </main>
    );
  if (!data || !a || !value)
    return (
      <main id="main" tabIndex={-1} class="page">
        <p>Loading…</p>
      </main>
    );
  const r = rules(a, data.task);
  return (
    <main
      id="main"
      tabIndex={-1}
      class="page wide detail"
      onFocusIn={(e) => (typing.current = (e.target as HTMLElement).matches('input, textarea'))}
      onFocusOut={() => (typing.current = false)}
    >
      <DetailHeader a={a} task={data.task} me={me} onStep={step} />
      <div class="detail-grid">
        <aside class="side" aria-label="Decision">
          {open ? (
            <DecisionBar
              a={a}
              rules={r}
              edited={value}
              jsonError={jsonError}
              verdict={verdict}
              setVerdict={setVerdict}
              stale={stale}
              disabled={false}
              onOutcome={onOutcome}
            />
          ) : (
            <OutcomePanel
              a={a}
              task={data.task}
              history={data.history}
              me={me}
              result={result}
              expired={expiredNow || result?.kind === 'expired'}
              headingRef={(el) => (outcomeHeading.current = el)}
            />
          )}
          {result && open && result.kind === 'error' ? (
            <p class="status error" role="alert">
              {result.message}
            </p>
          ) : null}
        </aside>
        <div class="content">
          {stale && open && mine ? (
            <section class="card warning" aria-labelledby="stale-title" id="stale">
              <h2 id="stale-title" class="h3">
                Your approval was for an earlier version
              </h2>
              <p>
                The payload was edited after you approved; your approval no longer counts. Review the changes and
                approve again.
              </p>
            </section>
          ) : null}
          <section aria-labelledby="payload-title" class="card">
            <div class="section-head">
              <h2 id="payload-title" class="h3">
                Payload
              </h2>
              {editable ? (
                <button type="button" class="small" aria-pressed={jsonMode} onClick={() => setJsonMode(!jsonMode)}>
                  JSON mode
                </button>
              ) : null}
            </div>
            <PayloadEditor
              base={base as Json}
              value={value}
              onChange={setEdited}
              editable={editable}
              editing={editing}
              setEditing={setEditing}
              jsonMode={jsonMode}
              setJsonError={setJsonError}
            />
            <h3 class="h4">Changes against the agent's proposal</h3>
            <DiffView
              id="diff"
              before={proposedPayload(a) as Json}
              after={value}
              empty="None: the payload is as the agent proposed it."
            />
            {edited && changes(base as Json, edited).length ? (
              <button type="button" class="small" onClick={() => setEdited(null)}>
                Undo my edits
              </button>
            ) : null}
          </section>
          <Proposal a={a} />
          <Approvers a={a} task={data.task} me={me} />
          <section aria-labelledby="history-title" class="card">
            <h2 id="history-title" class="h3">
              History (from the ledger)
            </h2>
            {data.history ? <Timeline events={data.history} /> : <p>History unavailable.</p>}
          </section>
        </div>
      </div>
    </main>
  );
}
