/**
 * `humanos witness` speaks C2SP tlog-witness over real HTTP: it cosigns a consistent checkpoint,
 * answers 409 (text/x.tlog.size) for a stale old size, 422 for an inconsistent checkpoint, 403 for a
 * checkpoint not signed by the log, 404 for an unknown log — and a refusal changes nothing. Its state
 * survives kill -9 of its process; `--forget` is the operator's deliberate reset of one log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCosignatures,
  didKeyFromPublicKey,
  entryLeafHash,
  formatAddCheckpoint,
  generateSigningKey,
  MemoryMerkleTree,
  parseWitnessKey,
  type SigningKey,
  signCheckpoint,
} from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnNode, spawnUntil } from '../../../../test-support/harness.js';
import { type RunningWitness, startWitness } from './witness.js';

const ORIGIN = 'humanos.test/witnessed';
const LOG = generateSigningKey();

/** A log of `n` entries (`tag` makes a fork), its tree and signed checkpoints. */
function log(n: number, tag = 'true') {
  const tree = new MemoryMerkleTree();
  for (let i = 0; i < n; i++) tree.append(entryLeafHash(`${tag === 'true' || i < 2 ? 'true' : tag}:${i}`));
  const note = (size: number, key: SigningKey = LOG) =>
    signCheckpoint({ origin: ORIGIN, size, rootHash: Buffer.from(tree.root(size)).toString('base64') }, key);
  return { tree, note };
}

async function add(url: string, oldSize: number, proof: Uint8Array[], checkpoint: string) {
  const res = await fetch(`${url}/add-checkpoint`, {
    method: 'POST',
    body: formatAddCheckpoint({ oldSize, proof, checkpoint }),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function monitored(url: string): Promise<{ status: number; body: string }> {
  const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(ORIGIN))).toString('hex');
  const res = await fetch(`${url}/${hash}/checkpoint`);
  return { status: res.status, body: await res.text() };
}

describe('witness (tlog-witness add-checkpoint)', () => {
  let dir: string;
  let w: RunningWitness;
  const truth = log(8);
  const fork = log(8, 'fork');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'humanos-witness-'));
    w = await startWitness({
      dataDir: dir,
      name: 'witness.test/w1',
      logs: [{ origin: ORIGIN, key: didKeyFromPublicKey(LOG.publicKeyRaw) }],
    });
  });
  afterAll(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cosigns the first checkpoint from size 0 with a cosignature/v1 line by its vkey', async () => {
    const r = await add(w.url, 0, [], truth.note(4));
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^\u2014 witness\.test\/w1 [A-Za-z0-9+/]+=*\n$/);
    const check = checkCosignatures(truth.note(4) + r.body, [parseWitnessKey(w.vkey)]);
    expect(check.valid.has(w.vkey)).toBe(true);
    expect((await monitored(w.url)).body).toBe(truth.note(4) + r.body);
  });

  it('answers 409 with its size when the old size is not the one it cosigned', async () => {
    const r = await add(w.url, 0, [], truth.note(6));
    expect(r).toMatchObject({ status: 409, type: 'text/x.tlog.size', body: '4\n' });
  });

  it('refuses an inconsistent checkpoint (a fork) with 422 and keeps its state', async () => {
    const before = await monitored(w.url);
    // The fork's checkpoint of size 6, with a proof from the witnessed size 4 of the fork's tree.
    const r = await add(w.url, 4, fork.tree.consistencyProof(4, 6), fork.note(6));
    expect(r.status).toBe(422);
    // The true tree's proof with the fork's checkpoint, and an equal size with another root: 422 too.
    expect((await add(w.url, 4, truth.tree.consistencyProof(4, 6), fork.note(6))).status).toBe(422);
    expect((await add(w.url, 4, [], fork.note(4))).status).toBe(422);
    expect(await monitored(w.url)).toEqual(before);
    expect((await add(w.url, 0, [], truth.note(8))).body).toBe('4\n');
    // The consistent one is still accepted.
    expect((await add(w.url, 4, truth.tree.consistencyProof(4, 6), truth.note(6))).status).toBe(200);
  });

  it('403 for a checkpoint not signed by the log, 404 for an unknown log, 400 for a malformed body', async () => {
    const before = await monitored(w.url);
    const stranger = generateSigningKey();
    const r403 = await add(w.url, 6, truth.tree.consistencyProof(6, 8), truth.note(8, stranger).replace(/^/, ''));
    expect(r403.status).toBe(403);
    // A line with the log's name and key id whose signature is wrong: the note is malformed, 403.
    const good = truth.note(8);
    const sig = good.slice(good.lastIndexOf(' ') + 1, -1);
    const bad = Buffer.from(sig, 'base64');
    bad[10] = (bad[10] as number) ^ 1;
    expect(
      (await add(w.url, 6, truth.tree.consistencyProof(6, 8), `${good}\u2014 ${ORIGIN} ${bad.toString('base64')}\n`))
        .status,
    ).toBe(403);
    const other = signCheckpoint(
      { origin: 'other.test/log', size: 1, rootHash: Buffer.alloc(32).toString('base64') },
      LOG,
    );
    expect((await add(w.url, 0, [], other)).status).toBe(404);
    const r400 = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: 'old 01\n\nx\n' });
    expect(r400.status).toBe(400);
    expect((await add(w.url, 9, [], truth.note(8))).status).toBe(400);
    expect(await monitored(w.url)).toEqual(before);
  });
});

async function humanosCli(args: string[]): Promise<{ code: number | null; err: string }> {
  const proc = spawnNode([join(REPO_ROOT, 'packages/cli/bin/humanos.js'), ...args]);
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  return { code, err };
}

describe('witness process', () => {
  it('keeps its state and key across kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humanos-witness-'));
    const truth = log(5);
    const start = async () => {
      const {
        proc,
        match: url,
        output,
      } = await spawnUntil(
        [
          join(REPO_ROOT, 'packages/cli/bin/humanos.js'),
          'witness',
          '--data-dir',
          dir,
          '--listen',
          '127.0.0.1:0',
          '--log',
          `${ORIGIN}=${didKeyFromPublicKey(LOG.publicKeyRaw)}`,
        ],
        {},
        /listening on (http:\/\/\S+)/,
        60_000,
      );
      const out = output();
      // stdout and stderr are two pipes: find the vkey line, not the first line.
      return { proc, url, vkey: /^(\S+\+[0-9a-f]{8}\+\S+)$/m.exec(out)?.[1] as string };
    };
    try {
      const a = await start();
      expect(parseWitnessKey(a.vkey).name).toMatch(/^humanos-witness\/[0-9a-f]{8}$/);
      expect((await add(a.url, 0, [], truth.note(3))).status).toBe(200);
      a.proc.kill('SIGKILL');
      await new Promise((r) => a.proc.once('exit', r));
      const b = await start();
      expect(b.vkey).toBe(a.vkey);
      expect(await add(b.url, 0, [], truth.note(5))).toMatchObject({ status: 409, body: '3\n' });
      expect((await add(b.url, 3, truth.tree.consistencyProof(3, 5), truth.note(5))).status).toBe(200);
      // The operator accepts a rolled-back log deliberately: --forget, then it starts over from old 0.
      const forgot = await humanosCli(['witness', '--data-dir', dir, '--forget', ORIGIN]);
      expect(forgot).toMatchObject({ code: 0 });
      expect(forgot.err).toContain(`forgot ${ORIGIN} (it had cosigned size 5)`);
      expect((await add(b.url, 0, [], truth.note(2))).status).toBe(200);
      b.proc.kill('SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
