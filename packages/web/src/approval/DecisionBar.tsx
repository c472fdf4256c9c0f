/**
 * The decision controls, kept in reach (sticky beside the request on desktop, right after the payload
 * on a phone — never fixed over it). `a` / `r` choose the verdict and focus the reason; Enter records
 * it, except for an edited payload, whose approval opens "Review your changes" and needs its confirm.
 * Labels follow the task's rules: a reason is required to reject, and to approve when the task asks
 * for an explicit reason or its risk is high; feedback when it asks for explicit feedback.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, seg, signInUrl } from '../lib/api.js';
import { type Change, mergePatchBetween } from '../lib/diff.js';
import { useDraft } from '../lib/draft.js';
import { useStore } from '../lib/store.js';
import type { ApprovalDetail, ApprovalResult, Json, RejectionResult } from '../lib/types.js';
import { staleProblem } from './liveVersion.js';
import { basePayload } from './load.js';
import { signWithPasskey } from './passkey.js';
import { ReviewChanges } from './ReviewChanges.js';
import { tooFast } from './ReviewWait.js';

export type Verdict = 'approve' | 'reject';

export interface Outcome {
  /** `stale`: refused because the payload is no longer the version on screen (409 stale_payload). */
  kind: 'recorded' | 'conflict' | 'expired' | 'error' | 'stale' | 'reauth';
  /** `reauth`: the sign-in that returns here (the policy's maxSessionAge wants a fresher one); drafts are kept. */
  signInUrl?: string;
  message: string;
  result?: ApprovalResult | RejectionResult;
  /** `stale`: what changed, from the server (null when it did not say). */
  changes?: Change[] | null;
}

export interface BarProps {
  a: ApprovalDetail;
  rules: { reasonToApprove: boolean; feedback: boolean };
  edited: Json;
  jsonError: string | null;
  verdict: Verdict;
  setVerdict: (v: Verdict) => void;
  stale: boolean;
  disabled: boolean;
  /** The policy's minimum review time is not over: the buttons wait (the fields stay usable). */
  locked?: boolean;
  onOutcome: (o: Outcome) => Promise<void>;
}

/** The approver's edits as a merge patch over the version on screen, or undefined when there are none. */
function editsOf(p: Pick<BarProps, 'a' | 'edited'>): Json | undefined {
  return p.a.kind === 'routing' ? undefined : mergePatchBetween(basePayload(p.a) as Json, p.edited);
}

function body(p: BarProps, reason: string, feedback: string, assignTo: string) {
  // The decision is for the payload version on screen, and says so: the server refuses it
  // (stale_payload) if that is no longer the current version.
  const fb = { ...(feedback.trim() ? { feedback: feedback.trim() } : {}), payloadDigest: p.a.currentDigest };
  if (p.verdict === 'reject') return { rejectionReason: reason, ...fb };
  const patch = editsOf(p);
  return {
    ...(reason ? { approvalReason: reason } : {}),
    ...fb,
    ...(patch !== undefined ? { edits: patch } : {}),
    ...(p.a.kind === 'routing' && assignTo ? { assignTo } : {}),
  };
}

function problem(e: unknown): Outcome {
  const stale = staleProblem(e);
  if (stale) return { kind: 'stale', message: 'Not recorded: the payload changed.', changes: stale.diff };
  if (e instanceof ApiError && (e.code === 'already_decided' || e.code === 'already_seated'))
    return { kind: 'conflict', message: `Not recorded: ${e.message}.` };
  if (e instanceof ApiError && e.code === 'reauthentication_required') {
    return {
      kind: 'reauth',
      message: `Not recorded: ${e.message}.`,
      signInUrl: typeof e.body.signInUrl === 'string' ? e.body.signInUrl : signInUrl(undefined, true),
    };
  }
  const early = tooFast(e);
  if (early) return { kind: 'error', message: early };
  if (e instanceof ApiError && e.status === 410)
    return { kind: 'expired', message: `Not recorded: this request expired before your decision (${e.message}).` };
  return { kind: 'error', message: `Not recorded: ${(e as Error).message}` };
}

/**
 * The decision; where the policy requires a passkey (`passkey_required`, nothing written), signed with
 * the approver's passkey over exactly this decision and sent again.
 */
async function send(
  id: string,
  v: Verdict,
  b: Record<string, unknown> & { payloadDigest: string },
  say: (s: string | null) => void,
): Promise<ApprovalResult | RejectionResult> {
  const path = `/approvals/${seg(id)}/${v}`;
  try {
    return await api<ApprovalResult | RejectionResult>('POST', path, b);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'passkey_required') throw e;
  }
  say('This decision needs your passkey: confirm it on your device.');
  const passkey = await signWithPasskey(id, v, b);
  say(null);
  return api<ApprovalResult | RejectionResult>('POST', path, { ...b, passkey });
}

/** The bar's fields and the call: validation by the task's rules, then the signed decision. */
function useDecide(p: BarProps) {
  // Drafts: what the person typed survives a sign-in that expires mid-decision.
  const [reason, setReason] = useDraft(`${p.a.id}.reason`, '');
  const [feedback, setFeedback] = useDraft(`${p.a.id}.feedback`, '');
  const [assignTo, setAssignTo] = useState(p.a.proposedResource ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const invalid = (v: Verdict): string | null => {
    if ((v === 'reject' || p.rules.reasonToApprove) && !reason.trim())
      return v === 'reject' ? 'A reason is required to reject.' : 'A reason is required to approve this request.';
    if (p.rules.feedback && !feedback.trim()) return 'Feedback for the agent is required for this task.';
    return v === 'approve' ? p.jsonError : null;
  };
  // The edited payload under review: what Confirm sends. Derived on every render, so an edit made
  // meanwhile (or a newer version blocking the bar) closes the review in the same render: what can be
  // confirmed is never other than what is on screen.
  const [opened, setReview] = useState<Json | null>(null);
  const review = opened !== null && !p.disabled && JSON.stringify(opened) === JSON.stringify(p.edited) ? opened : null;
  // Closed for good: editing back to the reviewed value must not reopen it without a new Approve.
  useEffect(() => {
    if (opened !== null && review === null) setReview(null);
  });
  const decide = async (v: Verdict, confirmed?: Json) => {
    // Blocked (a newer version arrived): Enter in a field must not decide either.
    if (p.disabled || p.locked) return;
    p.setVerdict(v);
    const bad = invalid(v);
    setError(bad);
    if (bad) return;
    // An edited payload is approved in two steps: review the changes, then confirm (never by one Enter).
    if (v === 'approve' && confirmed === undefined && editsOf(p) !== undefined) {
      setReview(p.edited);
      return;
    }
    setBusy(true);
    try {
      const b = body({ ...p, verdict: v, edited: confirmed ?? p.edited }, reason.trim(), feedback, assignTo);
      const res = await send(p.a.id, v, b, setError);
      const signed = res.signedWithPasskey ? ` Signed with your passkey “${res.signedWithPasskey.name}”.` : '';
      await p.onOutcome({
        kind: 'recorded',
        message: `${v === 'approve' ? 'Approved.' : 'Rejected.'}${signed}`,
        result: res,
      });
    } catch (e) {
      await p.onOutcome(problem(e));
    } finally {
      setBusy(false);
    }
  };
  const closeReview = () => {
    setReview(null);
    document.getElementById('approve')?.focus();
  };
  return { reason, setReason, feedback, setFeedback, assignTo, setAssignTo, error, busy, decide, review, closeReview };
}

function RoutingSelect({ a, value, onChange }: { a: ApprovalDetail; value: string; onChange: (v: string) => void }) {
  return (
    <div class="field">
      <label for="assign-to">Assign the task to</label>
      <select id="assign-to" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {(a.ranking ?? []).map((r) => (
          <option key={r.id} value={r.id}>
            {r.id} — match {Math.round(r.capabilityMatch * 100)} %, quality{' '}
            {r.meanQuality === null ? 'unrated' : r.meanQuality.toFixed(2)} ({r.ratings})
          </option>
        ))}
      </select>
    </div>
  );
}

/** Who the decision will be recorded for, as the person knows themselves (the seed: proper authority). */
function SignedInAs() {
  const s = useStore();
  if (!s.me) return null;
  return (
    <p class="muted small" id="deciding-as">
      Deciding as <strong>{s.profile?.displayName ?? s.me.id}</strong>
      {s.profile?.email ? ` (${s.profile.email})` : ''} · {s.me.id}
    </p>
  );
}

type Decide = ReturnType<typeof useDecide>;

/** Approve and Reject (Approve opens the review step when the payload was edited). */
function DecisionButtons({ p, x }: { p: BarProps; x: Decide }) {
  return (
    <div class="actions">
      <button
        type="button"
        class="primary"
        id="approve"
        aria-keyshortcuts="a"
        disabled={x.busy || p.disabled || p.locked}
        aria-describedby={p.locked ? 'review-wait' : undefined}
        onClick={() => void x.decide('approve')}
      >
        {p.verdict === 'approve' && editsOf(p) !== undefined ? 'Approve with my changes…' : 'Approve'}
      </button>
      <button
        type="button"
        class="danger"
        id="reject"
        aria-keyshortcuts="r"
        disabled={x.busy || p.disabled || p.locked}
        aria-describedby={p.locked ? 'review-wait' : undefined}
        onClick={() => void x.decide('reject')}
      >
        Reject
      </button>
    </div>
  );
}

export function DecisionBar(p: BarProps) {
  const x = useDecide(p);
  const reasonRequired = p.verdict === 'reject' || p.rules.reasonToApprove;
  const onEnter = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || e.shiftKey) return;
    e.preventDefault();
    void x.decide(p.verdict);
  };
  const text = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <section class="decision-bar card" aria-labelledby="decide-title" id="decide">
      <h2 id="decide-title" class="h3">
        {p.stale ? 'Approve again' : 'Your decision'}
      </h2>
      <SignedInAs />
      {p.a.kind === 'routing' && p.a.ranking ? (
        <RoutingSelect a={p.a} value={x.assignTo} onChange={x.setAssignTo} />
      ) : null}
      <div class="field">
        <label for="reason">Reason {reasonRequired ? '(required)' : '(optional; required to reject)'}</label>
        <input
          id="reason"
          value={x.reason}
          required={reasonRequired}
          aria-describedby="reason-help"
          onInput={text(x.setReason)}
          onKeyDown={onEnter}
          disabled={p.disabled}
        />
        <span id="reason-help" class="muted small">
          Signed with your decision.{' '}
          {p.verdict === 'approve' && editsOf(p) !== undefined ? (
            <>
              Enter opens <strong>the review of your changes</strong>.
            </>
          ) : (
            <>
              Enter records: <strong>{p.verdict === 'approve' ? 'approve' : 'reject'}</strong>.
            </>
          )}
        </span>
      </div>
      <div class="field">
        <label for="feedback">Feedback for the agent {p.rules.feedback ? '(required)' : '(optional)'}</label>
        <input
          id="feedback"
          value={x.feedback}
          required={p.rules.feedback}
          onInput={text(x.setFeedback)}
          onKeyDown={onEnter}
          disabled={p.disabled}
        />
      </div>
      {x.review !== null ? (
        <ReviewChanges
          before={basePayload(p.a) as Json}
          after={x.review}
          busy={x.busy}
          disabled={p.disabled}
          onConfirm={() => void x.decide('approve', x.review as Json)}
          onBack={x.closeReview}
        />
      ) : (
        <DecisionButtons p={p} x={x} />
      )}
      {x.error ? (
        <p class="status error" role="alert" id="decision-error">
          {x.error}
        </p>
      ) : null}
    </section>
  );
}
