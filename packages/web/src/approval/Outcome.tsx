/**
 * What happened: the gate's status told as it is (after a conflict: who decided; after expiry: that
 * it cannot be decided), the decisions, the approved payload, the edits, and the signed receipt.
 */
import { principalLabel, statusLabel, when } from '../lib/labels.js';
import type { ApprovalDetail, Decision, HistoryEvent, Json, Me, TaskDetail } from '../lib/types.js';
import { Principal } from '../views/common.js';
import type { Outcome as Result } from './DecisionBar.js';
import { DiffView } from './DiffView.js';
import { allDecisions, payloadAfter, proposedPayload } from './load.js';
import { PayloadEditor } from './PayloadEditor.js';

const noop = () => {};

/** A payload as a read-only table. */
export function ReadOnlyPayload({ value, id }: { value: Json; id: string }) {
  return (
    <div id={id}>
      <PayloadEditor
        base={value}
        value={value}
        onChange={noop}
        editable={false}
        editing={null}
        setEditing={noop}
        jsonMode={false}
        setJsonError={noop}
      />
    </div>
  );
}

function Receipt({ d, history }: { d: Decision; history: HistoryEvent[] | null }) {
  const ev = history?.find((e) => e.index === d.ledgerIndex);
  return (
    <dl class="facts receipt" id="receipt">
      <dt>Signed decision</dt>
      <dd>
        {d.verdict === 'approved' ? 'Approved' : 'Rejected'} by <Principal id={d.principal} /> at {when(d.decidedAt)}
      </dd>
      <dt>Ledger entry</dt>
      <dd>
        #<span id="receipt-index">{d.ledgerIndex}</span>{' '}
        <span id="receipt-verified" class={`badge ${ev?.verified ? 'verified' : 'unverified'}`}>
          {ev ? (ev.verified ? 'verified' : 'NOT verified') : 'not checked'}
        </span>
        <span class="muted small"> (inclusion proof up to the latest signed checkpoint)</span>
      </dd>
      <dt>Payload digest</dt>
      <dd class="mono">{d.payloadDigest}</dd>
      <dt>Signature</dt>
      <dd class="mono wrap">{d.signature}</dd>
    </dl>
  );
}

function Headline({ a, result, expired }: { a: ApprovalDetail; result: Result | null; expired: boolean }) {
  const others = a.decisions.filter((d) => !d.stale);
  const last = others[others.length - 1];
  if (result?.kind === 'conflict')
    return (
      <div class="status error" role="alert" id="outcome-alert">
        <p>{result.message}</p>
        <p>
          {last ? (
            <>
              Decided by <Principal id={last.principal} />: {last.verdict} at {when(last.decidedAt)}
              {last.reason ? <> — “{last.reason}”</> : null}.
            </>
          ) : null}{' '}
          The request is now <strong>{statusLabel(a.status)}</strong>.
        </p>
      </div>
    );
  if (expired || result?.kind === 'expired')
    return (
      <div class="status error" role="alert" id="outcome-alert">
        <p>{result?.kind === 'expired' ? result.message : 'This request has expired.'}</p>
        <p>
          Its deadline was {when(a.expiresAt)}; it can no longer be decided.{' '}
          {a.escalationPolicy === 'auto' && a.escalateTo
            ? `It escalates to ${a.escalateTo}.`
            : 'The task does not run.'}
        </p>
      </div>
    );
  if (result?.kind === 'recorded')
    return (
      <p class="status ok" role="status" id="outcome-alert">
        {result.message} The request is {statusLabel(a.status).toLowerCase()}
        {a.status === 'pending' ? ` (${a.approvals} of ${a.required} approvals)` : ''}.
      </p>
    );
  return null;
}

export function OutcomePanel(p: {
  a: ApprovalDetail;
  task: TaskDetail | null;
  history: HistoryEvent[] | null;
  me: Me;
  result: Result | null;
  expired: boolean;
  headingRef?: (el: HTMLElement | null) => void;
}) {
  const { a, task } = p;
  const mine = a.decisions.filter((d) => d.principal === p.me.id).pop();
  const decisive = mine ?? a.decisions.filter((d) => !d.stale).pop();
  const approved = (task?.approvedPayload ?? a.approvedPayload ?? null) as Json | null;
  const edits = allDecisions(a).filter((d) => d.edits);
  const before = (d: Decision) => {
    const all = allDecisions(a);
    const i = all.findIndex((x) => x.ledgerIndex === d.ledgerIndex);
    return i > 0 ? payloadAfter(a, all[i - 1] as Decision) : (proposedPayload(a) as Json);
  };
  return (
    <section class="outcome card" aria-labelledby="outcome-title" id="outcome">
      <h2 id="outcome-title" class="h3" tabIndex={-1} ref={p.headingRef}>
        Outcome: {statusLabel(a.status)}
      </h2>
      <Headline a={a} result={p.result} expired={p.expired} />
      {approved ? (
        <>
          <h3 class="h4">Approved payload (what runs)</h3>
          <ReadOnlyPayload value={approved} id="approved-payload" />
        </>
      ) : mine && mine.verdict === 'approved' && !mine.stale ? (
        <>
          <h3 class="h4">The payload you approved</h3>
          <p class="muted small">The request still needs {a.required - a.approvals} more approval(s) before it runs.</p>
          <ReadOnlyPayload value={payloadAfter(a, mine)} id="approved-payload" />
        </>
      ) : null}
      {edits.length ? <h3 class="h4">Edits</h3> : null}
      {edits.map((d) => (
        <div key={d.ledgerIndex} class="edits">
          <p class="small">By {principalLabel(d.principal)}:</p>
          <DiffView
            before={before(d)}
            after={payloadAfter(a, d)}
            id={d.principal === p.me.id ? 'my-edits' : undefined}
          />
        </div>
      ))}
      {decisive ? (
        <>
          <h3 class="h4">Receipt</h3>
          <Receipt d={decisive} history={p.history} />
        </>
      ) : null}
    </section>
  );
}
