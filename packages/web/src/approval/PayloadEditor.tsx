/**
 * The payload, once, as a table of fields; each field can be edited in place (its type kept), or the
 * whole payload in JSON mode. Values are agent text: rendered as text with invisibles revealed.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fields, getPath, isObject, parseFieldInput, setPath, show } from '../lib/diff.js';
import { revealInvisible } from '../lib/text.js';
import type { Json } from '../lib/types.js';

export interface EditorProps {
  base: Json;
  value: Json;
  onChange: (v: Json) => void;
  editable: boolean;
  editing: string | null;
  setEditing: (path: string | null) => void;
  jsonMode: boolean;
  setJsonError: (e: string | null) => void;
}

const key = (path: string[]) => path.join('.');

export function PayloadEditor(p: EditorProps) {
  if (p.jsonMode && p.editable) return <JsonEditor {...p} />;
  const list = fields(p.value).filter((f) => f.path.length > 0);
  if (list.length === 0) return <p class="muted">The payload is empty.</p>;
  return (
    <table class="payload" id="payload">
      <caption class="visually-hidden">Payload fields</caption>
      <PayloadHead editable={p.editable} />
      <tbody>
        {list.map((f) => (
          <FieldRow key={key(f.path)} {...p} path={f.path} v={f.value} />
        ))}
      </tbody>
    </table>
  );
}

/** The payload table's header: Field, Value (and the Edit column when editable). */
export function PayloadHead({ editable }: { editable: boolean }) {
  return (
    <thead>
      <tr>
        <th scope="col">Field</th>
        <th scope="col">Value</th>
        {editable ? (
          <th scope="col">
            <span class="visually-hidden">Edit</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}

/**
 * The ref for field `k`'s Edit button, which gets the focus back when its edit ends (saved or
 * cancelled).
 *
 * @example
 * const editBtn = useEditButtonFocus(p.editing, k); // <button ref={editBtn}>Edit</button>
 */
export function useEditButtonFocus(editing: string | null, k: string) {
  const editBtn = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // A layout effect, not an effect: focus returns to the Edit button in the same task as the render,
  // so a shortcut pressed right after saving (`a` focuses the reason) is never undone by it later.
  useLayoutEffect(() => {
    if (wasEditing.current && editing !== k) editBtn.current?.focus();
    wasEditing.current = editing === k;
  }, [editing]);
  return editBtn;
}

function FieldRow(p: EditorProps & { path: string[]; v: Json }) {
  const k = key(p.path);
  const orig = getPath(p.base, p.path);
  const changed = JSON.stringify(orig) !== JSON.stringify(p.v);
  const editBtn = useEditButtonFocus(p.editing, k);
  return (
    <tr data-field={k} class={changed ? 'changed' : undefined}>
      <th scope="row" class="path">
        {revealInvisible(k)}
      </th>
      <td class="value">
        {p.editing === k ? (
          <FieldInput {...p} k={k} />
        ) : (
          <span class={typeof p.v === 'string' ? 'str' : 'lit'}>{revealInvisible(show(p.v))}</span>
        )}
        {changed ? <span class="edited-mark"> (edited)</span> : null}
      </td>
      {p.editable ? (
        <td>
          {p.editing === k ? null : (
            <button type="button" class="small" ref={editBtn} onClick={() => p.setEditing(k)} aria-label={`Edit ${k}`}>
              Edit
            </button>
          )}
        </td>
      ) : null}
    </tr>
  );
}

/**
 * One field being edited. It takes the focus with the value intact and the caret at its end (never
 * selected: a keystroke meant elsewhere must not replace a value), with a visible label and focus ring,
 * scrolled into view: what the approver types goes only into the field they can see is focused.
 */
export function FieldInput(p: EditorProps & { path: string[]; v: Json; k: string; label?: string }) {
  const [text, setText] = useState(show(p.v));
  const [err, setErr] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    el.setSelectionRange(el.value.length, el.value.length);
    el.scrollIntoView({ block: 'center' });
  }, []);
  const id = `edit-${p.k.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const commit = () => {
    const r = parseFieldInput(text, p.v);
    if (r.error !== undefined) return setErr(r.error);
    p.onChange(setPath(p.value, p.path, r.value as Json));
    p.setEditing(null);
  };
  return (
    <span class="field-edit">
      <label for={id} class="edit-label">
        Editing {p.label ?? p.k}: new value
      </label>
      <input
        id={id}
        ref={input}
        value={text}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `${id}-err` : `${id}-help`}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            p.setEditing(null);
          }
        }}
      />
      <button type="button" class="small" onClick={commit}>
        Save
      </button>
      <button type="button" class="small" onClick={() => p.setEditing(null)}>
        Cancel
      </button>
      {err ? (
        <span id={`${id}-err`} class="error small" role="alert">
          {err}
        </span>
      ) : (
        <span id={`${id}-help`} class="visually-hidden">
          Enter saves, Escape cancels.
        </span>
      )}
    </span>
  );
}

function JsonEditor(p: EditorProps) {
  const [text, setText] = useState(JSON.stringify(p.value, null, 2));
  const [err, setErr] = useState<string | null>(null);
  return (
    <div class="json-edit">
      <label for="edit-json">The payload as JSON</label>
      <textarea
        id="edit-json"
        rows={Math.min(20, text.split('\n').length + 1)}
        spellcheck={false}
        value={text}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby="edit-json-help"
        onInput={(e) => {
          const t = (e.target as HTMLTextAreaElement).value;
          setText(t);
          try {
            const v = JSON.parse(t) as Json;
            if (!isObject(v)) throw new Error('The payload must stay a JSON object.');
            setErr(null);
            p.setJsonError(null);
            p.onChange(v);
          } catch (x) {
            const m = x instanceof SyntaxError ? 'The payload is not valid JSON.' : (x as Error).message;
            setErr(m);
            p.setJsonError(m);
          }
        }}
      />
      <p id="edit-json-help" class={err ? 'error small' : 'muted small'}>
        {err ?? 'Your changes are sent as a JSON merge patch; what you approve is exactly what runs.'}
      </p>
    </div>
  );
}
