import { changes } from '../lib/diff.js';
import type { Json } from '../lib/types.js';
import { DiffView } from './DiffView.js';
import { PayloadEditor } from './PayloadEditor.js';

/** The payload once (table or JSON), and the word-level diff of the edits against the agent's proposal. */
export function PayloadSection(p: {
  base: Json;
  proposed: Json;
  value: Json;
  edited: Json | null;
  setEdited: (v: Json | null) => void;
  editable: boolean;
  editing: string | null;
  setEditing: (k: string | null) => void;
  jsonMode: boolean;
  setJsonMode: (b: boolean) => void;
  setJsonError: (e: string | null) => void;
}) {
  return (
    <section aria-labelledby="payload-title" class="card">
      <div class="section-head">
        <h2 id="payload-title" class="h3">
          Payload
        </h2>
        {p.editable ? (
          <button type="button" class="small" aria-pressed={p.jsonMode} onClick={() => p.setJsonMode(!p.jsonMode)}>
            JSON mode
          </button>
        ) : null}
      </div>
      <PayloadEditor
        base={p.base}
        value={p.value}
        onChange={p.setEdited}
        editable={p.editable}
        editing={p.editing}
        setEditing={p.setEditing}
        jsonMode={p.jsonMode}
        setJsonError={p.setJsonError}
      />
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
