import { closeSync, createReadStream, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/**
 * Runs the built CLI under a heap limit; reports its exit code, output and peak RSS (GNU time).
 * `source` is a file (`--file`) or a server's URL (the export is fetched from it).
 */
async function verifyWithCli(source: string | { url: string; tmp: string }, publicKey: string, heapMiB: number) {
  const argv: [string, ...string[]] = ['/usr/bin/time', '-f', 'maxrss=%M', process.execPath];
  argv.push(`--max-old-space-size=${heapMiB}`, CLI_PATH, 'ledger', 'verify');
  if (typeof source === 'string') argv.push('--file', source);
  const env: Record<string, string> =
    typeof source === 'string'
      ? { HOME: tmpdir() }
      : { HOME: tmpdir(), TMPDIR: source.tmp, HUMANOS_URL: source.url, HUMANOS_API_KEY: 'auditor-token' };
  const r = await spawnCli([...argv, '--public-key', publicKey, '--json'], env);
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 'NaN');
  return { ...r, maxRssMiB: kb / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'humanos-large-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('humanos ledger verify --file on a log of any size (issue 22)', () => {
  const file = join(dir, 'large.jsonl');
  let publicKey: string;
  let bytes: number;
  beforeAll(() => {
    publicKey = writeLargeExport(file, { entries: 550, entryBytes: MiB, tasks: 300, every: 7 });
    bytes = statSync(file).size;
    // Larger than the longest string V8 can make (~512 MiB): reading it whole fails outright.
    expect(bytes).toBeGreaterThan(550 * MiB);
  }, 300_000);

  const expectVerifiedWithin = (r: Awaited<ReturnType<typeof verifyWithCli>>, started: number, how: string) => {
    // The measurement, for docs/ledger.md and the report.
    console.info(
      `${how}: verified ${(bytes / MiB).toFixed(0)} MiB in ${Date.now() - started} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, size: 550, checkpointsVerified: 79 });
    expect(
      r.maxRssMiB,
      `peak RSS ${r.maxRssMiB.toFixed(0)} MiB for a ${(bytes / MiB).toFixed(0)} MiB export`,
    ).toBeLessThan(320);
  };

  it('a 550 MiB export (300 tasks of ~1 MB entries) verifies under a 128 MiB heap, peak RSS well below the file', async () => {
    const started = Date.now();
    expectVerifiedWithin(await verifyWithCli(file, publicKey, 128), started, '--file');
  }, 300_000);

  it('without --file the server’s 550 MiB export streams too (spooled to a temporary file, removed after)', async () => {
    // A loopback server that answers GET /v1/humanos/ledger/export with the file, as the real one
    // streams it; the CLI goes through the SDK's client.ledger.verify().
    const server: Server = createServer((req, res) => {
      if (req.url !== '/v1/humanos/ledger/export' || req.headers.authorization !== 'Bearer auditor-token') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tmp = mkdtempSync(join(dir, 'spool-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const started = Date.now();
      expectVerifiedWithin(await verifyWithCli({ url, tmp }, publicKey, 128), started, 'from the server');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      server.close();
    }
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
