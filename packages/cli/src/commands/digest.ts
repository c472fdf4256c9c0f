/**
 * What `approve` and `reject` share about payload versions: the `--digest` option, and telling the
 * approver plainly when the server refused a decision because the payload is not the version named
 * (`409 stale_payload`) or because no version was named (`428 payload_digest_required`).
 */
import { type PayloadChange, PayloadDigestRequiredError, StalePayloadError } from '@human/sdk';
import { revealInvisible } from '@humanos/core';
import { InvalidArgumentError } from 'commander';
import { type Ctx, EXIT } from '../context.js';

/** A commander parser for `--digest`: `sha256:` and 64 hex digits (case is not significant). */
export function parseDigest(value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^sha256:[0-9a-f]{64}$/.test(v))
    throw new InvalidArgumentError(`--digest takes the digest "humanos show" prints (sha256:<64 hex>), not "${value}"`);
  return v;
}

/** A value of a payload as one line; agent text is untrusted, so invisible characters are shown. */
function show(v: unknown): string {
  return revealInvisible(JSON.stringify(v) ?? 'undefined');
}

/** The diff of a `stale_payload` answer, one change a line (`/iban: "DE…" → "GB…"`). */
export function describeChanges(diff: PayloadChange[] | null): string {
  if (diff === null) return '  (the server did not say what changed; compare the payload below)\n';
  if (diff.length === 0) return '  (no difference in the payload itself)\n';
  return diff
    .map((c) => {
      const at = revealInvisible(c.path || '/');
      if (!('from' in c)) return `  ${at}: added ${show(c.to)}\n`;
      if (!('to' in c)) return `  ${at}: removed (was ${show(c.from)})\n`;
      return `  ${at}: ${show(c.from)} → ${show(c.to)}\n`;
    })
    .join('');
}

const PAST = { approve: 'approved', reject: 'rejected', 'request-changes': 'asked changes for' } as const;

/**
 * Explains a refusal over the payload's version on stderr and sets the exit code (5, conflict);
 * returns false for any other error (the caller rethrows it). Nothing was recorded in either case.
 */
export function explainVersionRefusal(
  ctx: Ctx,
  id: string,
  verb: 'approve' | 'reject' | 'request-changes',
  e: unknown,
): boolean {
  if (e instanceof StalePayloadError) {
    ctx.io.stderr(
      `humanos: stale_payload: not recorded — the payload changed since the version you ${PAST[verb]}.\n` +
        `  you saw:  ${e.seenDigest}\n  now:      ${e.currentDigest}\n` +
        `What changed:\n${describeChanges(e.diff)}` +
        `The payload now:\n  ${revealInvisible(JSON.stringify(e.currentPayload, null, 2)).replaceAll('\n', '\n  ')}\n` +
        `To ${verb} this version after reviewing it: humanos ${verb} ${id} --digest ${e.currentDigest}\n`,
    );
    ctx.code = EXIT.conflict;
    return true;
  }
  if (e instanceof PayloadDigestRequiredError) {
    ctx.io.stderr(
      `humanos: payload_digest_required: not recorded — the payload was edited after it was proposed, so an approval must name the version it approves.\n` +
        `Review it with: humanos show ${id}\nthen: humanos ${verb} ${id} --digest <the digest it prints>` +
        `${e.currentDigest ? ` (now ${e.currentDigest})` : ''}\n`,
    );
    ctx.code = EXIT.conflict;
    return true;
  }
  return false;
}
