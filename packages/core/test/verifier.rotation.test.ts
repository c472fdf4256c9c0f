/**
 * The verifier across key rotations: the keys in force come from the log (each `ledger.key_rotated`
 * entry signed by the key before it); checkpoints and decision records are checked with the key in
 * force at their size / index, and a rotation the key in force never signed is refused at its index
 * even when everything after it is consistently signed by the forger's key.
 */
import { describe, expect, it } from 'vitest';
import { KEY_ROTATION_ENTRY, type KeyEpoch } from '../src/keychain.js';
import {
  type DecisionRecord,
  encodeEntry,
  entryLeafHash,
  type LedgerBundle,
  parseLedgerExport,
  verifyLedger,
} from '../src/ledger.js';
import { MerkleFrontier } from '../src/merkle.js';
import { didKeyFromPublicKey } from '../src/notes.js';
import {
  cosignNote,
  generateSigningKey,
  type SigningKey,
  signCheckpoint,
  signDecision,
  signKeyRotation,
} from '../src/signing.js';

const ORIGIN = 'humanos.test/rotation';
const [K1, K2, K3] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
const did = (k: SigningKey) => didKeyFromPublicKey(k.publicKeyRaw);

type Item =
  | { decision: SigningKey }
  | { rotation: { from: SigningKey; to: SigningKey; signedBy?: SigningKey } }
  | 'event';

function decisionRecord(n: number): DecisionRecord {
  return {
    type: 'humanos.decision/v1',
    origin: ORIGIN,
    approvalId: `approval:${n}`,
    taskId: null as unknown as string,
    verdict: 'approved',
    decidedBy: 'did:human:ann',
    decidedAt: '2026-01-01T00:00:00Z',
    reason: 'ok',
    feedback: null,
    edits: null,
    payloadDigest: 'sha256:d',
  };
}

/**
 * A log as a server writes it, with a checkpoint after every entry signed by `signerAt(size)`
 * (and cosigned by `cosignerAt(size)` when given). Entries have no task, so no task-heads lines.
 */
function build(
  items: Item[],
  signerAt: (size: number) => SigningKey,
  keys: KeyEpoch[],
  cosignerAt: (size: number) => SigningKey | undefined = () => undefined,
): LedgerBundle {
  const tree = new MerkleFrontier();
  const entries: LedgerBundle['entries'] = [];
  const checkpoints: string[] = [];
  for (const [seq, item] of items.entries()) {
    let data: Record<string, unknown> = { seq };
    let type = 'task.feedback';
    let approvalId: string | undefined;
    if (item !== 'event' && 'decision' in item) {
      const record = decisionRecord(seq);
      type = 'approval.decided';
      approvalId = record.approvalId;
      data = { record, signature: signDecision(record, item.decision) };
    } else if (item !== 'event') {
      type = KEY_ROTATION_ENTRY;
      const r = item.rotation;
      const signed = signKeyRotation(ORIGIN, r.signedBy ?? r.from, r.to);
      data = { ...signed, previous: did(r.from) };
    }
    const entry = encodeEntry({
      v: 1,
      seq,
      type: type as never,
      at: 't',
      actor: 'system',
      taskId: null,
      ...(approvalId ? { approvalId } : {}),
      data,
    });
    entries.push({ index: seq, entry, taskId: null });
    tree.append(entryLeafHash(entry));
    const size = tree.size;
    let note = signCheckpoint(
      { origin: ORIGIN, size, rootHash: Buffer.from(tree.root()).toString('base64') },
      signerAt(size),
    );
    const co = cosignerAt(size);
    if (co) note = cosignNote(note, ORIGIN, co);
    checkpoints.push(note);
  }
  const current = keys[keys.length - 1] as KeyEpoch;
  return { origin: ORIGIN, publicKey: current.publicKey, keys, entries, checkpoints };
}

// Entries 0–1 under K1, the rotation at index 2 (sealed by K1's checkpoint of size 3), 3–4 under K2.
const ROTATED_AT = 3;
const honestItems: Item[] = ['event', { decision: K1 }, { rotation: { from: K1, to: K2 } }, { decision: K2 }, 'event'];
const honestKeys: KeyEpoch[] = [
  { publicKey: did(K1), fromSize: 0 },
  { publicKey: did(K2), fromSize: ROTATED_AT },
];
const byEpoch = (size: number) => (size <= ROTATED_AT ? K1 : K2);

describe('verifier across a key rotation', () => {
  it('decisions and checkpoints before and after the rotation verify, with either key trusted', () => {
    const bundle = build(honestItems, byEpoch, honestKeys, (s) => (s === ROTATED_AT ? K2 : undefined));
    for (const trusted of [undefined, did(K1), did(K2)]) {
      expect(verifyLedger(bundle, { trustedPublicKey: trusted })).toMatchObject({
        ok: true,
        size: 5,
        checkpointsVerified: 5,
        decisionsVerified: 2,
      });
    }
    expect(verifyLedger(bundle, { trustedPublicKey: did(K3) })).toMatchObject({ ok: false });
  });

  it('the export header carries the key list through parseLedgerExport', () => {
    const b = build(honestItems, byEpoch, honestKeys);
    const text = [
      JSON.stringify({
        type: 'header',
        format: 'humanos-ledger/1',
        origin: ORIGIN,
        publicKey: did(K2),
        keys: honestKeys,
        size: 5,
      }),
      ...b.entries.map((e) => JSON.stringify({ type: 'entry', ...e })),
      ...b.checkpoints.map((note) => JSON.stringify({ type: 'checkpoint', note })),
    ].join('\n');
    expect(verifyLedger(parseLedgerExport(text))).toMatchObject({ ok: true, decisionsVerified: 2 });
  });

  it('a forged rotation (the insider signs it and everything after with their own key) fails at its index', () => {
    const items: Item[] = [...honestItems];
    items[2] = { rotation: { from: K1, to: K3, signedBy: K3 } };
    items[3] = { decision: K3 };
    const keys = [honestKeys[0] as KeyEpoch, { publicKey: did(K3), fromSize: ROTATED_AT }];
    // Even the checkpoint sealing the rotation is the forger's: K1 never signed anything after size 2.
    const bundle = build(items, (s) => (s < ROTATED_AT ? K1 : K3), keys);
    const r = verifyLedger(bundle);
    expect(r.ok).toBe(false);
    // Sealed by K3 where K1 was in force: the checkpoint itself is refused up front.
    expect(r.reason).toMatch(/checkpoint rejected/);
    // With K1's seal of size 3 (as if the insider had a K1 checkpoint there), the rotation entry is named.
    const sealed = build(items, (s) => (s <= ROTATED_AT ? K1 : K3), keys);
    expect(verifyLedger(sealed)).toMatchObject({ ok: false, firstBadIndex: 2, check: 'key_rotation' });
    expect(verifyLedger(sealed).reason).toMatch(/not signed by the key in force/);
  });

  it('a decision or checkpoint after the rotation signed by the old key fails', () => {
    const items: Item[] = [...honestItems];
    items[3] = { decision: K1 };
    expect(verifyLedger(build(items, byEpoch, honestKeys))).toMatchObject({
      ok: false,
      firstBadIndex: 3,
      reason: 'decision signature does not verify',
    });
    const oldSigner = build(honestItems, () => K1, honestKeys);
    expect(verifyLedger(oldSigner)).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint rejected/) });
  });

  it('a key the header declares with no rotation entry in the log, or a rotation it does not declare, fails', () => {
    const noEntry: Item[] = ['event', { decision: K1 }, 'event', { decision: K2 }, 'event'];
    expect(verifyLedger(build(noEntry, byEpoch, honestKeys))).toMatchObject({
      ok: false,
      firstBadIndex: 2,
      check: 'key_rotation',
    });
    const undeclared = build(honestItems, () => K1, [honestKeys[0] as KeyEpoch]);
    expect(verifyLedger(undeclared)).toMatchObject({ ok: false, firstBadIndex: 2, check: 'key_rotation' });
  });
});
