import { describe, expect, it } from 'vitest';
import { signedExport } from '../../../test-support/signed-export.js';
import { verifyExport } from '../src/lib/ledgerCheck.js';

/** The console's WebCrypto verifier checks what core's does: index columns and task-heads roots (issue 22). */
describe('console ledger verifier', () => {
  const text = (o: Partial<Parameters<typeof signedExport>[0]> = {}) => {
    const e = signedExport({ entries: 30, entryBytes: 50, tasks: 4, every: 3, ...o });
    return { publicKey: e.publicKey, text: [...e.lines].join('\n') };
  };

  it('an honest export verifies, checkpoints with task-heads lines included', async () => {
    const e = text();
    expect(await verifyExport(e.text, e.publicKey)).toMatchObject({ ok: true, size: 30, checkpointsVerified: 10 });
  });

  it('an edited taskId column is named at its entry', async () => {
    const e = text({ badColumnAt: 13 });
    const r = await verifyExport(e.text, e.publicKey);
    expect(r).toMatchObject({ ok: false, firstBadIndex: 13 });
    expect(r.reason).toMatch(/taskId column/);
  });

  it('a signed task-heads root the entries do not give is named by its range', async () => {
    const e = text({ badHeadsAt: 12 });
    const r = await verifyExport(e.text, e.publicKey);
    expect(r).toMatchObject({ ok: false, firstBadIndex: 9 });
    expect(r.reason).toMatch(/task heads of the first 12 entries differ/);
  });
});
