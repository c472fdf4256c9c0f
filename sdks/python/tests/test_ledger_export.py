"""verify_ledger on a real export: intact, tampered (entry, stored decision), truncated under a pin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from human_sdk import TrustedCheckpoint, parse_ledger_export, verify_ledger
from human_sdk.ledger import (
    decode_proof,
    leaf_hash,
    open_checkpoint,
    public_key_from_did_key,
    verify_decision_signature,
    verify_inclusion,
)

from conftest import Actors, Server


@pytest.fixture
async def export(server: Server, actors: Callable[..., Actors], role: Callable[[str], str]) -> str:
    """A ledger with at least one decision in it, exported by the admin."""
    r = role('finance_manager')
    a = actors(r)
    task = await a.agent.create_task('Pay ACME', human_in_loop={'approver_role': r}, payload={'amount': 1.5e3})
    assert task.approval_request is not None
    await a.human(r).approve(task.approval_request.id, approval_reason='ok', edits={'amount': 1250.75})
    with server.admin() as admin:
        text: str = admin.export_ledger()
    return text


def _trusted_key(server: Server) -> str:
    with server.admin() as admin:
        return str(admin.ledger_public_key()['publicKey'])


def test_real_export_verifies_with_the_trusted_key(server: Server, export: str) -> None:
    report = verify_ledger(parse_ledger_export(export), _trusted_key(server))
    assert report.ok, report.reason
    assert report.size > 3 and report.decisions_verified >= 1 and report.checkpoints_verified >= 1
    assert report.checkpoint is not None and report.checkpoint.size == report.size


def test_a_changed_entry_is_named_at_its_index(server: Server, export: str) -> None:
    lines = export.splitlines()
    at = max(i for i, line in enumerate(lines) if 'approval.decided' in line and 'reason' in line)
    rec = json.loads(lines[at])
    rec['entry'] = rec['entry'].replace('"reason":"ok"', '"reason":"OK"', 1)
    assert rec['entry'] != json.loads(lines[at])['entry']
    tampered = [*lines[:at], json.dumps(rec), *lines[at + 1 :]]
    report = verify_ledger(parse_ledger_export('\n'.join(tampered)), _trusted_key(server))
    assert not report.ok and report.first_bad_index == rec['index']
    assert report.reason == 'entry does not match the leaf hash recorded when it was appended'

    # Without the recorded leaf hash the signed checkpoints still catch it, within a range.
    del rec['leafHash']
    tampered = [*lines[:at], json.dumps(rec), *lines[at + 1 :]]
    report = verify_ledger(parse_ledger_export('\n'.join(tampered)), _trusted_key(server))
    assert not report.ok and report.first_bad_index is not None and report.first_bad_index <= rec['index']


def test_an_edited_stored_decision_is_caught(server: Server, export: str) -> None:
    lines = export.splitlines()
    at = max(i for i, line in enumerate(lines) if line.startswith('{"type":"decision"'))
    rec = json.loads(lines[at])
    rec['record']['reason'] = 'rubber stamp'
    lines[at] = json.dumps(rec)
    report = verify_ledger(parse_ledger_export('\n'.join(lines)), _trusted_key(server))
    assert not report.ok and report.first_bad_index == rec['ledgerIndex']
    assert report.reason == 'the stored decision differs from the decision signed into the ledger'


def test_an_edited_task_id_column_is_named(server: Server, export: str) -> None:
    """The store's index column is exported and must name the signed entry's task (issue 22)."""
    lines = export.splitlines()
    at = max(i for i, line in enumerate(lines) if line.startswith('{"type":"entry"') and '"taskId":"task' in line)
    rec = json.loads(lines[at])
    assert rec['taskId'] is not None
    rec['taskId'] = 'task:agent:decoy'
    lines[at] = json.dumps(rec)
    report = verify_ledger(parse_ledger_export('\n'.join(lines)), _trusted_key(server))
    assert not report.ok and report.first_bad_index == rec['index']
    assert report.reason is not None and 'taskId column' in report.reason


def test_an_edited_decision_row_is_named(server: Server, export: str) -> None:
    """The decision row's own columns (verdict, decider, digest) must say what the signed record says."""
    lines = export.splitlines()
    at = max(i for i, line in enumerate(lines) if line.startswith('{"type":"decision"'))
    rec = json.loads(lines[at])
    for column, value in [('verdict', 'rejected'), ('principalId', 'did:human:mallory'), ('payloadDigest', 'x')]:
        edited = {**rec, 'row': {**rec['row'], column: value}}
        tampered = [*lines[:at], json.dumps(edited), *lines[at + 1 :]]
        report = verify_ledger(parse_ledger_export('\n'.join(tampered)), _trusted_key(server))
        assert not report.ok and report.first_bad_index == rec['ledgerIndex'], column
        assert report.reason == 'the stored decision row (verdict, decider, digest) differs from the signed decision'


def test_checkpoints_sign_the_task_heads_and_they_verify(server: Server, export: str) -> None:
    notes = [json.loads(line)['note'] for line in export.splitlines() if line.startswith('{"type":"checkpoint"')]
    key = public_key_from_did_key(_trusted_key(server))
    with_heads = [
        n for n in notes if 'humanos-task-heads' in open_checkpoint(n, n.split('\n', 1)[0], key).extensions[0]
    ]
    assert with_heads, 'the server signs a task-heads line into its checkpoints'
    assert verify_ledger(parse_ledger_export(export), _trusted_key(server)).ok


def test_another_key_is_none_of_the_logs(export: str) -> None:
    other = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
    report = verify_ledger(parse_ledger_export(export), other)
    assert not report.ok and report.reason == "the trusted public key is not one of the log's signing keys"


def test_pinning_a_checkpoint(server: Server, export: str) -> None:
    key = _trusted_key(server)
    bundle = parse_ledger_export(export)
    first = verify_ledger(bundle, key)
    assert first.checkpoint is not None
    pinned = first.checkpoint

    # The same log (or a longer one) is consistent with the pin, by a proof from the entries...
    again = verify_ledger(bundle, key, trusted_checkpoint=pinned)
    assert again.ok and again.consistent_with_trusted
    smaller = TrustedCheckpoint(size=3, root=_root_at(bundle, 3))
    assert verify_ledger(bundle, key, trusted_checkpoint=smaller).ok
    # ...or by the server's consistency proof.
    with server.admin() as admin:
        proof = admin.consistency_proof(3, pinned.size)
    report = verify_ledger(
        bundle, key, trusted_checkpoint=smaller, consistency_proof=decode_proof(proof['consistencyProof'])
    )
    assert report.ok and report.consistent_with_trusted

    # A shorter log than the pin fails, naming the size.
    lines = export.splitlines()
    cut = pinned.size - 2
    short = [
        line
        for line in lines
        if not (line.startswith('{"type":"entry"') and json.loads(line)['index'] >= cut)
        and not (line.startswith('{"type":"checkpoint"') and _cp_size(line, bundle.origin, key) > cut)
        and not (line.startswith('{"type":"decision"') and json.loads(line)['ledgerIndex'] >= cut)
    ]
    truncated = parse_ledger_export('\n'.join(short))
    assert verify_ledger(truncated, key).ok  # on its own, a consistent shorter log
    pinned_report = verify_ledger(truncated, key, trusted_checkpoint=pinned)
    assert not pinned_report.ok
    assert pinned_report.reason == (
        f'the log has {cut} entries, fewer than the trusted checkpoint of size {pinned.size}'
    )

    # A pin with another root (history rewritten) fails the consistency proof.
    forged = TrustedCheckpoint(size=3, root=bytes(32))
    bad = verify_ledger(bundle, key, trusted_checkpoint=forged)
    assert (
        not bad.ok and bad.reason is not None and 'not consistent with the trusted checkpoint of size 3' in bad.reason
    )


async def test_approve_provenance_verifies_with_only_the_public_key(
    server: Server, actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    r = role('cfo')
    a = actors(r)
    task = await a.agent.create_task('Sign the contract', human_in_loop={'approver_role': r})
    assert task.approval_request is not None
    decision = await a.human(r).approve(task.approval_request.id, approval_reason='reviewed')
    prov = decision.provenance
    assert prov is not None
    with server.admin() as admin:
        key_info = admin.ledger_public_key()
        entry = admin._send(  # the entry itself, as an auditor reads it
            __import__('human_sdk._calls', fromlist=['Call']).Call(
                'GET',
                '/v1/humanos/ledger/entries',
                lambda r: r,
                params={'start': prov.ledger_index, 'end': prov.ledger_index + 1},
            )
        )['entries'][0]['entry']
    public_key = public_key_from_did_key(key_info['publicKey'])
    cp = open_checkpoint(prov.checkpoint, key_info['origin'], public_key)
    assert cp.size == prov.tree_size
    verify_inclusion(prov.ledger_index, prov.tree_size, leaf_hash(entry), decode_proof(prov.inclusion_proof), cp.root)
    record = json.loads(entry)['data']['record']
    assert verify_decision_signature(record, prov.approval_signature, public_key)
    assert not verify_decision_signature({**record, 'verdict': 'rejected'}, prov.approval_signature, public_key)


def _root_at(bundle: object, size: int) -> bytes:
    from human_sdk.ledger import MemoryMerkleTree

    entries = bundle.entries  # type: ignore[attr-defined]
    return MemoryMerkleTree([leaf_hash(e['entry']) for e in entries[:size]]).root()


def _cp_size(line: str, origin: str, key: str) -> int:
    return open_checkpoint(json.loads(line)['note'], origin, public_key_from_did_key(key)).size


def test_command_line_verifier(server: Server, export: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from human_sdk.ledger.cli import main

    path = tmp_path / 'ledger.jsonl'
    path.write_text(export)
    assert main([str(path), '--key', _trusted_key(server)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out['ok'] is True
    assert out['checkpoint']['size'] == out['size']
    bad = export.replace('"reason":"ok"', '"reason":"OK"', 1)
    path.write_text(bad)
    assert main([str(path)]) == 1
    assert json.loads(capsys.readouterr().out)['ok'] is False
