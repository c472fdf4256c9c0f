import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SignedExportOptions, signedExport } from '../../../test-support/signed-export.js';
import { CLI_PATH, spawnCli } from './run.js';

const MiB = 1024 * 1024;

/** Writes a generated signed export to `file` line by line (never one string of it). */
function writeLargeExport(file: string, o: SignedExportOptions): string {
  const { publicKey, lines } = signedExport(o);
  const fd = openSync(file, 'w');
  for (const line of lines) writeSync(fd, `${line}\n`);
  closeSync(fd);
  return publicKey;
}

/** Runs the built CLI under a heap limit; reports its exit code, output and peak RSS (GNU time). */
async function verifyWithCli(file: string, publicKey: string, heapMiB: number) {
  const argv: [string, ...string[]] = ['/usr/bin/time', '-f', 'maxrss=%M', process.execPath];
  argv.push(`--max-old-space-size=${heapMiB}`, CLI_PATH, 'ledger', 'verify', '--file', file);
  const r = await spawnCli([...argv, '--public-key', publicKey, '--json'], { HOME: tmpdir() });
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 'NaN');
  return { ...r, maxRssMiB: kb / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'humanos-large-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('humanos ledger verify --file on a log of any size (issue 22)', () => {
  it('a 550 MiB export (300 tasks of ~1 MB entries) verifies under a 128 MiB heap, peak RSS well below the file', async () => {
    const file = join(dir, 'large.jsonl');
    const publicKey = writeLargeExport(file, { entries: 550, entryBytes: MiB, tasks: 300, every: 7 });
    const bytes = statSync(file).size;
    // Larger than the longest string V8 can make (~512 MiB): reading it whole fails outright.
    expect(bytes).toBeGreaterThan(550 * MiB);
    const started = Date.now();
    const r = await verifyWithCli(file, publicKey, 128);
    // The measurement, for docs/ledger.md and the report.
    console.info(
      `verified ${(bytes / MiB).toFixed(0)} MiB in ${Date.now() - started} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, size: 550, checkpointsVerified: 79 });
    expect(
      r.maxRssMiB,
      `peak RSS ${r.maxRssMiB.toFixed(0)} MiB for a ${(bytes / MiB).toFixed(0)} MiB export`,
    ).toBeLessThan(320);
    rmSync(file);
  }, 300_000);

  it('a streamed export with an edited taskId column fails, naming the entry (exit 7)', async () => {
    const file = join(dir, 'bad-column.jsonl');
    const publicKey = writeLargeExport(file, { entries: 40, entryBytes: 1000, tasks: 5, every: 3, badColumnAt: 17 });
    const r = await verifyWithCli(file, publicKey, 64);
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      firstBadIndex: 17,
      reason: expect.stringMatching(/taskId column/),
    });
  }, 60_000);
});
