"""Writes ``sdks/testdata/witness-vectors.json``: ledger exports with witness cosignatures and signing-key
rotations, each with the verdict every verifier (TypeScript, Python, Go) must give.

Deterministic: keys come from fixed seeds and Ed25519 signatures are deterministic, so running it again
writes the same bytes (``test_ledger_witness.py`` checks that the committed file is what this makes).
The entries, checkpoints and signatures are built with the SDK's own canonical JSON, Merkle tree, task
heads and note code; only the signing half (which the SDK, a verifier, does not have) is here.

Run: ``cd sdks/python && python3 tests/witness_vectors.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from human_sdk.canonical import canonical_json
from human_sdk.ledger.keys import KEY_ROTATED, rotation_statement
from human_sdk.ledger.merkle import leaf_hash, root_from_leaf_hashes
from human_sdk.ledger.signing import did_key_from_public_key, note_key_hash
from human_sdk.ledger.taskheads import TASK_HEADS_EXTENSION, TaskHeads
from human_sdk.ledger.witness import cosignature_key_id, cosigned_message, witness_vkey

OUT = Path(__file__).resolve().parents[2] / 'testdata' / 'witness-vectors.json'
AT = '2026-01-10T16:00:00.000Z'
T0 = 1767225600  # the first cosignature's time (2026-01-01T00:00:00Z)


def key(label: str) -> Ed25519PrivateKey:
    """A fixed key: the seed is SHA-256 of its label."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b'humanos witness vectors/' + label.encode()).digest())


def raw(k: Ed25519PrivateKey) -> bytes:
    return k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def did(k: Ed25519PrivateKey) -> str:
    return did_key_from_public_key(raw(k))


@dataclass
class Witness:
    name: str
    key: Ed25519PrivateKey

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, raw(self.key))

    def line(self, text: str, timestamp: int, *, signed_text: str | None = None) -> str:
        """This witness's cosignature line on checkpoint ``text`` (over ``signed_text`` to forge one)."""
        sig = self.key.sign(cosigned_message(text if signed_text is None else signed_text, timestamp))
        blob = cosignature_key_id(self.name, raw(self.key)) + timestamp.to_bytes(8, 'big') + sig
        return f'\u2014 {self.name} {base64.b64encode(blob).decode()}\n'


@dataclass
class Log:
    """A ledger being written: entries, the key in force and its history."""

    origin: str
    signer: Ed25519PrivateKey
    entries: list[str] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[Ed25519PrivateKey, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.history.append((self.signer, 0))

    def append(self, kind: str, task_id: str | None, data: dict[str, Any], **extra: Any) -> int:
        entry = {
            'v': 1,
            'seq': len(self.entries),
            'type': kind,
            'at': AT,
            'actor': extra.pop('actor', 'did:system'),
            'taskId': task_id,
            'data': data,
            **extra,
        }
        self.entries.append(canonical_json(entry))
        return len(self.entries) - 1

    def decide(self, n: int, signer: Ed25519PrivateKey | None = None) -> int:
        """The decision on approval ``n``, signed by the key in force (or ``signer``)."""
        record = {
            'type': 'humanos.decision/v1',
            'origin': self.origin,
            'approvalId': f'approval:{n}',
            'taskId': f'task:{n}',
            'verdict': 'approved',
            'decidedBy': 'did:human:ann',
            'decidedAt': AT,
            'reason': 'ok',
            'feedback': None,
            'edits': None,
            'payloadDigest': 'sha256:' + hashlib.sha256(f'payload {n}'.encode()).hexdigest(),
        }
        signature = '0x' + (signer or self.signer).sign(canonical_json(record).encode()).hex()
        data = {'record': record, 'signature': signature}
        index = self.append('approval.decided', f'task:{n}', data, actor='did:human:ann', approvalId=f'approval:{n}')
        self.decisions.append({'type': 'decision', 'ledgerIndex': index, 'record': record, 'signature': signature})
        return index

    def task(self, n: int) -> None:
        self.append('task.created', f'task:{n}', {'title': f'task {n}'}, actor='did:agent:bot')
        self.append('approval.requested', f'task:{n}', {'roles': ['finance']}, approvalId=f'approval:{n}')

    def rotate(
        self,
        nxt: Ed25519PrivateKey,
        *,
        signer: Ed25519PrivateKey | None = None,
        previous: Ed25519PrivateKey | None = None,
    ) -> int:
        """Hands the log to ``nxt``: the rotation statement signed by the key in force (or ``signer``)."""
        prev = did(previous or self.signer)
        sig = (signer or self.signer).sign(rotation_statement(self.origin, prev, did(nxt)).encode())
        index = self.append(
            KEY_ROTATED, None, {'previous': prev, 'next': did(nxt), 'signature': '0x' + sig.hex()}, actor='system'
        )
        self.signer = nxt
        self.history.append((nxt, index + 1))
        return index

    def key_for_size(self, size: int) -> Ed25519PrivateKey:
        return [k for k, s in self.history if s < size or s == 0][-1]

    def text(self, size: int) -> str:
        """The checkpoint text of the first ``size`` entries, with the task-heads line the server adds."""
        leaves = [leaf_hash(e) for e in self.entries[:size]]
        heads = TaskHeads()
        for e, leaf in zip(self.entries[:size], leaves, strict=True):
            task_id = json.loads(e)['taskId']
            if task_id is not None:
                heads.add(task_id, leaf)
        count, heads_root = heads.root()
        root = base64.b64encode(root_from_leaf_hashes(leaves)).decode()
        return (
            f'{self.origin}\n{size}\n{root}\n{TASK_HEADS_EXTENSION} {count} {base64.b64encode(heads_root).decode()}\n'
        )

    def checkpoint(self, size: int, signer: Ed25519PrivateKey | None = None) -> str:
        """The checkpoint of ``size`` signed by the key in force at that size (or ``signer``)."""
        k = signer or self.key_for_size(size)
        text = self.text(size)
        blob = note_key_hash(self.origin, raw(k)) + k.sign(text.encode())
        return f'{text}\n\u2014 {self.origin} {base64.b64encode(blob).decode()}\n'

    def export(
        self,
        checkpoints: list[str],
        keys: list[tuple[Ed25519PrivateKey, int]] | None = None,
        current: Ed25519PrivateKey | None = None,
    ) -> str:
        """The JSON Lines export; ``keys`` and ``current`` replace the header's key list and key."""
        history = self.history if keys is None else keys
        header = {
            'type': 'header',
            'format': 'humanos-ledger/1',
            'origin': self.origin,
            'publicKey': did(current or history[-1][0]),
            'size': len(self.entries),
            'keys': [{'publicKey': did(k), 'fromSize': s} for k, s in history],
        }
        lines = [header]
        lines += [
            {'type': 'entry', 'index': i, 'entry': e, 'leafHash': leaf_hash(e).hex()}
            for i, e in enumerate(self.entries)
        ]
        lines += self.decisions
        lines += [{'type': 'checkpoint', 'note': n} for n in checkpoints]
        return ''.join(json.dumps(x, ensure_ascii=False, separators=(',', ':')) + '\n' for x in lines)


def flip(line: str, at: int) -> str:
    """The cosignature line with one bit of its blob flipped at byte ``at`` (8..11: the timestamp)."""
    name, b64 = line.rstrip('\n').split(' ')[1:]
    blob = bytearray(base64.b64decode(b64))
    blob[at] ^= 0x01
    return f'\u2014 {name} {base64.b64encode(bytes(blob)).decode()}\n'


def case(name: str, why: str, export: str, expect: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {'name': name, 'why': why, 'export': export, **options, 'expect': expect}


def ok(witnessed: int | None = None, keys: list[tuple[Ed25519PrivateKey, int]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {'ok': True, 'index': None, 'witnessedSize': witnessed}
    if keys is not None:
        out['keys'] = [{'publicKey': did(k), 'fromSize': s} for k, s in keys]
    return out


def bad(index: int | None) -> dict[str, Any]:
    return {'ok': False, 'index': index}


def witness_log(origin: str, fork: bool = False) -> Log:
    """Six entries; the fork shares only the first."""
    log = Log(origin, key('log'))
    log.append('principal.created', None, {'principalId': 'did:human:ann'}, actor='did:admin')
    log.task(2 if fork else 1)
    log.decide(2 if fork else 1)
    log.task(3)
    return log


def cosigned(log: Log, size: int, *lines_of: tuple[Witness, int]) -> tuple[str, str]:
    """The checkpoint of ``size`` and its text, with a cosignature by each (witness, time offset)."""
    text = log.text(size)
    return log.checkpoint(size) + ''.join(w.line(text, T0 + size * 100 + dt) for w, dt in lines_of), text


def witness_cases() -> list[dict[str, Any]]:
    w1, w2, w3, w4 = (Witness(f'witness.test/w{i}', key(f'w{i}')) for i in (1, 2, 3, 4))
    policy = {'witnesses': [w1.vkey, w2.vkey]}
    log = witness_log('humanos.test/witness')
    cp2, t2 = cosigned(log, 2, (w1, 1), (w2, 2))
    cp4, t4 = cosigned(log, 4, (w1, 1), (w2, 2))
    cp6, t6 = cosigned(log, 6, (w1, 1), (w3, 3))
    good = log.export([cp2, cp4, cp6])
    only_w1 = [
        log.checkpoint(2) + w1.line(t2, T0),
        log.checkpoint(4) + w1.line(t4, T0) + w3.line(t4, T0),
        log.checkpoint(6),
    ]
    fork = witness_log('humanos.test/witness', fork=True)
    fork_cps = [fork.checkpoint(s) for s in (2, 4, 6)]
    copied = [
        n + ''.join(x for x in src.split('\n\n')[1].splitlines(keepends=True)[1:])
        for n, src in zip(fork_cps, [cp2, cp4, cp6], strict=True)
    ]

    def w2_lines(transform: Any, w: Witness = w2) -> str:
        """The good export with each of w2's (or ``w``'s) lines replaced by ``transform(line, text)``."""
        notes = []
        for note, text in ((cp2, t2), (cp4, t4), (cp6, t6)):
            head, sigs = note.split('\n\n')
            lines = sigs.splitlines(keepends=True)
            notes.append(head + '\n\n' + ''.join(transform(x, text) if x.split(' ')[1] == w.name else x for x in lines))
        return log.export(notes)

    wrong_type = w2.vkey.split('+')
    wrong_type[2] = base64.b64encode(b'\x01' + raw(w2.key)).decode()
    garbage = [
        cp2,
        cp4 + f'\u2014 {w3.name} ' + base64.b64encode(bytes(76)).decode() + '\n' + '\u2014 nobody.test/x AAAA\n',
        cp6,
    ]
    twice = [log.checkpoint(2), log.checkpoint(4) + w1.line(t4, T0) + w1.line(t4, T0 + 1), log.checkpoint(6)]
    return [
        case('witness-no-policy', 'no witness policy: the cosignatures are not looked at', good, ok()),
        case(
            'witness-2-of-2',
            'checkpoints 2 and 4 carry w1 and w2; 6 only w1 (and w3, not in the policy)',
            good,
            ok(4),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-1-of-2',
            'the newest witnessed checkpoint is 6 when one witness suffices',
            good,
            ok(6),
            **policy,
            witnessQuorum=1,
        ),
        case(
            'witness-quorum-unmet',
            'w4 never cosigned: no checkpoint carries 3 of w1, w2, w4',
            good,
            bad(None),
            witnesses=[w1.vkey, w2.vkey, w4.vkey],
            witnessQuorum=3,
        ),
        case(
            'witness-non-policy-not-counted',
            'only w1 and w3 cosigned; w3 is not in the policy',
            log.export(only_w1),
            bad(None),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-non-policy-in-policy',
            'the same export, with w3 in the policy: its cosignature on 4 is valid',
            log.export(only_w1),
            ok(4),
            witnesses=[w1.vkey, w3.vkey],
            witnessQuorum=2,
        ),
        case(
            'witness-unknown-lines-ignored',
            'unreadable lines of w3 (not in the policy) and of an unknown key are ignored',
            log.export(garbage),
            ok(4),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-bad-cosignature',
            "w2's cosignature on 4 has a flipped bit: a line with a policy witness's name and key id that does not "
            'verify makes the note malformed (C2SP signed-note), and the export is refused, though 2 is witnessed',
            w2_lines(lambda x, t: flip(x, 20) if t == t4 else x),
            bad(None),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-truncated-cosignature',
            "w2's line on 4 has its key id but only 8 more bytes",
            w2_lines(
                lambda x, t: (
                    x
                    if t != t4
                    else x.split(' ')[0]
                    + f' {w2.name} '
                    + base64.b64encode(base64.b64decode(x.split(' ')[2])[:12]).decode()
                    + '\n'
                )
            ),
            bad(None),
            **policy,
            witnessQuorum=1,
        ),
        case(
            'witness-non-policy-bad-line-ignored',
            "w3's cosignature on 6 has a flipped bit; w3 is not in the policy, so its line is not looked at",
            w2_lines(lambda x, t: flip(x, 20), w3),
            ok(4),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-timestamp-altered',
            "w2's timestamps were changed after signing",
            w2_lines(lambda x, t: flip(x, 11)),
            bad(None),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-signed-without-extension',
            'w2 signed only the first three lines (the extension line must be signed too)',
            w2_lines(lambda x, t: w2.line(t, T0, signed_text='\n'.join(t.split('\n')[:3]) + '\n')),
            bad(None),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-same-witness-twice',
            'w1 cosigned 4 twice; distinct witnesses count',
            log.export(twice),
            bad(None),
            **policy,
            witnessQuorum=2,
        ),
        case(
            'witness-policy-key-wrong-type',
            "w2's verifier key is of type 0x01 (a note signer), not 0x04 (cosignature/v1)",
            good,
            bad(None),
            witnesses=[w1.vkey, '+'.join(wrong_type)],
            witnessQuorum=1,
        ),
        case(
            'forked-no-policy',
            'a log rewritten after entry 0 and re-signed with the log key verifies without a policy',
            fork.export(fork_cps),
            ok(),
        ),
        case(
            'forked-unwitnessed',
            'the rewritten log: no witness cosigned any of its checkpoints',
            fork.export(fork_cps),
            bad(None),
            **policy,
            witnessQuorum=1,
        ),
        case(
            'forked-copied-cosignatures',
            "the witnesses' lines copied onto the rewritten log's checkpoints do not verify",
            fork.export(copied),
            bad(None),
            **policy,
            witnessQuorum=1,
        ),
        case(
            'forked-with-witnessed-checkpoint',
            "the real, witnessed checkpoint 4 does not match the rewritten log's entries",
            fork.export([fork_cps[0], cp4, fork_cps[2]]),
            bad(2),
            **policy,
            witnessQuorum=2,
        ),
    ]


def rotation_log(rotate: Any = None, decision_signer: Ed25519PrivateKey | None = None) -> Log:
    """Entries 0-3 under k1, the rotation at 4 (k2 takes over at size 5), entries 5-7 under k2."""
    log = Log('humanos.test/rotation', key('k1'))
    log.append('principal.created', None, {'principalId': 'did:human:ann'}, actor='did:admin')
    log.task(1)
    log.decide(1)
    (rotate or (lambda lg: lg.rotate(key('k2'))))(log)
    log.task(2)
    log.decide(2, decision_signer)
    return log


def rotation_cases() -> list[dict[str, Any]]:
    k1, k2, k3 = key('k1'), key('k2'), key('k3')
    log = rotation_log()
    cps = [log.checkpoint(2), log.checkpoint(5), log.checkpoint(8)]
    good = log.export(cps)
    chain = [(k1, 0), (k2, 5)]

    def variant(rotate: Any) -> str:
        lg = rotation_log(rotate)
        return lg.export([lg.checkpoint(2), lg.checkpoint(5), lg.checkpoint(8)])

    sealed = Log('humanos.test/rotation', k1)
    sealed.entries, sealed.decisions = log.entries[:5], log.decisions[:1]
    sealed.history = chain
    unsealed = sealed.export([log.checkpoint(2), log.checkpoint(5)])
    # The server's rotation seal: the previous key's signature and the next key's on one checkpoint.
    both_blob = note_key_hash(log.origin, raw(k2)) + k2.sign(log.text(5).encode())
    sealed_by_both = sealed.export(
        [log.checkpoint(2), f'{log.checkpoint(5)}\u2014 {log.origin} {base64.b64encode(both_blob).decode()}\n']
    )
    two = rotation_log()
    two.rotate(k3)
    two.task(3)
    two_chain = [*chain, (k3, 9)]
    by_old = rotation_log(decision_signer=k1)
    plain = Log('humanos.test/rotation', k1)
    plain.append('principal.created', None, {'principalId': 'did:human:ann'}, actor='did:admin')
    plain.task(1)
    return [
        case('rotation-valid', 'k1 hands the log to k2 at index 4; checkpoint 5 by k1, 8 by k2', good, ok(None, chain)),
        case(
            'rotation-trusting-first-key',
            'the first key vouches for the next one',
            good,
            ok(None, chain),
            trustedPublicKey=did(k1),
        ),
        case(
            'rotation-trusting-next-key',
            'the next key signed checkpoint 8, which covers the rotation',
            good,
            ok(None, chain),
            trustedPublicKey=did(k2),
        ),
        case('rotation-untrusted-key', 'a key that is not in the chain', good, bad(None), trustedPublicKey=did(k3)),
        case(
            'rotation-two',
            'k1 → k2 at 4, k2 → k3 at 8',
            two.export([two.checkpoint(5), two.checkpoint(9), two.checkpoint(11)]),
            ok(None, two_chain),
            trustedPublicKey=did(k2),
        ),
        case(
            'rotation-forged',
            'a rotation from k1 to k3 signed by k3, not by k1',
            variant(lambda lg: lg.rotate(k3, signer=k3)),
            bad(4),
        ),
        case(
            'rotation-signed-by-next',
            'a rotation from k1 to k2 signed by k2',
            variant(lambda lg: lg.rotate(k2, signer=k2)),
            bad(4),
        ),
        case(
            'rotation-previous-not-in-force',
            'a rotation naming k3 as the previous key, signed by k3',
            variant(lambda lg: lg.rotate(k2, signer=k3, previous=k3)),
            bad(4),
        ),
        case(
            'rotation-header-differs',
            'the export header lists k3 where the log rotated to k2',
            log.export(cps[:2], keys=[(k1, 0), (k3, 5)]),
            bad(4),
        ),
        case(
            'rotation-header-key-not-last',
            "the export header's publicKey (the current key) is k1, not the last key of its list",
            log.export(cps, current=k1),
            bad(None),
        ),
        case(
            'rotation-header-first-not-at-zero',
            "the export header's key list starts at size 1",
            log.export(cps, keys=[(k1, 1), (k2, 5)]),
            bad(None),
        ),
        case(
            'rotation-header-wrong-size',
            'the export header says k2 signs from size 6; the rotation at 4 hands it the log from 5',
            log.export(cps, keys=[(k1, 0), (k2, 6)]),
            bad(4),
        ),
        case(
            'rotation-header-without-rotation',
            'the export header declares k2 from size 3, but entry 2 is no key rotation',
            plain.export([plain.checkpoint(2)], keys=[(k1, 0), (k2, 3)]),
            bad(2),
        ),
        case(
            'rotation-later-checkpoint-by-old-key',
            'checkpoint 8 is signed by k1, no longer in force',
            log.export([cps[0], cps[1], log.checkpoint(8, k1)]),
            bad(None),
        ),
        case(
            'rotation-seal-by-next-key',
            'checkpoint 5 (sealing the rotation) is signed by k2, not yet in force',
            log.export([cps[0], log.checkpoint(5, k2), cps[2]]),
            bad(None),
        ),
        case(
            'rotation-decision-by-old-key',
            'the decision at 7 is signed by k1, no longer in force',
            by_old.export([by_old.checkpoint(2), by_old.checkpoint(5), by_old.checkpoint(8)]),
            bad(7),
        ),
        case(
            'rotation-unsealed-by-next',
            'the log ends at the rotation: k2 signed nothing yet',
            unsealed,
            ok(None, chain),
        ),
        case(
            'rotation-unsealed-trusting-next-key',
            'trusting k2, which signed nothing of this log',
            unsealed,
            bad(None),
            trustedPublicKey=did(k2),
        ),
        case(
            'rotation-seal-signed-by-both-trusting-next-key',
            'the log ends at the rotation, whose seal k2 signed beside k1 (as the server does): k2 anchors it',
            sealed_by_both,
            ok(None, chain),
            trustedPublicKey=did(k2),
        ),
    ]


def main() -> None:
    doc = {
        'comment': (
            'Made by sdks/python/tests/witness_vectors.py (deterministic). Each export must verify as `expect` says: '
            '`ok`, `index` (the first bad entry; null when the failure names none), and for valid ones '
            '`witnessedSize` (the newest checkpoint cosigned by a quorum; null without a policy) and `keys` '
            '(the signing-key history). Options: `witnesses` (cosignature/v1 verifier keys), `witnessQuorum`, '
            '`trustedPublicKey`.'
        ),
        'cases': witness_cases() + rotation_cases(),
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')


if __name__ == '__main__':
    main()
