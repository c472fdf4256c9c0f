/**
 * The offline verifier (`verifyLedger`, `parseLedgerExport`) on the cases issue 30 found untested: a
 * signed checkpoint larger than the log, decision entries (their signature, the record naming its own
 * entry) and the stored decision rows checked against them, and each check of an entry's place and
 * form — each failure named by its index and reason.
 */
import { describe, expect, it } from 'vitest';
import {
  type DecisionRecord,
  encodeEntry,
  entryLeafHash,
  type LedgerBundle,
  type LedgerEntry,
  parseLedgerExport,
  verifyLedger,
} from '../src/ledger.js';
import { MerkleFrontier } from '../src/merkle.js';
import { bytesToHex, didKeyFromPublicKey } from '../src/notes.js';
import { generateSigningKey, type SigningKey, signCheckpoint, signDecision } from '../src/signing.js';
import { LedgerVerifier, verifyLedgerStream } from '../src/verifier.js';

const KEY = generateSigningKey();
const ORIGIN = 'humanos.test/log';

type Decided = {
  decision: Partial<DecisionRecord>;
  entry?: Partial<LedgerEntry>;
  signer?: SigningKey;
  signature?: unknown;
};
type Item = 'event' | Decided | { raw: string };

function record(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    type: 'humanos.decision/v1',
    origin: ORIGIN,
    approvalId: 'approval:1',
    taskId: 'task:1',
    verdict: 'approved',
    decidedBy: 'principal:alice',
    decidedAt: '2026-01-01T00:00:00Z',
    reason: 'ok',
    feedback: null,
    edits: null,
    payloadDigest: 'sha256:d1',
    ...over,
  };
}

/**
 * A log as a server would write it: entries (events or signed decisions), leaf hashes, checkpoints
 * signed at the given sizes, and the stored decision rows matching the log.
 */
function build(
  items: Item[],
  checkpointSizes: number[] = [items.length],
): LedgerBundle & { decisions: NonNullable<LedgerBundle['decisions']> } {
  const tree = new MerkleFrontier();
  const entries: LedgerBundle['entries'] = [];
  const decisions: NonNullable<LedgerBundle['decisions']> = [];
  const checkpoints: string[] = [];
  const sign = () => {
    if (checkpointSizes.includes(tree.size)) {
      checkpoints.push(
        signCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: Buffer.from(tree.root()).toString('base64') }, KEY),
      );
    }
  };
  sign();
  for (const [seq, item] of items.entries()) {
    let entry: string;
    if (item === 'event') {
      entry = encodeEntry({ v: 1, seq, type: 'task.feedback', at: 't', actor: 'a', taskId: 'task:1', data: { seq } });
    } else if ('raw' in item) {
      entry = item.raw;
    } else {
      const r = record(item.decision);
      const signature = item.signature === undefined ? signDecision(r, item.signer ?? KEY) : item.signature;
      entry = encodeEntry({
        v: 1,
        seq,
        type: 'approval.decided',
        at: 't',
        actor: r.decidedBy,
        taskId: r.taskId,
        approvalId: r.approvalId,
        data: { record: r, signature },
        ...item.entry,
      } as LedgerEntry);
      if (typeof signature === 'string') {
        decisions.push({
          ledgerIndex: seq,
          record: r,
          signature,
          row: {
            approvalId: r.approvalId,
            principalId: r.decidedBy,
            verdict: r.verdict,
            payloadDigest: r.payloadDigest,
          },
        });
      }
    }
    const leaf = entryLeafHash(entry);
    entries.push({ index: seq, entry, leafHash: bytesToHex(leaf) });
    tree.append(leaf);
    sign();
  }
  return { origin: ORIGIN, publicKey: didKeyFromPublicKey(KEY.publicKeyRaw), entries, checkpoints, decisions };
}

const alice: Decided = { decision: {} };
const bob: Decided = { decision: { decidedBy: 'principal:bob', verdict: 'rejected', payloadDigest: 'sha256:d2' } };

describe('a signed checkpoint larger than the log', () => {
  it('an export cut below its own signed checkpoint fails, naming where the log ends', () => {
    const b = build(['event', 'event', 'event', 'event', 'event'], [2, 5]);
    expect(verifyLedger(b)).toMatchObject({ ok: true, size: 5, checkpointsVerified: 2 });
    const cut = { ...b, entries: b.entries.slice(0, 3) };
    expect(verifyLedger(cut)).toEqual({
      ok: false,
      size: 3,
      checkpointsVerified: 1,
      decisionsVerified: 0,
      firstBadIndex: 3,
      reason: 'a signed checkpoint covers 5 entries but only 3 are present',
    });
  });
  it('an empty export with a signed checkpoint of one entry fails', () => {
    const b = build(['event'], [1]);
    expect(verifyLedger({ ...b, entries: [] })).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      reason: expect.stringContaining('covers 1 entries'),
    });
  });
});

describe('decision entries', () => {
  it('an honest log with decisions verifies them all, and its stored rows', () => {
    const b = build(['event', alice, 'event', bob], [0, 2, 4]);
    expect(verifyLedger(b)).toEqual({ ok: true, size: 4, checkpointsVerified: 3, decisionsVerified: 2 });
  });
  it('a decision signed by another key fails at its index', () => {
    const b = build(['event', 'event', { decision: {}, signer: generateSigningKey() }]);
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 2,
      size: 2,
      decisionsVerified: 0,
      reason: 'decision signature does not verify',
    });
  });
  it('a decision entry without a signature, or without a record, fails', () => {
    expect(verifyLedger(build([alice, { decision: {}, signature: null }]))).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      decisionsVerified: 1,
      reason: 'decision signature does not verify',
    });
    const noRecord = encodeEntry({
      v: 1,
      seq: 0,
      type: 'approval.decided',
      at: 't',
      actor: 'a',
      taskId: 'task:1',
      data: { signature: '0x00' },
    });
    expect(verifyLedger(build([{ raw: noRecord }]))).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      reason: 'decision signature does not verify',
    });
    const noData = encodeEntry({
      v: 1,
      seq: 0,
      type: 'approval.decided',
      at: 't',
      actor: 'a',
      taskId: 'task:1',
    } as unknown as LedgerEntry);
    expect(verifyLedger(build([{ raw: noData }]))).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      reason: 'decision signature does not verify',
    });
  });
  it('a validly signed decision filed under another approval or task fails', () => {
    for (const entry of [{ approvalId: 'approval:2' }, { taskId: 'task:2' }]) {
      expect(verifyLedger(build(['event', { decision: {}, entry }])), JSON.stringify(entry)).toMatchObject({
        ok: false,
        firstBadIndex: 1,
        reason: 'decision record names another approval or task than its entry',
      });
    }
  });
  it('an entry whose tail is canonical but whose body is not JSON fails as such', () => {
    const raw = '{"actor":"a",,"seq":0,"taskId":null,"type":"approval.decided","v":1}';
    expect(verifyLedger(build([{ raw }]))).toMatchObject({ ok: false, firstBadIndex: 0, reason: 'entry is not JSON' });
  });
});

describe('stored decision rows against the log', () => {
  it('a stored record that differs from the signed one fails at its ledger index', () => {
    const b = build(['event', alice, bob]);
    b.decisions[1] = {
      ...(b.decisions[1] as (typeof b.decisions)[number]),
      record: record({ decidedBy: 'principal:bob', verdict: 'approved', payloadDigest: 'sha256:d2' }),
    };
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 2,
      size: 3,
      decisionsVerified: 2,
      reason: 'the stored decision differs from the decision signed into the ledger',
    });
  });
  it('a stored signature that differs fails', () => {
    const b = build([alice]);
    (b.decisions[0] as { signature: string }).signature = signDecision(record(), generateSigningKey());
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      reason: expect.stringContaining('differs from the decision signed'),
    });
  });
  it.each([
    ['verdict', { verdict: 'rejected' }],
    ['principalId', { principalId: 'principal:mallory' }],
    ['payloadDigest', { payloadDigest: 'sha256:other' }],
    ['approvalId', { approvalId: 'approval:9' }],
  ])('a stored row whose %s was edited fails', (_, edit) => {
    const b = build(['event', alice]);
    const d = b.decisions[0] as (typeof b.decisions)[number];
    d.row = { ...(d.row as NonNullable<typeof d.row>), ...edit };
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'the stored decision row (verdict, decider, digest) differs from the signed decision',
    });
  });
  it('a row-less stored decision is checked by its record alone', () => {
    const b = build([alice]);
    delete (b.decisions[0] as { row?: unknown }).row;
    expect(verifyLedger(b).ok).toBe(true);
  });
  it('a stored decision pointing at an entry that is not a decision fails', () => {
    for (const ledgerIndex of [0, 5]) {
      const b = build(['event', alice]);
      b.decisions.push({ ...(b.decisions[0] as (typeof b.decisions)[number]), ledgerIndex });
      expect(verifyLedger(b)).toMatchObject({
        ok: false,
        firstBadIndex: ledgerIndex,
        reason: 'a stored decision points at a ledger entry that is not a decision',
      });
    }
  });
});

describe('each entry in its place and form', () => {
  it('an entry at the wrong position fails', () => {
    const b = build(['event', 'event', 'event']);
    (b.entries[1] as { index: number }).index = 2;
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'entry at position 1 claims index 2 (missing or reordered)',
    });
  });
  it('an entry whose seq is not its position fails', () => {
    const other = encodeEntry({ v: 1, seq: 7, type: 'task.feedback', at: 't', actor: 'a', taskId: null, data: {} });
    expect(verifyLedger(build(['event', { raw: other }]))).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'entry seq is 7, want 1 (missing or reordered)',
    });
  });
  it('an entry that is not canonical fails', () => {
    const pretty = JSON.stringify(
      { v: 1, seq: 0, type: 'task.feedback', at: 't', actor: 'a', taskId: null, data: {} },
      null,
      1,
    );
    expect(verifyLedger(build([{ raw: pretty }]))).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      reason: 'entry is not a canonical ledger entry',
    });
    expect(verifyLedger(build([{ raw: '{"v":1}' }]))).toMatchObject({
      ok: false,
      reason: 'entry is not a canonical ledger entry',
    });
  });
  it('an entry that does not match its recorded leaf hash fails', () => {
    const b = build(['event', 'event']);
    (b.entries[1] as { leafHash: string }).leafHash = bytesToHex(entryLeafHash('something else'));
    expect(verifyLedger(b)).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'entry does not match the leaf hash recorded when it was appended',
    });
    delete (b.entries[1] as { leafHash?: string }).leafHash;
    expect(verifyLedger(b).ok).toBe(true);
  });
});

describe('checkpoints', () => {
  it('are checked in order of size, whatever their order in the export; an empty tree’s too', () => {
    const b = build(['event', 'event', 'event'], [0, 1, 2, 3]);
    expect(verifyLedger({ ...b, checkpoints: [...b.checkpoints].reverse() })).toMatchObject({
      ok: true,
      checkpointsVerified: 4,
    });
    const twice = { ...b, checkpoints: [...b.checkpoints, ...b.checkpoints] };
    expect(verifyLedger(twice)).toMatchObject({ ok: true, checkpointsVerified: 8 });
  });
  it('a checkpoint by another key is rejected, naming which one', () => {
    const b = build(['event', 'event'], [1]);
    const foreign = signCheckpoint(
      { origin: ORIGIN, size: 2, rootHash: Buffer.alloc(32).toString('base64') },
      generateSigningKey(),
    );
    expect(verifyLedger({ ...b, checkpoints: [...b.checkpoints, foreign] })).toMatchObject({
      ok: false,
      size: 0,
      reason: expect.stringMatching(/^checkpoint rejected \(2 of 2\): /),
    });
  });
  it('a validly signed checkpoint with another root names the range the bad entry is in', () => {
    const b = build(['event', 'event', 'event', 'event'], [2]);
    const wrong = signCheckpoint({ origin: ORIGIN, size: 4, rootHash: Buffer.alloc(32, 7).toString('base64') }, KEY);
    expect(verifyLedger({ ...b, checkpoints: [...b.checkpoints, wrong] })).toEqual({
      ok: false,
      size: 4,
      checkpointsVerified: 1,
      decisionsVerified: 0,
      firstBadIndex: 2,
      reason: 'root of the first 4 entries differs from the signed checkpoint (bad entry in [2, 4))',
    });
  });
  it('the key can be given by the verifier (did:key or hex), and then the export’s is ignored', () => {
    const b = build(['event', alice], [2]);
    const mallory = { ...b, publicKey: didKeyFromPublicKey(generateSigningKey().publicKeyRaw) };
    expect(verifyLedger(mallory).ok).toBe(false);
    expect(verifyLedger(mallory, didKeyFromPublicKey(KEY.publicKeyRaw)).ok).toBe(true);
    expect(verifyLedger(mallory, { trustedPublicKey: bytesToHex(KEY.publicKeyRaw) }).ok).toBe(true);
    expect(verifyLedger(b, { trustedPublicKey: didKeyFromPublicKey(generateSigningKey().publicKeyRaw) })).toMatchObject(
      {
        ok: false,
        reason: expect.stringContaining('checkpoint rejected (1 of 1)'),
      },
    );
  });
});

describe('a trusted checkpoint', () => {
  const six = () => build(['event', 'event', 'event', 'event', 'event', 'event'], [2, 4, 6]);
  it('a pinned root that the prefix does not have: history rewritten, in the range since the last good checkpoint', () => {
    const pinned = { size: 4, rootHash: `0x${'ab'.repeat(32)}` };
    expect(verifyLedger(six(), { trustedCheckpoint: pinned })).toEqual({
      ok: false,
      size: 4,
      checkpointsVerified: 1,
      decisionsVerified: 0,
      firstBadIndex: 2,
      reason:
        'the first 4 entries do not have the root of the trusted checkpoint (history rewritten; bad entry in [2, 4))',
    });
  });
  it('a pinned empty tree with another root fails before any entry', () => {
    expect(verifyLedger(six(), { trustedCheckpoint: { size: 0, rootHash: `0x${'00'.repeat(32)}` } })).toMatchObject({
      ok: false,
      firstBadIndex: 0,
      size: 0,
    });
  });
  it('a longer pinned checkpoint than the log: truncated, naming both sizes', () => {
    const b = six();
    const note = b.checkpoints[2] as string;
    expect(
      verifyLedger(
        { ...b, entries: b.entries.slice(0, 5), checkpoints: b.checkpoints.slice(0, 2) },
        { trustedCheckpoint: note },
      ),
    ).toMatchObject({
      ok: false,
      firstBadIndex: 5,
      reason: 'the log has 5 entries, fewer than the trusted checkpoint of size 6 (truncated)',
    });
    expect(verifyLedger(b, { trustedCheckpoint: note }).ok).toBe(true);
  });
  it('a trusted note of another origin or key is rejected', () => {
    const b = six();
    const foreign = signCheckpoint(
      { origin: 'elsewhere', size: 2, rootHash: Buffer.alloc(32).toString('base64') },
      KEY,
    );
    expect(verifyLedger(b, { trustedCheckpoint: foreign })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^trusted checkpoint rejected: /),
    });
    expect(verifyLedger(b, { trustedCheckpoint: { size: 2, rootHash: 'short' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('neither 0x-hex nor base64 of 32 bytes'),
    });
  });
});

describe('the JSON Lines export', () => {
  function jsonl(b: ReturnType<typeof build>): string {
    return [
      { type: 'header', format: 'humanos-ledger/1', origin: b.origin, publicKey: b.publicKey, size: b.entries.length },
      ...b.entries.map((e) => ({ type: 'entry', ...e })),
      ...b.checkpoints.map((note) => ({ type: 'checkpoint', note })),
      ...b.decisions.map((d) => ({ type: 'decision', ...d })),
    ]
      .map((l) => JSON.stringify(l))
      .join('\n\n');
  }
  it('parses back into the bundle it was written from, decisions and rows included', () => {
    const b = build(['event', alice, bob], [1, 3]);
    const parsed = parseLedgerExport(`${jsonl(b)}\n`);
    expect(parsed).toEqual(b);
    expect(verifyLedger(parsed)).toEqual({ ok: true, size: 3, checkpointsVerified: 2, decisionsVerified: 2 });
  });
  it('a line that is not JSON, or of an unknown type, is named by its number; a header is required', () => {
    expect(() => parseLedgerExport('{"type":"header","origin":"o","publicKey":"k"}\n{oops')).toThrow(
      'export line 2 is not JSON',
    );
    expect(() => parseLedgerExport('{"type":"header","origin":"o","publicKey":"k"}\n\n{"type":"gossip"}')).toThrow(
      'export line 3 has an unknown type',
    );
    expect(() => parseLedgerExport('{"type":"checkpoint","note":"n"}')).toThrow('export has no header line');
  });
});

describe('the survivors of the first mutation run', () => {
  it('a blank line of spaces in an export is skipped', () => {
    const b = build(['event']);
    const text = [
      JSON.stringify({ type: 'header', format: 'humanos-ledger/1', origin: b.origin, publicKey: b.publicKey, size: 1 }),
      '   ',
      JSON.stringify({ type: 'entry', ...b.entries[0] }),
    ].join('\n');
    expect(parseLedgerExport(text).entries).toHaveLength(1);
  });
  it('a pinned root is 0x and exactly 64 hex digits, or canonical base64 of 32 bytes', () => {
    const b = build(['event', 'event'], [2]);
    const hex = `0x${'ab'.repeat(32)}`;
    const b64 = Buffer.alloc(32, 5).toString('base64');
    for (const rootHash of [`x${hex}`, `${hex}ff`, Buffer.alloc(31, 5).toString('base64'), b64.replace(/=+$/, '')]) {
      expect(verifyLedger(b, { trustedCheckpoint: { size: 2, rootHash } }), rootHash).toMatchObject({
        ok: false,
        reason: 'trusted checkpoint rejected: root hash is neither 0x-hex nor base64 of 32 bytes',
      });
    }
  });
  it('a failure not tied to an entry names no index', () => {
    const b = build(['event'], [1]);
    const report = verifyLedger({ ...b, publicKey: didKeyFromPublicKey(generateSigningKey().publicKeyRaw) });
    expect(report.ok).toBe(false);
    expect('firstBadIndex' in report).toBe(false);
  });
});

describe('LedgerVerifier line by line, and the streamed export', () => {
  const lines = (b: ReturnType<typeof build>, entryLine = (e: object) => JSON.stringify(e)) => [
    JSON.stringify({ type: 'header', format: 'humanos-ledger/1', origin: b.origin, publicKey: b.publicKey }),
    '',
    ...b.entries.map((e) => entryLine({ type: 'entry', ...e })),
    '  ',
    ...b.checkpoints.map((note) => JSON.stringify({ type: 'checkpoint', note })),
    ...b.decisions.map((d) => JSON.stringify({ type: 'decision', ...d })),
  ];

  it('a streamed export with decisions and blank lines gives the in-memory report', async () => {
    const b = build(['event', alice, 'event', bob], [2, 4]);
    const want = { ok: true, size: 4, checkpointsVerified: 2, decisionsVerified: 2 };
    expect(verifyLedger(b)).toEqual(want);
    expect(await verifyLedgerStream(() => lines(b))).toEqual(want);
  });

  it('a streamed stored decision that differs from the signed one fails as in memory', async () => {
    const b = build(['event', alice], [2]);
    const bad = { ...b, decisions: b.decisions.map((d) => ({ ...d, row: { ...d.row, verdict: 'rejected' } })) };
    const want = {
      ok: false,
      size: 2,
      checkpointsVerified: 1,
      decisionsVerified: 1,
      firstBadIndex: 1,
      reason: 'the stored decision row (verdict, decider, digest) differs from the signed decision',
    };
    expect(verifyLedger(bad as typeof b)).toEqual(want);
    expect(await verifyLedgerStream(() => lines(bad as typeof b))).toEqual(want);
  });

  it('entry lines written with other spacing are read in the second pass, not refused as unknown', async () => {
    const b = build(['event', alice], [2]);
    const spaced = lines(b, (e) => ` ${JSON.stringify(e, null, 0)}`);
    expect(await verifyLedgerStream(() => spaced)).toMatchObject({ ok: true, size: 2, decisionsVerified: 1 });
  });

  it('decision lines written with other spacing are read too, and their rows checked', async () => {
    const b = build(['event', alice], [2]);
    const spaced = lines(b).map((l) => (l.startsWith('{"type":"decision"') ? ` ${l}` : l));
    expect(await verifyLedgerStream(() => spaced)).toEqual(verifyLedger(b));
    const bad = { ...b, decisions: b.decisions.map((d) => ({ ...d, signature: 'x' })) };
    const badSpaced = lines(bad).map((l) => (l.startsWith('{"type":"decision"') ? ` ${l}` : l));
    expect(await verifyLedgerStream(() => badSpaced)).toMatchObject({ ok: false, firstBadIndex: 1 });
  });

  it('reading stops at the first failure: what follows it is not read', async () => {
    const b = build(['event', 'event'], [2]);
    const [header, blank, e0, e1] = lines(b);
    const swapped = [header, blank, e1, e0, '{"type":"entry",not json'] as string[];
    expect(await verifyLedgerStream(() => swapped)).toMatchObject({ ok: false, firstBadIndex: 0 });
  });

  it('a line of an unknown type, or an entry line that is not JSON, is refused by its number', async () => {
    const b = build(['event']);
    const base = lines(b);
    await expect(verifyLedgerStream(() => [...base, '{"type":"gossip"}'])).rejects.toThrow(
      `export line ${base.length + 1} has an unknown type`,
    );
    await expect(verifyLedgerStream(() => [...base, '{"type":"entry",oops'])).rejects.toThrow(
      `export line ${base.length + 1} is not JSON`,
    );
  });

  it('once an entry fails, later entries and decisions are refused and the first failure stands', () => {
    const b = build(['event', alice, 'event'], [3]);
    const v = new LedgerVerifier(b, b.checkpoints);
    expect(v.decision(b.decisions[0] as (typeof b.decisions)[number])).toBe(true);
    expect(v.entry(b.entries[0] as (typeof b.entries)[number])).toBe(true);
    expect(v.failed).toBeUndefined();
    expect(v.entry(b.entries[2] as (typeof b.entries)[number])).toBe(false); // index 2 at position 1
    const first = v.failed;
    expect(first).toMatchObject({ ok: false, firstBadIndex: 1 });
    expect(v.entry(b.entries[1] as (typeof b.entries)[number])).toBe(false);
    expect(v.decision(b.decisions[0] as (typeof b.decisions)[number])).toBe(false);
    expect(v.finish()).toEqual(first);
    expect(first?.reason).toBe('entry at position 1 claims index 2 (missing or reordered)');
  });

  it('a public key that cannot be read fails before any entry, naming no index', () => {
    const b = build(['event']);
    for (const key of ['not-a-key', 'did:key:zBad']) {
      const r = verifyLedger(b, key);
      expect(r.ok, key).toBe(false);
      expect(r.reason).toMatch(/^public key rejected: ./);
      expect('firstBadIndex' in r).toBe(false);
    }
  });

  it('an entry that is not text is refused as not canonical, at its index', () => {
    const b = build(['event', 'event']);
    const entries = b.entries.map((e, i) => (i === 1 ? { ...e, entry: 42 as unknown as string } : e));
    expect(verifyLedger({ ...b, entries })).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      reason: 'entry is not a canonical ledger entry',
    });
  });
});
