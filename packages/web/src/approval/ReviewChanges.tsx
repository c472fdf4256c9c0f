/**
 * "Review your changes": an approval of an edited payload is a second, explicit step. The approver sees
 * word by word what their edits change, and only **Confirm and approve** sends the decision (nothing
 * goes to the server before). Focus moves to the step's heading, not to the button, so the Enter that
 * opened it (or a repeated one) can neither confirm nor skip it.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Json } from '../lib/types.js';
import { DiffView } from './DiffView.js';

/**
 * The review step shown in place of Approve/Reject.
 *
 * @example
 * <ReviewChanges before={base} after={edited} busy={false} onConfirm={send} onBack={close} />
 */
export function ReviewChanges(p: {
  before: Json;
  after: Json;
  busy: boolean;
  disabled: boolean;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);
  return (
    <section class="review-changes" aria-labelledby="review-title" id="review-changes">
      <h3 id="review-title" class="h4" tabIndex={-1} ref={title}>
        Review your changes
      </h3>
      <p class="small">
        You edited the payload. Approving makes <strong>this</strong> what executes, instead of what was asked:
      </p>
      <DiffView id="review-diff" before={p.before} after={p.after} />
      <div class="actions">
        <button
          type="button"
          class="primary"
          id="confirm-approve"
          disabled={p.busy || p.disabled}
          onClick={p.onConfirm}
        >
          Confirm and approve
        </button>
        <button type="button" id="review-back" disabled={p.busy} onClick={p.onBack}>
          Back
        </button>
      </div>
    </section>
  );
}
