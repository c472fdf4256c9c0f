"""The task-heads root every checkpoint signs, against logs signed here (no server needed)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from human_sdk import parse_ledger_export, verify_ledger
from human_sdk.canonical import canonical_json
from human_sdk.ledger import MerkleFrontier, leaf_hash
from human_sdk.ledger.signing import did_key_from_public_key
from human_sdk.ledger.taskheads import TaskHeads, task_heads_from_extensions

ORIGIN = 'humanos.ledger/py-heads'


def _note(key: Ed25519PrivateKey, lines: list[str]) -> str:
    text = ''.join(f'{line}\n' for line in lines)
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_hash = hashlib.sha256(f'{ORIGIN}\n'.encode() + b'\x01' + pub).digest()[:4]
    sig = base64.b64encode(key_hash + key.sign(text.encode())).decode()
    return f'{text}\n\u2014 {ORIGIN} {sig}\n'


def _export(
    tasks: list[str | None], *, heads_from: int = 0, bad_heads_at: int | None = None, legacy_at: int | None = None
) -> str:
    """A signed export with one entry per item of ``tasks`` and a checkpoint after each entry."""
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    out: list[dict[str, object]] = [
        {'type': 'header', 'format': 'humanos-ledger/1', 'origin': ORIGIN, 'publicKey': did_key_from_public_key(pub)}
    ]
    notes: list[str] = []
    tree, heads = MerkleFrontier(), TaskHeads()
    for seq, task_id in enumerate(tasks):
        entry = canonical_json(
            {'v': 1, 'seq': seq, 'type': 'task.feedback', 'at': 't', 'actor': 'a', 'taskId': task_id, 'data': {}}
        )
        leaf = leaf_hash(entry)
        out.append({'type': 'entry', 'index': seq, 'entry': entry, 'leafHash': leaf.hex(), 'taskId': task_id})
        tree.append(leaf)
        if task_id is not None:
            heads.add(task_id, leaf)
        lines = [ORIGIN, str(seq + 1), base64.b64encode(tree.root()).decode()]
        if seq + 1 >= heads_from and seq + 1 != legacy_at:
            size, root = heads.root()
            if seq + 1 == bad_heads_at:
                root = hashlib.sha256(root).digest()
            lines.append(f'humanos-task-heads {size} {base64.b64encode(root).decode()}')
        notes.append(_note(key, lines))
    out.extend({'type': 'checkpoint', 'note': n} for n in notes)
    return '\n'.join(json.dumps(x) for x in out)


TASKS: list[str | None] = ['t1', 't2', None, 't1', 't3', 't2', 't2', None, 't1']


def test_an_honest_log_verifies_with_its_task_heads() -> None:
    report = verify_ledger(parse_ledger_export(_export(TASKS)))
    assert report.ok, report.reason
    assert report.checkpoints_verified == len(TASKS)


def test_a_signed_heads_root_the_entries_do_not_give_is_named_by_range() -> None:
    report = verify_ledger(parse_ledger_export(_export(TASKS, bad_heads_at=5)))
    assert not report.ok and report.first_bad_index == 4
    assert report.reason is not None and report.reason.startswith('the task heads of the first 5 entries differ')


def test_legacy_checkpoints_only_before_the_heads_started() -> None:
    # A log from before task heads: its first checkpoints carry no heads line, the later ones do.
    assert verify_ledger(parse_ledger_export(_export(TASKS, heads_from=4))).ok
    assert verify_ledger(parse_ledger_export(_export(TASKS, heads_from=100))).ok  # an old log throughout
    # A checkpoint without the line after one with it was not signed by a server that knows them.
    report = verify_ledger(parse_ledger_export(_export(TASKS, heads_from=3, legacy_at=6)))
    assert not report.ok
    assert report.reason == 'the checkpoint of size 6 signs no task-heads root, though an earlier one does'


def test_heads_lines_are_parsed_strictly() -> None:
    root = base64.b64encode(bytes(32)).decode()
    assert task_heads_from_extensions([f'humanos-task-heads 3 {root}']) == (3, bytes(32))
    assert task_heads_from_extensions(['other-extension 1']) is None
    for bad in [[f'humanos-task-heads 03 {root}'], [f'humanos-task-heads 3 {root}'] * 2]:
        try:
            task_heads_from_extensions(bad)
        except ValueError:
            continue
        raise AssertionError(f'{bad} was accepted')
