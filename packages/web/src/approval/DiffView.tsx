import { type Change, changes, show, wordDiff } from '../lib/diff.js';
import { revealInvisible } from '../lib/text.js';
import type { Json } from '../lib/types.js';

/**
 * Word-level changes from `before` to `after` (or the given `list`, e.g. the server's), one line per
 * changed field (text only).
 */
export function DiffView(p: { before?: Json; after?: Json; list?: Change[]; id?: string; empty?: string }) {
  const { id, empty } = p;
  const list = p.list ?? changes(p.before ?? null, p.after ?? null);
  if (list.length === 0)
    return (
      <p class="muted" id={id}>
        {empty ?? 'No changes.'}
      </p>
    );
  return (
    <ul class="diff" id={id}>
      {list.map((c) => (
        <li key={c.path} class={`chg-${c.kind}`} data-path={c.path}>
          <span class="path">{revealInvisible(c.path)}</span>: <ChangeText c={c} />
        </li>
      ))}
    </ul>
  );
}

function ChangeText({ c }: { c: Change }) {
  if (c.kind === 'added')
    return (
      <>
        <span class="visually-hidden">added </span>
        <ins>{revealInvisible(show(c.after))}</ins>
      </>
    );
  if (c.kind === 'removed')
    return (
      <>
        <span class="visually-hidden">removed </span>
        <del>{revealInvisible(show(c.before))}</del>
      </>
    );
  return (
    <span class="words">
      {wordDiff(revealInvisible(show(c.before)), revealInvisible(show(c.after))).map((w, i) =>
        w.op === 'same' ? (
          <span key={i}>{w.text}</span>
        ) : w.op === 'del' ? (
          <del key={i}>
            <span class="visually-hidden">was </span>
            {w.text}
          </del>
        ) : (
          <ins key={i}>
            <span class="visually-hidden">now </span>
            {w.text}
          </ins>
        ),
      )}
    </span>
  );
}
