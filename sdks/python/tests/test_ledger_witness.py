"""The offline verifier's witness policy and signing-key history, on the shared cases of
``sdks/testdata/witness-vectors.json`` (made by ``tests/witness_vectors.py``; the Go and TypeScript
verifiers run the same file). Offline: no server."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import witness_vectors
from human_sdk.ledger import LedgerExportError, parse_ledger_export, verify_ledger
from human_sdk.ledger.cli import main as cli_main
from human_sdk.ledger.signing import SignatureError
from human_sdk.ledger.witness import parse_witness_vkey, witness_vkey

_FILE = Path(__file__).resolve().parents[2] / 'testdata' / 'witness-vectors.json'
_VECTORS: dict[str, Any] = json.loads(_FILE.read_text(encoding='utf-8'))
_CASES: list[dict[str, Any]] = _VECTORS['cases']


def _verdict(case: dict[str, Any]) -> dict[str, Any]:
    r = verify_ledger(
        parse_ledger_export(case['export']),
        case.get('trustedPublicKey'),
        witnesses=case.get('witnesses'),
        witness_quorum=case.get('witnessQuorum'),
    )
    if not r.ok:
        return {'ok': False, 'index': r.first_bad_index}
    out: dict[str, Any] = {'ok': True, 'index': None, 'witnessedSize': r.witnessed_size}
    if 'keys' in case['expect']:
        out['keys'] = [{'publicKey': k.public_key, 'fromSize': k.from_size} for k in r.keys]
    return out


def test_the_file_is_what_the_generator_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / 'vectors.json'
    monkeypatch.setattr(witness_vectors, 'OUT', out)
    witness_vectors.main()
    assert out.read_bytes() == _FILE.read_bytes()


def test_the_file_has_valid_logs_and_forgeries() -> None:
    outcomes = [c['expect']['ok'] for c in _CASES]
    assert outcomes.count(True) >= 10
    assert outcomes.count(False) >= 15
    assert {c['name'] for c in _CASES} >= {'witness-2-of-2', 'forked-unwitnessed', 'rotation-valid', 'rotation-forged'}


@pytest.mark.parametrize('case', _CASES, ids=[c['name'] for c in _CASES])
def test_python_gives_the_expected_verdict(case: dict[str, Any]) -> None:
    assert _verdict(case) == case['expect'], case['why']


def _case(name: str) -> dict[str, Any]:
    return next(c for c in _CASES if c['name'] == name)


def test_a_verdict_names_why() -> None:
    forked = _case('forked-unwitnessed')
    r = verify_ledger(parse_ledger_export(forked['export']), witnesses=forked['witnesses'], witness_quorum=1)
    assert r.reason == 'no checkpoint carries valid cosignatures of 1 of the 2 policy witnesses'
    forged = _case('rotation-forged')
    r = verify_ledger(parse_ledger_export(forged['export']))
    assert (r.first_bad_index, r.reason) == (4, 'the key rotation is not signed by the key in force')
    r = verify_ledger(
        parse_ledger_export(_case('rotation-valid')['export']),
        'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
    )
    assert r.reason == "the trusted public key is not one of the log's signing keys"


def test_the_policy_refuses_what_is_no_cosignature_key() -> None:
    vkey = witness_vkey('w.test/1', bytes(range(32)))
    assert parse_witness_vkey(vkey).public_key == bytes(range(32))
    name, key_id, material = vkey.split('+')
    for wrong in (
        f'{name}+00000000+{material}',
        f'w.test/2+{key_id}+{material}',
        f'{name}+{key_id}',
        f'a b+{key_id}+{material}',
    ):
        with pytest.raises(SignatureError):
            parse_witness_vkey(wrong)
    good = _case('witness-2-of-2')
    bundle = parse_ledger_export(good['export'])
    for witnesses, quorum in ((good['witnesses'], 3), (good['witnesses'], 0), ([], 1), ([vkey, vkey], 1)):
        r = verify_ledger(bundle, witnesses=witnesses, witness_quorum=quorum)
        assert not r.ok and r.reason is not None and r.reason.startswith('witness policy rejected')


def test_the_cli_takes_a_witness_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case('witness-2-of-2')
    path = tmp_path / 'ledger.jsonl'
    path.write_text(case['export'], encoding='utf-8')
    flags = [a for w in case['witnesses'] for a in ('--witness', w)]
    assert cli_main([str(path), *flags, '--witness-quorum', '2']) == 0
    assert json.loads(capsys.readouterr().out)['witnessed_size'] == 4
    fork = tmp_path / 'fork.jsonl'
    fork.write_text(_case('forked-unwitnessed')['export'], encoding='utf-8')
    assert cli_main([str(fork), *flags, '--witness-quorum', '1']) == 1
    assert json.loads(capsys.readouterr().out)['ok'] is False
    with pytest.raises(SystemExit) as usage:
        cli_main([str(path), '--witness-quorum', '1'])
    assert usage.value.code == 2


def test_the_cli_checks_a_trusted_key_against_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case('rotation-valid')
    path = tmp_path / 'ledger.jsonl'
    path.write_text(case['export'], encoding='utf-8')
    for key in case['expect']['keys']:
        assert cli_main([str(path), '--public-key', key['publicKey']]) == 0
        out = json.loads(capsys.readouterr().out)
        assert [k['public_key'] for k in out['keys']] == [k['publicKey'] for k in case['expect']['keys']]
    assert dataclasses.is_dataclass(verify_ledger(parse_ledger_export(case['export'])))


@pytest.mark.parametrize(
    'keys',
    [
        '"did:key:z6Mk"',
        '[]',
        '[{"publicKey":"did:key:z6Mk","fromSize":true}]',
        '[{"publicKey":"did:key:z6Mk"}]',
        '[{"publicKey":1,"fromSize":0}]',
    ],
)
def test_a_header_key_list_that_is_no_list_of_keys_is_refused(keys: str) -> None:
    header = '{"type":"header","format":"humanos-ledger/1","origin":"o","publicKey":"did:key:z6Mk","size":0,"keys":%s}'
    with pytest.raises(LedgerExportError, match='keys is not a list'):
        parse_ledger_export(header % keys)
