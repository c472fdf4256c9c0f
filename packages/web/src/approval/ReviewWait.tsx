/**
 * The policy's minimum review time (`minReviewSeconds`): the decision controls stay locked for that
 * many seconds after the page loaded the request. The server counts from the approver's first open
 * (that same GET) and refuses an earlier decision with `review_too_fast`, so the lock only saves a
 * round trip and says why; the server stays the authority.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import type { ApprovalDetail } from '../lib/types.js';

/**
 * Seconds left before the approver may decide this request (0: now, or no minimum, or not pending).
 *
 * @example
 * const wait = useReviewWait(v.a, v.open); // 12, 11, … 0
 */
export function useReviewWait(a: ApprovalDetail | undefined, pending: boolean): number {
  // Counted from the first time this page had this request: a reload of the same data does not restart it.
  const loaded = useRef<{ id: string; at: number } | null>(null);
  if (a && loaded.current?.id !== a.id) loaded.current = { id: a.id, at: Date.now() };
  // The tick only re-renders; the time is read at each render (a tick's value would lag the load).
  const [, tick] = useState(0);
  const now = Date.now();
  const min = a?.minReviewSeconds ?? 0;
  const start = loaded.current?.at ?? now;
  const left = pending && min > 0 ? Math.max(0, Math.ceil((start + min * 1000 - now) / 1000)) : 0;
  const waiting = left > 0;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, [waiting]);
  return left;
}

/** The notice while the controls are locked; the buttons point at it (`aria-describedby`). */
export function ReviewWait({ seconds }: { seconds: number }) {
  if (seconds <= 0) return null;
  return (
    <p class="status review-wait" id="review-wait" data-seconds-left={seconds}>
      You can decide in <strong>{seconds} s</strong> — the policy asks for a minimum review time.
    </p>
  );
}

/**
 * A decision refused as too early (`409 review_too_fast`): how long is left, from the server's problem.
 * Null for any other error.
 *
 * @example
 * tooFast(e) ?? `Not recorded: ${e.message}`
 */
export function tooFast(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.code !== 'review_too_fast') return null;
  const left = typeof e.body.secondsLeft === 'number' ? e.body.secondsLeft : null;
  return left === null
    ? 'Not recorded: the policy asks for a minimum review time before deciding.'
    : `Not recorded: the policy asks for a minimum review time — you can decide in ${left} s.`;
}
