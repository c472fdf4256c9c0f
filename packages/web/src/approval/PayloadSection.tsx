import { useRef } from 'preact/hooks';
import { changes } from '../lib/diff.js';
import { revealInvisible } from '../lib/text.js';
import type { ApprovalWarning, Json, PayloadDisplay } from '../lib/types.js';
import { DiffView } from './DiffView.js';
import { DisplayTable } from './PayloadDisplay.js';
import { PayloadEditor } from './PayloadEditor.js';

/**
 * What executes, once: the server's rendering (`display`) when it sends one, with the raw JSON a click
 * away, else the payload's fields as a table; JSON mode edits the whole payload. Below, the word-level
 * diff of the edits against the agent's proposal.
 */
export function PayloadSection(p: {
  base: Json;
  proposed: Json;
  value: Json;
  display?: PayloadDisplay | undefined;
  /** The server's warnings: the display marks the fields they point at. */
  warnings?: ApprovalWarning[] | undefined;
  edited: Json | null;
  setEdited: (v: Json | null) => void;
  editable: boolean;
  editing: string | null;
  setEditing: (k: string | null) => void;
  jsonMode: boolean;
  setJsonMode: (b: boolean) => void;
  setJsonError: (e: string | null) => void;
}) {
  const raw = useRef<HTMLDetailsElement>(null);
  const openRaw = () => {
    if (!raw.current) return;
    raw.current.open = true;
    raw.current.querySelector('summary')?.focus();
  };
  const editor = {
    base: p.base,
    value: p.value,
    onChange: p.setEdited,
    editable: p.editable,
    editing: p.editing,
    setEditing: p.setEditing,
    jsonMode: p.jsonMode,
    setJsonError: p.setJsonError,
  };
  const display = p.jsonMode && p.editable ? undefined : p.display;
  return (
    <section aria-labelledby="payload-title" class="card payload-card" id="payload-section">
      <div class="section-head">
        <h2 id="payload-title" class="h3">
          What executes
        </h2>
        {p.editable ? (
          <button type="button" class="small" aria-pressed={p.jsonMode} onClick={() => p.setJsonMode(!p.jsonMode)}>
            JSON mode
          </button>
        ) : null}
      </div>
      {display ? (
        <DisplayTable {...editor} display={display} openRaw={openRaw} warnings={p.warnings ?? []} />
      ) : (
        <PayloadEditor {...editor} />
      )}
      {display ? (
        <details class="raw-json" id="raw-json" ref={raw}>
          <summary>Raw JSON{p.edited ? ' (with your edits)' : ''}</summary>
          <pre class="mono wrap">{revealInvisible(JSON.stringify(p.value, null, 2))}</pre>
        </details>
      ) : null}
      <h3 class="h4">Changes against the agent's proposal</h3>
      <DiffView id="diff" before={p.proposed} after={p.value} empty="None: the payload is as the agent proposed it." />
      {p.edited && changes(p.base, p.edited).length ? (
        <button type="button" class="small" onClick={() => p.setEdited(null)}>
          Undo my edits
        </button>
      ) : null}
    </section>
  );
}

/** Your approval no longer counts: what changed between the payload you approved and the payload now. */
export function StaleNotice({ approved, now }: { approved: Json; now: Json }) {
  return (
    <section class="card warning" aria-labelledby="stale-title" id="stale">
      <h2 id="stale-title" class="h3">
        Your approval was for an earlier version
      </h2>
      <p>
        The payload was edited after you approved; your approval no longer counts. What changed since your approval:
      </p>
      <DiffView id="stale-diff" before={approved} after={now} />
      <p>Review it and approve again, or reject.</p>
    </section>
  );
}
