/**
 * Unit tests of core's pure pieces: merge patch (RFC 7386), risk rules, signing and signed notes,
 * decision outcomes, execution authority from the log, invisible characters, and the offline verifier.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionAuthority, type IndexedEntry } from '../src/authority.js';
import { canonicalJson } from '../src/canonical.js';
import { gateStatusAfter, taskStatusAfter } from '../src/decision.js';
import {
  type DecisionRecord,
  encodeEntry,
  entryLeafHash,
  type LedgerBundle,
  type LedgerEntry,
  verifyLedger,
} from '../src/ledger.js';
import { applyMergePatch, composeMergePatches } from '../src/mergePatch.js';
import { MerkleFrontier } from '../src/merkle.js';
import { didKeyFromPublicKey, openCheckpoint, publicKeyFromDidKey, verifyBytes } from '../src/notes.js';
import { assessRisk, walkPayload } from '../src/risk.js';
import { generateSigningKey, signBytes, signCheckpoint, signDecision } from '../src/signing.js';
import { invisibleCharacters, revealInvisible } from '../src/text.js';

describe('merge patch (RFC 7386)', () => {
  it('follows the RFC’s examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
  });
  it('two patches composed equal the two applied in turn (the first only merges objects)', () => {
    const values = fc.oneof(fc.integer(), fc.dictionary(fc.constantFrom('x', 'y'), fc.integer()));
    const keys = fc.constantFrom('a', 'b', 'c');
    const doc = fc.dictionary(keys, values);
    const withDeletes = fc.dictionary(keys, fc.oneof(values, fc.constant(null)));
    fc.assert(
      fc.property(
        doc,
        fc.dictionary(keys, fc.dictionary(fc.constantFrom('x', 'y'), fc.integer())),
        withDeletes,
        (d, p1, p2) => {
          const stepwise = applyMergePatch(applyMergePatch(d, p1), p2);
          expect(applyMergePatch(d, composeMergePatches(p1, p2))).toEqual(stepwise);
        },
      ),
    );
  });
});

describe('risk rules', () => {
  const risk = (description: string, payload: unknown = {}, t?: { largeAmount?: number }) =>
    assessRisk({ description, requiredCapabilities: [], payload }, undefined, t);
  it('reads amounts at any depth, next to a currency, and written in strings', () => {
    expect(risk('Move funds to account 42', { details: { inner: { amount: 250000 } } }).level).toBe('high');
    expect(walkPayload({ line: { value: 12, currency: 'EUR' }, note: 'pay $25,000 now' }).amounts).toEqual(
      expect.arrayContaining([12, 25000]),
    );
    expect(risk('Tidy up', { x: { y: { z: { total: 5 } } } }).factors).not.toContain('large_amount');
  });
  it('thresholds come from the policy', () => {
    expect(risk('Refund', { amount: 500 }, { largeAmount: 100 }).factors).toContain('large_amount');
    expect(risk('Refund', { amount: 500 }).factors).not.toContain('large_amount');
  });
  it('command-like payload words count, prose does not', () => {
    expect(risk('Maintenance', { operation: 'drop_table' }).factors).toContain('irreversible_action');
    expect(
      risk('Maintenance', { note: 'please do not delete anything, we only want a report on the state of the tables' })
        .factors,
    ).not.toContain('irreversible_action');
  });
  it('never lowers what the agent claims', () => {
    expect(
      assessRisk({ description: 'hello', requiredCapabilities: [], payload: {} }, { level: 'critical' }).level,
    ).toBe('critical');
  });
});

describe('signing and signed notes', () => {
  const key = generateSigningKey();
  it('signs and verifies bytes; did:key round-trips', () => {
    const sig = signBytes(key, 'hello');
    expect(verifyBytes(key.publicKeyRaw, 'hello', sig)).toBe(true);
    expect(verifyBytes(key.publicKeyRaw, 'hellO', sig)).toBe(false);
    expect(publicKeyFromDidKey(didKeyFromPublicKey(key.publicKeyRaw))).toEqual(key.publicKeyRaw);
  });
  it('a checkpoint note opens only with its key and origin, unaltered', () => {
    const note = signCheckpoint({ origin: 'o/1', size: 3, rootHash: Buffer.alloc(32, 1).toString('base64') }, key);
    expect(openCheckpoint(note, 'o/1', key.publicKeyRaw)).toMatchObject({ size: 3 });
    // Each rejection names the check that failed.
    expect(() => openCheckpoint(note, 'o/2', key.publicKeyRaw)).toThrow(/a signature by o\/1/);
    expect(() => openCheckpoint(note.replace('\n3\n', '\n4\n'), 'o/1', key.publicKeyRaw)).toThrow(/does not verify/);
    expect(() => openCheckpoint(note, 'o/1', generateSigningKey().publicKeyRaw)).toThrow(/by another key/);
    expect(() => openCheckpoint(note.replace(/\u2014 .*\n$/, '\u2014 x\n'), 'o/1', key.publicKeyRaw)).toThrow(
      /malformed/,
    );
  });
});

describe('decision outcomes', () => {
  it('a quorum is decided by its last seat; a reject vetoes', () => {
    expect(gateStatusAfter('approved', { required: 2, approvalsSoFar: 0 })).toBe('pending');
    expect(gateStatusAfter('approved', { required: 2, approvalsSoFar: 1 })).toBe('approved');
    expect(gateStatusAfter('rejected', { required: 3, approvalsSoFar: 2 })).toBe('rejected');
  });
  it('reviews move a paused task; other side gates never move it', () => {
    const base = { gateStatus: 'approved' as const, taskStatus: 'paused' as const, nextStepWaiting: false };
    expect(taskStatusAfter({ ...base, kind: 'review', leased: true })).toBe('executing');
    expect(taskStatusAfter({ ...base, kind: 'review', gateStatus: 'rejected', leased: true })).toBe('overridden');
    expect(taskStatusAfter({ ...base, kind: 'audit', leased: false })).toBe('paused');
    expect(
      taskStatusAfter({
        kind: 'execution',
        gateStatus: 'approved',
        taskStatus: 'awaiting_approval',
        nextStepWaiting: true,
        leased: false,
      }),
    ).toBe('awaiting_approval');
  });
});

/** A tiny log of one task: created, one gate, decisions, built with a real key. */
function taskLog(decisions: { by: string; verdict: 'approved' | 'rejected'; digest: string }[], required = 1) {
  const key = generateSigningKey();
  const entries: IndexedEntry[] = [];
  const add = (e: Omit<LedgerEntry, 'v' | 'seq'>) =>
    entries.push({ index: entries.length, entry: { ...e, v: 1, seq: entries.length } as LedgerEntry });
  add({
    type: 'task.created',
    at: 't',
    actor: 'did:agent:a',
    taskId: 'task:1',
    data: { status: 'awaiting_approval', payloadDigest: 'd0' },
  });
  add({
    type: 'approval.requested',
    at: 't',
    actor: 'did:agent:a',
    taskId: 'task:1',
    approvalId: 'g1',
    data: { kind: 'execution', required },
  });
  for (const d of decisions) {
    const record: DecisionRecord = {
      type: 'humanos.decision/v1',
      origin: 'o',
      approvalId: 'g1',
      taskId: 'task:1',
      verdict: d.verdict,
      decidedBy: d.by,
      decidedAt: 't',
      reason: 'r',
      feedback: null,
      edits: null,
      payloadDigest: d.digest,
    };
    add({
      type: 'approval.decided',
      at: 't',
      actor: d.by,
      taskId: 'task:1',
      approvalId: 'g1',
      data: { record, signature: signDecision(record, key) },
    });
  }
  return { entries, key };
}

describe('execution authority from the log', () => {
  it('needs required distinct approvals of one digest, and names them', () => {
    const { entries, key } = taskLog(
      [
        { by: 'a', verdict: 'approved', digest: 'd1' },
        { by: 'b', verdict: 'approved', digest: 'd1' },
      ],
      2,
    );
    expect(executionAuthority(entries, key.publicKeyRaw)).toEqual({ ok: true, digest: 'd1', decisions: [2, 3] });
  });
  it('approvals of another version do not count; a reject refuses; a forged signature refuses', () => {
    const stale = taskLog(
      [
        { by: 'a', verdict: 'approved', digest: 'd1' },
        { by: 'b', verdict: 'approved', digest: 'd2' },
      ],
      2,
    );
    expect(executionAuthority(stale.entries, stale.key.publicKeyRaw)).toMatchObject({ ok: false });
    const rejected = taskLog([{ by: 'a', verdict: 'rejected', digest: 'd1' }]);
    expect(executionAuthority(rejected.entries, rejected.key.publicKeyRaw)).toMatchObject({ ok: false });
    const other = taskLog([{ by: 'a', verdict: 'approved', digest: 'd1' }]);
    expect(executionAuthority(other.entries, generateSigningKey().publicKeyRaw)).toMatchObject({ ok: false });
  });
});

describe('invisible characters', () => {
  it('are found by path and shown escaped', () => {
    expect(invisibleCharacters({ payload: { amount: '\u202E00001\u202C', to: 'ACME' } })).toEqual([
      { path: 'payload.amount', kinds: ['bidi_control'] },
    ]);
    expect(invisibleCharacters({ note: 'a\u200Bb' })[0]?.kinds).toEqual(['zero_width']);
    expect(revealInvisible('\u202E00001')).toBe('⟦U+202E⟧00001');
  });
});

describe('offline verifier', () => {
  /** A signed log of n entries with a checkpoint at every size. */
  function bundle(n: number): LedgerBundle & { checkpointsAt: Map<number, string> } {
    const key = generateSigningKey();
    const tree = new MerkleFrontier();
    const entries: LedgerBundle['entries'] = [];
    const checkpoints: string[] = [];
    const checkpointsAt = new Map<number, string>();
    for (let i = 0; i < n; i++) {
      const entry = encodeEntry({
        v: 1,
        seq: i,
        type: 'task.feedback',
        at: 't',
        actor: 'a',
        taskId: null,
        data: { i },
      });
      entries.push({ index: i, entry });
      tree.append(entryLeafHash(entry));
      const note = signCheckpoint(
        { origin: 'o', size: i + 1, rootHash: Buffer.from(tree.root()).toString('base64') },
        key,
      );
      checkpoints.push(note);
      checkpointsAt.set(i + 1, note);
    }
    return { origin: 'o', publicKey: didKeyFromPublicKey(key.publicKeyRaw), entries, checkpoints, checkpointsAt };
  }
  it('passes an honest log and names a rewritten entry', () => {
    const b = bundle(8);
    expect(verifyLedger(b)).toMatchObject({ ok: true, size: 8, checkpointsVerified: 8 });
    const bad = structuredClone(b);
    (bad.entries[5] as { entry: string }).entry = (bad.entries[5] as { entry: string }).entry.replace('"i":5', '"i":6');
    expect(verifyLedger(bad)).toMatchObject({ ok: false, firstBadIndex: 5 });
  });
  it('a pinned checkpoint catches truncation and accepts an honest longer log', () => {
    const b = bundle(8);
    const pinned = b.checkpointsAt.get(6) as string;
    expect(verifyLedger(b, { trustedCheckpoint: pinned }).ok).toBe(true);
    const cut = { ...b, entries: b.entries.slice(0, 5), checkpoints: b.checkpoints.slice(0, 5) };
    expect(verifyLedger(cut).ok).toBe(true);
    expect(verifyLedger(cut, { trustedCheckpoint: pinned })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('size 6'),
    });
  });
  it('a root whose base64 starts with "0x" is read as base64 (1 root in 4 096; a valid log once failed at random)', () => {
    const key = generateSigningKey();
    let entry = '';
    let root = '';
    for (let i = 0; !root.startsWith('0x'); i++) {
      entry = encodeEntry({ v: 1, seq: 0, type: 'task.feedback', at: 't', actor: 'a', taskId: null, data: { i } });
      root = Buffer.from(entryLeafHash(entry)).toString('base64');
    }
    const note = signCheckpoint({ origin: 'o', size: 1, rootHash: root }, key);
    const b: LedgerBundle = {
      origin: 'o',
      publicKey: didKeyFromPublicKey(key.publicKeyRaw),
      entries: [{ index: 0, entry }],
      checkpoints: [note],
    };
    expect(verifyLedger(b)).toMatchObject({ ok: true, size: 1, checkpointsVerified: 1 });
    const hex = `0x${Buffer.from(root, 'base64').toString('hex')}`;
    for (const trustedCheckpoint of [note, { size: 1, rootHash: root }, { size: 1, rootHash: hex }]) {
      expect(verifyLedger(b, { trustedCheckpoint })).toMatchObject({ ok: true, size: 1 });
    }
    expect(verifyLedger(b, { trustedCheckpoint: { size: 1, rootHash: '0xnot-a-root' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('neither 0x-hex nor base64'),
    });
  });
  it('canonical JSON sorts keys and is what is signed', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
  });
});
