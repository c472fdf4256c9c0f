/**
 * "Request changes": instead of approving or rejecting, the approver sends the request back to its
 * agent with feedback (issue 26). The task leaves every inbox until the agent revises it; the revision
 * is a new version and every approver is asked again. Bound to the version on screen (its digest):
 * the server refuses it, writing nothing, if the payload changed since.
 */
import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../lib/api.js';
import { useDraft } from '../lib/draft.js';
import type { ApprovalDetail } from '../lib/types.js';
import type { Outcome } from './DecisionBar.js';
import { staleProblem } from './liveVersion.js';
import { tooFast } from './ReviewWait.js';

/**
 * A refused action of the approval page's side controls: a stale version goes to the page's block
 * (what changed); anything else is said beside the control. Nothing was recorded either way.
 */
export async function refused(
  e: unknown,
  onOutcome: (o: Outcome) => Promise<void>,
  say: (message: string) => void,
): Promise<void> {
  const stale = staleProblem(e);
  if (stale) await onOutcome({ kind: 'stale', message: 'Not recorded: the payload changed.', changes: stale.diff });
  else say(tooFast(e) ?? `Not recorded: ${e instanceof ApiError ? e.message : (e as Error).message}`);
}

/** Why the control's action was not recorded, announced to screen readers. */
export function Refusal({ error }: { error: string | null }) {
  return error ? (
    <p class="status error" role="alert">
      {error}
    </p>
  ) : null;
}

export function RequestChanges(p: { a: ApprovalDetail; disabled: boolean; onOutcome: (o: Outcome) => Promise<void> }) {
  const [feedback, setFeedback] = useDraft(`${p.a.id}.changes`, '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Only a task's execution approval goes back to the agent as a whole.
  if (p.a.kind !== 'execution') return null;
  const send = async () => {
    if (p.disabled) return;
    if (!feedback.trim()) return setError('Say what the agent should change.');
    setError(null);
    setBusy(true);
    try {
      await api('POST', `/approvals/${seg(p.a.id)}/request-changes`, {
        feedback: feedback.trim(),
        payloadDigest: p.a.currentDigest,
      });
      setFeedback('');
      await p.onOutcome({ kind: 'recorded', message: 'Changes requested: the request went back to the agent.' });
    } catch (e) {
      await refused(e, p.onOutcome, setError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="card request-changes" id="request-changes">
      <summary>Request changes</summary>
      <p class="muted">
        Neither approve nor reject: the agent gets your feedback and sends a new version, which every approver reviews
        again.
      </p>
      <div class="field">
        <label for="changes-feedback">What should the agent change? (required)</label>
        <textarea
          id="changes-feedback"
          rows={3}
          maxLength={5000}
          value={feedback}
          onInput={(e) => setFeedback((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      <Refusal error={error} />
      <button type="button" id="send-changes" disabled={busy || p.disabled} onClick={() => void send()}>
        Send back to the agent
      </button>
    </details>
  );
}
