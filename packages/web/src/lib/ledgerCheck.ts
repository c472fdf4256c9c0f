/**
 * Verifies a whole ledger export (`GET /ledger/export`, JSON Lines) in the browser with core's own
 * verifier (`@humanos/core/verifier`, the same code `humanos ledger verify` runs): every entry's place
 * and leaf, every checkpoint's signature, log root and task-heads root, every decision's signature,
 * and that the store's decision rows say what the log says. Names the first bad index.
 */
import { LedgerVerifier, parseLedgerExport, type VerifyReport } from '@humanos/core/verifier';

export interface LedgerReport extends VerifyReport {
  /** The export names another key than the one the server publishes (it is verified against the latter). */
  keyMismatch: boolean;
}

/** Entries checked between two yields to the page, so that it can paint the progress. */
const CHUNK = 500;

const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Verifies an export against the published key (`trustedKey`, a did:key), reporting progress. The
 * verifier is synchronous and incremental: it is fed a chunk of entries at a time, and the page
 * repaints in between.
 *
 * @example
 * const report = await verifyExport(await res.text(), (await api('GET', '/ledger/public-key')).publicKey);
 */
export async function verifyExport(
  text: string,
  trustedKey: string,
  progress: (done: number, total: number) => void = () => {},
): Promise<LedgerReport> {
  const b = parseLedgerExport(text);
  const keyMismatch = b.publicKey !== trustedKey;
  const v = new LedgerVerifier(b, b.checkpoints, { trustedPublicKey: trustedKey });
  const total = b.entries.length;
  for (let at = 0; at < total && !v.failed; at += CHUNK) {
    for (const item of b.entries.slice(at, at + CHUNK)) if (!v.entry(item)) break;
    progress(Math.min(at + CHUNK, total), total);
    await yieldToPage();
  }
  for (const d of b.decisions ?? []) v.decision(d);
  const report = v.finish();
  // An export without any signed checkpoint proves nothing about the log (any entries hash to some
  // root): the console says so rather than "verified".
  if (report.ok && report.checkpointsVerified === 0) {
    return { ...report, ok: false, reason: 'the export carries no signed checkpoint', keyMismatch };
  }
  return { ...report, keyMismatch };
}
