import { describe, expect, it } from 'vitest';
import { signedExport } from '../../../test-support/signed-export.js';
import { verifyExport } from '../src/lib/ledgerCheck.js';

/** The console's driver of core's verifier: index columns, task-heads roots (issue 22), its own two rules. */
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

  it('an export without any signed checkpoint is not called verified; another key is flagged', async () => {
    const e = text();
    const bare = e.text
      .split('\n')
      .filter((l) => !l.startsWith('{"type":"checkpoint"'))
      .join('\n');
    expect(await verifyExport(bare, e.publicKey)).toMatchObject({
      ok: false,
      size: 30,
      reason: 'the export carries no signed checkpoint',
      keyMismatch: false,
    });
    const other = text();
    expect(await verifyExport(e.text, other.publicKey)).toMatchObject({ ok: false, keyMismatch: true });
  });

  it('reports progress in chunks and yields to the page between them', async () => {
    const e = text({ entries: 1200 });
    const seen: [number, number][] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const r = await verifyExport(e.text, e.publicKey, (d, n) => seen.push([d, n]));
    clearInterval(timer);
    expect(r).toMatchObject({ ok: true, size: 1200 });
    expect(seen).toEqual([
      [500, 1200],
      [1000, 1200],
      [1200, 1200],
    ]);
    expect(ticks).toBeGreaterThan(0);
  });
});
