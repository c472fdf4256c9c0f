/**
 * What executes, as every channel shows it: the server's rendering of the payload (`display`: labels
 * and formats from the policy's display template, fields an approver edited marked, long values cut
 * with "n more characters"), each field editable in place; the raw JSON one click away.
 */
import { AMOUNT_KEY, fields, getPath, isObject, pointerSegments, pointerToKey, show } from '../lib/diff.js';
import { revealInvisible } from '../lib/text.js';
import type { ApprovalWarning, DisplayField, Json, PayloadDisplay } from '../lib/types.js';
import { type EditorProps, FieldInput, PayloadHead, useEditButtonFocus } from './PayloadEditor.js';

/**
 * The field `e` edits: the one the display template lists first, else the first money field (by the
 * display's format, else by name: `amount`, `total`…), else the first field. Only a field that exists
 * in the payload as a single value (not an object) is a target.
 *
 * @example
 * editTarget({ order: 'A-1', amount: 5 }, undefined); // 'amount'
 */
export function editTarget(value: Json, display: PayloadDisplay | undefined): string | null {
  const leaves = fields(value).filter((f) => f.path.length > 0 && !isObject(f.value));
  const keys = new Set(leaves.map((f) => f.path.join('.')));
  const shown = (display?.fields ?? [])
    .map((f) => ({ ...f, key: pointerToKey(f.path) }))
    .filter((f) => keys.has(f.key));
  const templated = display?.template ? shown[0] : undefined;
  const money = shown.find((f) => f.format === 'money');
  const named = leaves.find((f) => typeof f.value === 'number' && AMOUNT_KEY.test(f.path[f.path.length - 1] ?? ''));
  return templated?.key ?? money?.key ?? named?.path.join('.') ?? leaves[0]?.path.join('.') ?? null;
}

function DisplayRow(p: EditorProps & { f: DisplayField; openRaw: () => void; warned: boolean }) {
  const { f } = p;
  const path = pointerSegments(f.path);
  const k = path.join('.');
  const local = getPath(p.value, path);
  const mine = JSON.stringify(local) !== JSON.stringify(getPath(p.base, path));
  const leaf = local !== undefined && !isObject(local);
  const raw = show(local);
  const editBtn = useEditButtonFocus(p.editing, k);
  return (
    <tr
      data-field={k}
      data-format={f.format}
      class={[mine || f.edited ? 'changed' : '', p.warned ? 'warned' : ''].join(' ').trim() || undefined}
    >
      <th scope="row">
        <span class="label">{revealInvisible(f.label)}</span> <span class="path">{revealInvisible(k)}</span>
      </th>
      <td class="value">
        {p.editing === k && leaf ? (
          <FieldInput {...p} path={path} v={local as Json} k={k} label={f.label} />
        ) : mine ? (
          <>
            <span class="lit">{revealInvisible(raw)}</span> <span class="edited-mark">(your edit)</span>
          </>
        ) : (
          <>
            <span class={`shown fmt-${f.format}`}>{revealInvisible(f.text)}</span>
            {f.truncated > 0 ? (
              <>
                {' '}
                <button type="button" class="link small truncated" onClick={p.openRaw}>
                  … {f.truncated.toLocaleString('en-US')} more characters
                </button>
              </>
            ) : null}
            {/* The value as it is sent, where the formatted text reads differently (2499 vs EUR 24.99). */}
            {f.truncated === 0 && leaf && raw !== f.text ? <span class="raw"> {revealInvisible(raw)}</span> : null}
            {f.edited ? <span class="edited-mark"> (edited by an approver)</span> : null}
            {p.warned ? <span class="flag"> — the agent's text says otherwise (see the warning)</span> : null}
          </>
        )}
      </td>
      {p.editable ? (
        <td>
          {p.editing === k || !leaf ? null : (
            <button
              type="button"
              class="small"
              ref={editBtn}
              onClick={() => p.setEditing(k)}
              aria-label={`Edit ${f.label}`}
            >
              Edit
            </button>
          )}
        </td>
      ) : null}
    </tr>
  );
}

/** The display's fields as a table (`#payload`), and how many more are only in the raw JSON. */
export function DisplayTable(
  p: EditorProps & { display: PayloadDisplay; openRaw: () => void; warnings: ApprovalWarning[] },
) {
  const d = p.display;
  // Fields a warning points at: the agent's text disagrees with this value.
  const warned = new Set(p.warnings.flatMap((w) => (w.field ? [w.field] : [])));
  return (
    <>
      {d.fields.length === 0 ? (
        <p class="muted">No field to show: see the raw JSON.</p>
      ) : (
        <table class="payload display" id="payload">
          <caption class="visually-hidden">What executes, field by field</caption>
          <PayloadHead editable={p.editable} />
          <tbody>
            {d.fields.map((f) => (
              <DisplayRow key={f.path} {...p} f={f} warned={warned.has(f.path)} />
            ))}
          </tbody>
        </table>
      )}
      {d.hiddenFields > 0 ? (
        <p class="muted small" id="hidden-fields">
          {d.hiddenFields === 1 ? '1 more field is' : `${d.hiddenFields.toLocaleString('en-US')} more fields are`} not
          listed here:{' '}
          <button type="button" class="link" onClick={p.openRaw}>
            see the raw JSON
          </button>
          .
        </p>
      ) : null}
    </>
  );
}
