/**
 * Who is looking at a request: "claim" tells the other approvers of the role for a few minutes (not a
 * lock: anyone eligible may still decide), and who a lead assigned it to. After the decision, a
 * synthetic attention check says what it was (`CheckNotice`).
 */
import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../lib/api.js';
import { useNow } from '../lib/hooks.js';
import type { ApprovalDetail, Me } from '../lib/types.js';
import { Principal } from '../views/common.js';

export function Claim({ a, me, onChange }: { a: ApprovalDetail; me: Me; onChange: () => unknown }) {
  const [error, setError] = useState<string | null>(null);
  const t = useNow();
  if (a.status !== 'pending') return null;
  const live = a.claimedBy && a.claimedUntil && Date.parse(a.claimedUntil) > t ? a.claimedBy : null;
  const mine = live === me.id;
  const act = async (method: 'POST' | 'DELETE') => {
    setError(null);
    try {
      await api(method, `/approvals/${seg(a.id)}/claim`, method === 'POST' ? {} : undefined);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
    await onChange();
  };
  const until = a.claimedUntil ? new Date(a.claimedUntil).toLocaleTimeString() : '';
  return (
    <section class="card claim" aria-label="Who is looking at this" id="claim">
      {live ? (
        <p role="status" data-claimed-by={live}>
          {mine ? 'You are looking at this' : <Principal id={live} />}
          {mine ? '' : ' is looking at this'} until {until} (anyone may still decide).
        </p>
      ) : (
        <p class="muted">Nobody has claimed this request.</p>
      )}
      {a.assignee ? (
        <p data-assignee={a.assignee}>
          Assigned to <Principal id={a.assignee} />
          {a.assignedBy ? (
            <>
              {' '}
              by <Principal id={a.assignedBy} />
            </>
          ) : null}
        </p>
      ) : null}
      {mine ? (
        <button type="button" onClick={() => act('DELETE')}>
          Release
        </button>
      ) : live ? null : (
        <button type="button" onClick={() => act('POST')}>
          Claim — I'm looking at it
        </button>
      )}
      {error ? (
        <p class="status error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** After the decision: this request was an attention check, what was planted, and that it never ran. */
export function CheckNotice({ a }: { a: ApprovalDetail }) {
  const c = a.attentionCheck;
  if (!c) return null;
  return (
    <section class="card" aria-labelledby="check-title" id="attention-check">
      <h2 id="check-title" class="h3">
        {c.caught ? 'Well spotted: this was an attention check' : 'This was an attention check'}
      </h2>
      <p role="status">{c.message}</p>
    </section>
  );
}
