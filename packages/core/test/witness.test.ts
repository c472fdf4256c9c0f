/**
 * Witness cosignatures (C2SP signed-note vkeys, tlog-cosignature cosignature/v1, the tlog-witness
 * add-checkpoint body) and the verifier's witness policy: a forked log fails it, the true log passes.
 */
import { describe, expect, it } from 'vitest';
import { encodeEntry, entryLeafHash, type LedgerBundle, verifyLedger } from '../src/ledger.js';
import { MerkleFrontier } from '../src/merkle.js';
import { bytesToHex, didKeyFromPublicKey, openNote, splitNote, verifyBytes } from '../src/notes.js';
import { cosignCheckpoint, generateSigningKey, type SigningKey, signCheckpoint } from '../src/signing.js';
import {
  checkCosignatures,
  cosignatureMessage,
  formatAddCheckpoint,
  formatVerifierKey,
  parseAddCheckpoint,
  parseLogKey,
  parseVerifierKey,
  parseWitnessKey,
} from '../src/witness.js';

const LOG = generateSigningKey();
const ORIGIN = 'humanos.test/log';
const W1 = generateSigningKey();
const W2 = generateSigningKey();
const W3 = generateSigningKey();
const vkey = (name: string, k: SigningKey) => formatVerifierKey(name, k.publicKeyRaw);
const [V1, V2, V3] = [vkey('w1.example/w', W1), vkey('w2.example/w', W2), vkey('w3.example/w', W3)] as const;

describe('verifier keys (signed-note)', () => {
  it('parses the spec example and checks its key id against name and key', () => {
    const example = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    const k = parseVerifierKey(example);
    expect(k).toMatchObject({ name: 'example.com/foo', type: 1 });
    expect(bytesToHex(k.keyId)).toBe('530d903a');
    // The spec's example note verifies with it.
    const note =
      'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    expect(openNote(note, k.name, k.publicKey)).toBe('This is an example message.\n');
    expect(() => parseVerifierKey(example.replace('530d903a', '530d903b'))).toThrow(/key id/);
    expect(() => parseVerifierKey('a b+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toThrow(/space/);
  });

  it('round-trips a cosignature/v1 vkey and refuses an Ed25519 note key as a witness key', () => {
    const k = parseWitnessKey(V1);
    expect(k.type).toBe(4);
    expect(formatVerifierKey(k.name, k.publicKey)).toBe(V1);
    expect(() => parseWitnessKey(formatVerifierKey('w1.example/w', W1.publicKeyRaw, 1))).toThrow(/0x04/);
    // The base64 key may contain '+', the separator: a key that does still parses.
    const plus = Array.from({ length: 200 }, () => vkey('w.example/w', generateSigningKey())).find(
      (v) => v.split('+').length > 3,
    );
    expect(plus && parseWitnessKey(plus).vkey).toBe(plus);
    // A log key: a note vkey named by the origin, or a did:key with the origin.
    const did = didKeyFromPublicKey(LOG.publicKeyRaw);
    expect(parseLogKey(ORIGIN, did).vkey).toBe(formatVerifierKey(ORIGIN, LOG.publicKeyRaw, 1));
    expect(() => parseLogKey('other/origin', formatVerifierKey(ORIGIN, LOG.publicKeyRaw, 1))).toThrow(/origin/);
  });
});

describe('cosignature/v1', () => {
  const note = signCheckpoint({ origin: ORIGIN, size: 3, rootHash: `${'A'.repeat(43)}=`, extensions: ['x y'] }, LOG);

  it('signs the spec message: header, time line, then the whole note text with extensions', () => {
    const { text } = splitNote(note);
    const line = cosignCheckpoint(text, 'w1.example/w', W1, 1679315147);
    const blob = Buffer.from(line.trim().split(' ')[2] as string, 'base64');
    expect(blob.length).toBe(76);
    expect(blob.readBigUInt64BE(4)).toBe(1679315147n);
    expect(cosignatureMessage(text, 1679315147)).toBe(`cosignature/v1\ntime 1679315147\n${text}`);
    expect(verifyBytes(W1.publicKeyRaw, cosignatureMessage(text, 1679315147), blob.subarray(12))).toBe(true);
    const check = checkCosignatures(note + line, [parseWitnessKey(V1), parseWitnessKey(V2)]);
    expect([...check.valid]).toEqual([[V1, 1679315147]]);
    expect(check.invalid).toEqual([]);
  });

  it('marks a cosignature over another body invalid and ignores lines by unknown keys', () => {
    const other = signCheckpoint({ origin: ORIGIN, size: 4, rootHash: `${'B'.repeat(43)}=` }, LOG);
    const line = cosignCheckpoint(splitNote(other).text, 'w1.example/w', W1, 5);
    const check = checkCosignatures(note + line, [parseWitnessKey(V1)]);
    expect(check.valid.size).toBe(0);
    expect(check.invalid).toEqual([V1]);
    expect(checkCosignatures(note + line, [parseWitnessKey(V2)])).toEqual({ valid: new Map(), invalid: [] });
  });
});

describe('add-checkpoint body (tlog-witness)', () => {
  it('round-trips old size, proof lines, blank line, checkpoint', () => {
    const proof = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const body = formatAddCheckpoint({ oldSize: 20852014, proof, checkpoint: 'o\n1\nr\n\n\u2014 o sig\n' });
    expect(body.split('\n').slice(0, 4)).toEqual([
      'old 20852014',
      Buffer.from(proof[0] as Uint8Array).toString('base64'),
      Buffer.from(proof[1] as Uint8Array).toString('base64'),
      '',
    ]);
    expect(parseAddCheckpoint(body)).toEqual({ oldSize: 20852014, proof, checkpoint: 'o\n1\nr\n\n\u2014 o sig\n' });
  });

  it.each([
    ['no old line', 'old\n\ncp\n'],
    ['leading zero', 'old 01\n\ncp\n'],
    ['a short hash', 'old 1\nAAAA\n\ncp\n'],
    ['no blank line', 'old 1\n'],
    ['no final newline', 'old 0\n\ncp'],
    ['64 proof lines', `old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\ncp\n`],
  ])('refuses %s', (_name, body) => {
    expect(() => parseAddCheckpoint(body)).toThrow();
  });
});

/** A log of `n` events with a checkpoint after every entry; `fork` rewrites entries from that index. */
function bundle(n: number, fork?: number): LedgerBundle {
  const tree = new MerkleFrontier();
  const entries: LedgerBundle['entries'] = [];
  const checkpoints: string[] = [];
  for (let seq = 0; seq < n; seq++) {
    const data = { seq, forked: fork !== undefined && seq >= fork };
    const entry = encodeEntry({ v: 1, seq, type: 'task.feedback', at: 't', actor: 'a', taskId: 'task:1', data });
    tree.append(entryLeafHash(entry));
    entries.push({ index: seq, entry, leafHash: bytesToHex(entryLeafHash(entry)) });
    checkpoints.push(
      signCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: Buffer.from(tree.root()).toString('base64') }, LOG),
    );
  }
  return { origin: ORIGIN, publicKey: didKeyFromPublicKey(LOG.publicKeyRaw), entries, checkpoints };
}

/** Adds the cosignatures of `witnesses` to the checkpoint of `size`. */
function cosign(b: LedgerBundle, size: number, witnesses: [string, SigningKey][]): LedgerBundle {
  const checkpoints = b.checkpoints.map((note) => {
    if (!note.startsWith(`${ORIGIN}\n${size}\n`)) return note;
    const text = splitNote(note).text;
    return note + witnesses.map(([name, k]) => cosignCheckpoint(text, name, k, 1700000000 + size)).join('');
  });
  return { ...b, checkpoints };
}

describe('verifier witness policy', () => {
  const policy = { witnesses: [V1, V2, V3], witnessQuorum: 2 };
  const w12: [string, SigningKey][] = [
    ['w1.example/w', W1],
    ['w2.example/w', W2],
  ];

  it('passes the true log cosigned by a quorum and names the newest witnessed size', () => {
    const b = cosign(cosign(bundle(6), 3, w12), 5, w12);
    const report = verifyLedger(b, policy);
    expect(report).toMatchObject({ ok: true, size: 6, witnessedSize: 5 });
    // Without a policy, nothing about witnesses is reported.
    expect(verifyLedger(b).witnessedSize).toBeUndefined();
  });

  it('fails a fork the witnesses never saw, even with their lines copied onto it', () => {
    const truth = cosign(bundle(6), 5, w12);
    const forked = bundle(6, 2);
    // The fork's own checkpoints carry no cosignature: no quorum anywhere.
    expect(verifyLedger(forked, policy)).toMatchObject({ ok: false, check: 'witness_policy' });
    // The true log's cosignature lines pasted onto the fork's checkpoint of size 5 do not verify.
    const lines = (truth.checkpoints[4] as string).split('\n').filter((l) => l.startsWith('\u2014 w'));
    const pasted = {
      ...forked,
      checkpoints: forked.checkpoints.map((c, i) => (i === 4 ? `${c}${lines.join('\n')}\n` : c)),
    };
    expect(verifyLedger(pasted, policy)).toMatchObject({ ok: false, check: 'witness_policy' });
    expect(verifyLedger(pasted, policy).reason).toMatch(/does not verify/);
    expect(verifyLedger(truth, policy).ok).toBe(true);
  });

  it('needs k distinct policy witnesses: one is not two, a stranger does not count', () => {
    const stranger = generateSigningKey();
    const b = cosign(bundle(3), 3, [
      ['w1.example/w', W1],
      ['stranger.example/w', stranger],
    ]);
    expect(verifyLedger(b, policy)).toMatchObject({ ok: false, check: 'witness_policy' });
    expect(verifyLedger(b, { witnesses: [V1, V2, V3], witnessQuorum: 1 })).toMatchObject({
      ok: true,
      witnessedSize: 3,
    });
  });

  it('refuses a policy it cannot apply', () => {
    const b = bundle(2);
    expect(verifyLedger(b, { witnesses: [V1], witnessQuorum: 2 }).reason).toMatch(/quorum/);
    expect(verifyLedger(b, { witnesses: [V1, V1], witnessQuorum: 1 }).reason).toMatch(/twice/);
    expect(verifyLedger(b, { witnesses: ['nope'], witnessQuorum: 1 }).reason).toMatch(/witness key rejected/);
  });
});
