/**
 * RFC 6962 published vectors, and a signed ledger export, through core's verifier on the browser's
 * `#crypto` (@noble/hashes, @noble/curves) instead of node:crypto: the module the web console's
 * bundle gets. packages/web/test/verifier.browser.test.ts runs the same in Chromium.
 */
import { describe, expect, it, vi } from 'vitest';
import { signedExport } from '../../../test-support/signed-export.js';
import { rfc6962Suite } from './rfc6962.suite.js';

vi.mock('#crypto', () => import('../src/crypto/web.js'));

rfc6962Suite('RFC 6962 published vectors (browser #crypto)', () => import('../src/verifier.js'));

describe('the verifier on the browser #crypto', () => {
  it('runs on the browser module (not node:crypto)', async () => {
    const crypto = await import('#crypto');
    const web = await import('../src/crypto/web.js');
    expect(crypto.sha256).toBe(web.sha256);
    expect(crypto.verifyEd25519).toBe(web.verifyEd25519);
  });

  it('verifies a signed export (checkpoint signatures, log and task-heads roots) and names a bad entry', async () => {
    const { parseLedgerExport, verifyLedger } = await import('../src/verifier.js');
    const text = (o: { badColumnAt?: number; badHeadsAt?: number } = {}) => {
      const e = signedExport({ entries: 40, entryBytes: 30, tasks: 5, every: 4, ...o });
      return { key: e.publicKey, bundle: parseLedgerExport([...e.lines].join('\n')) };
    };
    const ok = text();
    expect(verifyLedger(ok.bundle, ok.key)).toEqual({
      ok: true,
      size: 40,
      checkpointsVerified: 10,
      decisionsVerified: 0,
    });
    const col = text({ badColumnAt: 17 });
    expect(verifyLedger(col.bundle, col.key)).toMatchObject({ ok: false, firstBadIndex: 17 });
    const heads = text({ badHeadsAt: 20 });
    expect(verifyLedger(heads.bundle, heads.key)).toMatchObject({ ok: false, firstBadIndex: 16 });
  });
});
