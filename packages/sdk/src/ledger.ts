/** The signed ledger: checkpoint, public key, export, and offline verification. */
import { type LedgerBundle, parseLedgerExport, type VerifyReport, verifyLedger } from '@humanos/core';
import { path, type Transport } from './transport.js';

export class LedgerClient {
  constructor(private readonly http: Transport) {}

  /** The latest signed checkpoint (public: no token needed). */
  checkpoint(): Promise<{ size: number; rootHash: string; checkpoint: string; origin: string }> {
    return this.http.request('GET', path`/ledger/checkpoint`, { retry: true });
  }

  /** The server's signing key as a `did:key` (public). */
  publicKey(): Promise<{ origin: string; publicKey: string }> {
    return this.http.request('GET', path`/ledger/public-key`, { retry: true });
  }

  /** The full ledger as JSON Lines (needs the admin or auditor role). */
  export(): Promise<string> {
    return this.http.request('GET', path`/ledger/export`, { retry: true, raw: true, timeoutMs: 10 * 60_000 });
  }

  /**
   * Downloads the ledger and verifies it offline. Pass the public key you trust (a `did:key`);
   * without it, the server's own claim is used, which proves integrity but not authorship.
   *
   * @example
   * const report = await client.ledger.verify('did:key:z6Mk…');
   * if (!report.ok) console.error(`tampered at ${report.firstBadIndex}: ${report.reason}`);
   */
  async verify(trustedPublicKey?: string): Promise<VerifyReport> {
    const bundle: LedgerBundle = parseLedgerExport(await this.export());
    return verifyLedger(bundle, trustedPublicKey);
  }
}
