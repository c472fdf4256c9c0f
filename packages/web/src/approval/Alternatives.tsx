/**
 * The alternatives picker (issue 26): when the agent's proposal lists alternatives that carry a
 * payload, the approver may approve one of them instead of the proposal. The decision names the
 * choice (its index and the digest of its payload) and exactly that payload runs. Text-only
 * alternatives are shown but cannot be approved (request changes to have the agent propose one).
 */
import { useState } from 'preact/hooks';
import { api, seg } from '../lib/api.js';
import { AgentText } from '../lib/text.js';
import type { ApprovalDetail, ApprovalResult } from '../lib/types.js';
import type { Outcome } from './DecisionBar.js';
import { Refusal, refused } from './RequestChanges.js';

/** One radio per alternative, with the payload it would run; text-only ones cannot be chosen. */
function Choices(p: {
  alternatives: string[];
  payloads: (Record<string, unknown> | null)[];
  chosen: number | null;
  onChoose: (i: number) => void;
}) {
  return (
    <fieldset>
      <legend>The agent's alternatives (what each would run)</legend>
      {p.alternatives.map((text, i) => {
        const payload = p.payloads[i] ?? null;
        return (
          <div class="field" key={i}>
            <label>
              <input
                type="radio"
                name="alternative"
                value={String(i)}
                disabled={payload === null}
                checked={p.chosen === i}
                onChange={() => p.onChoose(i)}
              />{' '}
              <AgentText text={text} />
            </label>
            {payload === null ? (
              <p class="muted">Text only: nothing to run.</p>
            ) : (
              <pre class="payload" id={`alternative-${i}`}>
                {JSON.stringify(payload, null, 2)}
              </pre>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

export function Alternatives(p: {
  a: ApprovalDetail;
  rules: { reasonToApprove: boolean; feedback: boolean };
  disabled: boolean;
  onOutcome: (o: Outcome) => Promise<void>;
}) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { alternatives, alternativePayloads } = p.a.aiProposal;
  if (p.a.kind !== 'execution' || !alternativePayloads?.some((x) => x !== null)) return null;
  const approve = async () => {
    if (p.disabled || chosen === null) return;
    if (p.rules.reasonToApprove && !reason.trim()) return setError('A reason is required to approve this request.');
    setError(null);
    setBusy(true);
    try {
      const result = await api<ApprovalResult>('POST', `/approvals/${seg(p.a.id)}/approve`, {
        alternative: chosen,
        payloadDigest: p.a.currentDigest,
        ...(reason.trim() ? { approvalReason: reason.trim() } : {}),
      });
      await p.onOutcome({ kind: 'recorded', message: `Approved alternative ${chosen + 1}.`, result });
    } catch (e) {
      await refused(e, p.onOutcome, setError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="alt-title" class="card" id="alternatives-picker">
      <h2 id="alt-title" class="h3">
        Approve an alternative instead
      </h2>
      <Choices alternatives={alternatives} payloads={alternativePayloads} chosen={chosen} onChoose={setChosen} />
      <div class="field">
        <label for="alt-reason">Reason {p.rules.reasonToApprove ? '(required)' : '(optional)'}</label>
        <input id="alt-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      </div>
      <Refusal error={error} />
      <button
        type="button"
        id="approve-alternative"
        disabled={busy || p.disabled || chosen === null}
        onClick={() => void approve()}
      >
        {chosen === null ? 'Choose an alternative' : `Approve alternative ${chosen + 1}`}
      </button>
    </section>
  );
}
