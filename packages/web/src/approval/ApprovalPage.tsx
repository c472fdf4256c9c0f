/**
 * One approval request at `/approvals/{id}`: what is asked, what executes (the payload once, as the
 * server renders it, editable field by field or as JSON) with a word-level diff against the proposal,
 * the warnings and the decision bar in reach, the agent's own words apart from the payload, and after
 * deciding the approved payload, the edits and the signed receipt.
 */
import { useEffect, useRef } from 'preact/hooks';
import { useTitle } from '../lib/hooks.js';
import type { Json, Me } from '../lib/types.js';
import { ErrorBox, Timeline } from '../views/common.js';
import { Alternatives } from './Alternatives.js';
import { Approvers } from './Approvers.js';
import { ChangedNotice } from './ChangedNotice.js';
import { CheckNotice, Claim } from './Claim.js';
import { Comments } from './Comments.js';
import { DecisionBar } from './DecisionBar.js';
import { DetailHeader } from './DetailHeader.js';
import { payloadAfter, proposedPayload, rules } from './load.js';
import { OutcomePanel } from './Outcome.js';
import { PayloadSection, StaleNotice } from './PayloadSection.js';
import { Proposal } from './Proposal.js';
import { RequestChanges } from './RequestChanges.js';
import { ReviewWait, useReviewWait } from './ReviewWait.js';
import { type ApprovalState, useApproval, useApprovalKeys } from './useApproval.js';
import { Warnings } from './Warnings.js';

function Side({ v, me, wait }: { v: ApprovalState; me: Me; wait: number }) {
  const outcomeHeading = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (v.result && !v.d.loading) outcomeHeading.current?.focus();
  }, [v.result, v.d.loading]);
  const data = v.d.data;
  if (!data || !v.a) return null;
  return (
    <aside class="side" aria-label="Decision">
      {v.open && v.changed ? <ChangedNotice c={v.changed} onAcknowledge={v.acknowledge} /> : null}
      {v.open ? <Warnings id="warnings" title="Check before deciding" warnings={v.a.warnings ?? []} /> : null}
      {v.open ? <ReviewWait seconds={wait} /> : null}
      {v.open ? (
        <DecisionBar
          a={v.a}
          rules={rules(v.a, data.task)}
          edited={v.value as Json}
          jsonError={v.jsonError}
          verdict={v.verdict}
          setVerdict={v.setVerdict}
          stale={v.stale}
          disabled={Boolean(v.changed)}
          locked={wait > 0}
          onOutcome={v.onOutcome}
        />
      ) : (
        <OutcomePanel
          a={v.a}
          task={data.task}
          history={data.history}
          me={me}
          result={v.result}
          expired={v.expiredNow || v.result?.kind === 'expired'}
          headingRef={(el) => (outcomeHeading.current = el)}
        />
      )}
      {v.open ? <RequestChanges a={v.a} disabled={Boolean(v.changed) || wait > 0} onOutcome={v.onOutcome} /> : null}
      {v.result && v.open && v.result.kind === 'error' ? (
        <p class="status error" role="alert">
          {v.result.message}
        </p>
      ) : null}
      {v.result && v.open && v.result.kind === 'reauth' ? (
        <p class="status error" role="alert">
          {v.result.message} Your reason and edits are kept. <a href={v.result.signInUrl}>Sign in again</a>
        </p>
      ) : null}
    </aside>
  );
}

export function ApprovalPage({ id, me }: { id: string; me: Me }) {
  const v = useApproval(id, me);
  const step = useApprovalKeys(id, v);
  const wait = useReviewWait(v.a, v.open);
  const data = v.d.data;
  const a = v.a;
  useTitle(data ? data.a.task.description.slice(0, 60) : 'Approval request');
  if (v.d.error && !data)
    return (
      <main id="main" tabIndex={-1} class="page">
        <h1>Approval request</h1>
        <ErrorBox error={v.d.error} what="This approval request" />
      </main>
    );
  if (!data || !a || !v.value)
    return (
      <main id="main" tabIndex={-1} class="page">
        <p>Loading…</p>
      </main>
    );
  return (
    <main id="main" tabIndex={-1} class="page wide detail">
      <DetailHeader a={a} task={data.task} me={me} onStep={step} />
      {/* In this order on a phone (one column): what executes, the decision, then the rest. */}
      <div class="detail-grid">
        <div class="content">
          <Claim a={a} me={me} onChange={v.d.reload} />
          <CheckNotice a={a} />
          {v.stale && v.open && v.mine ? <StaleNotice approved={payloadAfter(a, v.mine)} now={v.base as Json} /> : null}
          <PayloadSection
            {...v}
            base={v.base as Json}
            proposed={proposedPayload(a) as Json}
            value={v.value}
            display={a.display}
            warnings={a.warnings}
          />
        </div>
        <Side v={v} me={me} wait={wait} />
        <div class="rest">
          <Proposal a={a} />
          {v.open ? (
            <Alternatives
              a={a}
              rules={rules(a, data.task)}
              disabled={Boolean(v.changed) || wait > 0}
              onOutcome={v.onOutcome}
            />
          ) : null}
          <Approvers a={a} task={data.task} me={me} />
          <Comments id={a.id} />
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
