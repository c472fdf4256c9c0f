/**
 * Verifying an export kept in a file (Node-only: `node:fs`; not part of `@humanos/core/verifier`):
 * read line by line in two passes, never whole, so a log of any size verifies in bounded memory
 * (one string of a 550 MiB export cannot even exist). `humanos ledger verify` and the SDK's
 * `client.ledger.verify()` run it, over a file given or one they downloaded the export into.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LedgerExportHeader, VerifyOptions } from './ledger.js';
import { type VerifyReport, verifyLedgerStream } from './verifier.js';

/**
 * Verifies the export in `file` (two streamed passes: checkpoints, then entries).
 *
 * @example
 * const report = await verifyLedgerFile('ledger.jsonl', { trustedPublicKey: 'did:key:z6Mk…' });
 */
export function verifyLedgerFile(
  file: string,
  options: VerifyOptions | ((header: LedgerExportHeader) => VerifyOptions | Promise<VerifyOptions>) = {},
): Promise<VerifyReport> {
  const open = () =>
    createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  return verifyLedgerStream(open, options);
}
