import { useEffect, useRef } from 'preact/hooks';
import { DiffView } from './DiffView.js';
import type { Changed } from './liveVersion.js';

/**
 * The decision bar's block when the payload changed under the approver: what changed, and the one
 * way on: show the new version (then decide on it). Focus moves to the heading, not the button, so
 * an Enter meant for the reason field neither decides nor skips the change.
 */
export function ChangedNotice({ c, onAcknowledge }: { c: Changed; onAcknowledge: () => void }) {
  const heading = useRef<HTMLHeadingElement | null>(null);
  // Once per version (and once more if the server refused a decision), not on every live update.
  useEffect(() => heading.current?.focus(), [c.next.a.currentDigest, c.refused]);
  return (
    <section class="card warning changed" aria-labelledby="changed-title" id="changed">
      <h2 id="changed-title" class="h3" tabIndex={-1} ref={heading}>
        The payload changed while you were deciding
      </h2>
      <p id="changed-summary">
        {c.refused ? 'Your decision was not recorded. ' : ''}
        The payload was edited after you opened this request, so a decision on the version on screen would not be for
        what now stands. What changed:
      </p>
      <DiffView id="changed-diff" list={c.list} empty="The server did not say what changed." />
      <p>Show the new version, review it, then decide on it.</p>
      <button type="button" class="primary" id="acknowledge" onClick={onAcknowledge}>
        Show the new version
      </button>
    </section>
  );
}
