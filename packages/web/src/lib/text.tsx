/**
 * Agent-supplied text is only ever rendered as text (JSX children, never innerHTML). Bidi controls
 * and zero-width characters are shown escaped (`⟦U+202E⟧`) and the value is flagged, using core's
 * `revealInvisible` / `invisibleCharacters` (bundled from packages/core/src/text.ts).
 */
import { invisibleCharacters, revealInvisible } from '@humanos/core/text';

export { invisibleCharacters, revealInvisible };

/** Text an agent wrote: escaped invisibles, and a visible flag when there were any. */
export function AgentText({ text, id }: { text: string | null | undefined; id?: string }) {
  const value = text ?? '';
  const revealed = revealInvisible(value);
  const flagged = revealed !== value;
  return (
    <>
      <span id={id} class={flagged ? 'agent-text flagged' : 'agent-text'} data-flagged={flagged ? 'true' : undefined}>
        {revealed}
      </span>
      {flagged ? <span class="flag"> (hidden characters shown as ⟦U+…⟧)</span> : null}
    </>
  );
}
