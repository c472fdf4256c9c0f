/**
 * Invisible and direction-changing characters in agent-supplied text. `"\u202E00001\u202C"` shows as
 * `10000`: wherever a human decides, such text is flagged and shown escaped.
 */

/** Bidirectional controls (embeddings, overrides, isolates, marks). */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Zero-width and other invisible formatting characters (incl. the Unicode tag block). */
const ZERO_WIDTH = /[\u180E\u200B-\u200D\u2060-\u2064\uFEFF]|[\u{E0000}-\u{E007F}]/u;
const ANY = new RegExp(`${BIDI.source}|${ZERO_WIDTH.source}`, 'gu');

export interface TextWarning {
  /** Where, as a dot path from the checked value (`payload.to`, `description`). */
  path: string;
  kinds: ('bidi_control' | 'zero_width')[];
}

/**
 * Lists the strings (and keys) under `value` that contain bidi controls or zero-width characters.
 *
 * @example
 * invisibleCharacters({ payload: { amount: '\u202E00001\u202C' } }) // [{ path: 'payload.amount', kinds: ['bidi_control'] }]
 */
export function invisibleCharacters(value: unknown, path = ''): TextWarning[] {
  const out: TextWarning[] = [];
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [v, at] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      const kinds: TextWarning['kinds'] = [];
      if (BIDI.test(v)) kinds.push('bidi_control');
      if (ZERO_WIDTH.test(v)) kinds.push('zero_width');
      if (kinds.length) out.push({ path: at, kinds });
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stack.push([x, `${at}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        const p = at ? `${at}.${k}` : k;
        if (invisibleCharacters(k).length)
          out.push({ path: `${p} (key)`, kinds: invisibleCharacters(k)[0]?.kinds ?? [] });
        stack.push([x, p]);
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * The text with every invisible or direction-changing character shown as `⟦U+XXXX⟧`.
 *
 * @example
 * revealInvisible('\u202E00001') // '⟦U+202E⟧00001'
 */
export function revealInvisible(text: string): string {
  return text.replace(ANY, (c) => `⟦U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}
