"""Offline verification of passkey-signed decisions (docs/ledger.md): the shared fixture, a byte-flip
property, the CLI, and malformed evidence failing cleanly. Pure: no server needed."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import pytest

from human_sdk.ledger import parse_ledger_export, verify_ledger
from human_sdk.ledger.cli import main as cli_main
from human_sdk.ledger.passkey import ALG_EDDSA, ALG_ES256, KeyRegistry, b64url_decode, check_passkey_decision
from passkey_authenticator import (
    CASES,
    DETERMINISTIC,
    FIXTURE,
    WEB_ORIGIN,
    LedgerWriter,
    SoftAuthenticator,
    decision_record,
    fixture_text,
    passkey_evidence,
)

_FIXTURE: dict[str, Any] = json.loads(FIXTURE.read_text(encoding='utf-8'))


def _outcome(export: str, key: str | None = None) -> dict[str, Any]:
    r = verify_ledger(parse_ledger_export(export), key or _FIXTURE['publicKey'])
    if r.ok:
        assert r.check is None
        return {'ok': True}
    assert r.reason is not None
    assert r.check is None or r.reason.startswith(r.check + ': ')
    return {'ok': False, 'index': r.first_bad_index, 'check': r.check}


def test_fixture_is_what_the_generator_makes() -> None:
    # The committed file is what the generator makes: regenerate it with
    # `python3 tests/passkey_authenticator.py` after changing a case. Byte for byte where ECDSA
    # signing is deterministic (cryptography 44+); otherwise the same cases and outcomes.
    if DETERMINISTIC:
        assert FIXTURE.read_text(encoding='utf-8') == fixture_text()
    assert [(c['name'], c['expect']) for c in _FIXTURE['cases']] == [(n, b()[1]) for n, b in CASES.items()]
    checks = {c['expect'].get('check') for c in _FIXTURE['cases']}
    assert checks >= {
        'passkey_key_unknown',
        'passkey_key_revoked',
        'passkey_client_data',
        'passkey_rp_id',
        'passkey_flags',
        'passkey_signature',
        'passkey_missing',
        'passkey_enrolment',
    }


@pytest.mark.parametrize('case', _FIXTURE['cases'], ids=lambda c: c['name'])
def test_fixture_case(case: dict[str, Any]) -> None:
    assert _outcome(case['export']) == case['expect']


def test_valid_decisions_are_counted_and_report_clean() -> None:
    case = next(c for c in _FIXTURE['cases'] if c['name'] == 'valid-es256-revoked-after')
    report = verify_ledger(parse_ledger_export(case['export']), _FIXTURE['publicKey'])
    assert report.ok
    assert (report.size, report.decisions_verified, report.checkpoints_verified) == (4, 2, 1)
    assert report.first_bad_index is None
    assert report.reason is None


def test_a_tampered_stored_assertion_names_the_entry() -> None:
    # An insider edits the stored assertion after the fact: the recorded leaf hash no longer matches
    # (and, without it, the passkey check names the same entry before the checkpoint root is reached).
    w, a = LedgerWriter(), SoftAuthenticator('alice')
    w.enrol(a)
    rec = decision_record('apr_1')
    at = w.decide(rec, passkey_evidence(a, rec), required=True)
    lines = w.export().splitlines()
    row = json.loads(lines[1 + at])
    entry = json.loads(row['entry'])
    entry['data']['passkey']['signature'] = passkey_evidence(SoftAuthenticator('mallory'), rec)['signature']
    from human_sdk.canonical import canonical_json

    row['entry'] = canonical_json(entry)
    lines[1 + at] = json.dumps(row)
    report = verify_ledger(parse_ledger_export('\n'.join(lines)), _FIXTURE['publicKey'])
    assert (report.ok, report.first_bad_index) == (False, at)
    assert report.reason == 'entry does not match the leaf hash recorded when it was appended'
    del row['leafHash']
    lines[1 + at] = json.dumps(row)
    report = verify_ledger(parse_ledger_export('\n'.join(lines)), _FIXTURE['publicKey'])
    assert (report.ok, report.first_bad_index, report.check) == (False, at, 'passkey_signature')


def _flip(text: str, rng: random.Random) -> str:
    raw = bytearray(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)))
    raw[rng.randrange(len(raw))] ^= rng.randrange(1, 256)
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()


@pytest.mark.parametrize('alg', [ALG_ES256, ALG_EDDSA], ids=['es256', 'ed25519'])
@pytest.mark.parametrize('member', ['authenticatorData', 'clientDataJSON', 'signature'])
def test_flipping_any_byte_of_the_evidence_fails(alg: int, member: str) -> None:
    # Property (seeded, so a failure reproduces): any byte of the evidence XOR any non-zero value
    # makes verification fail at that decision with a passkey check, never an exception.
    rng = random.Random(f'{alg}-{member}')
    registry, auth = KeyRegistry(), SoftAuthenticator('alice', alg)
    w = LedgerWriter()
    w.enrol(auth)
    enrolment = json.loads(json.dumps(w.entries[0]['data']))
    assert registry.fold(0, 'passkey.enrolled', enrolment) is None
    rec = decision_record('apr_1', edits={'amount': 1})
    good = passkey_evidence(auth, rec)
    assert check_passkey_decision(1, {'passkey': good}, rec, registry) is None
    for _ in range(300):
        bad = {**good, member: _flip(good[member], rng)}
        failure = check_passkey_decision(1, {'passkey': bad}, rec, registry)
        assert failure is not None, bad
        assert failure.check.startswith('passkey_')
    # And once through the whole verifier, a fresh signed log with a flipped member.
    w.decide(rec, {**good, member: _flip(good[member], rng)})
    outcome = _outcome(w.export(), w.did)
    assert outcome['ok'] is False
    assert outcome['index'] == 1


@pytest.mark.parametrize(
    'junk',
    [None, '', '=', 'A', 'AB=', 'A B', 'a+b/', 'Zg==', 'Zh', '\u00e9t\u00e9', 123, [], {}],
)
def test_malformed_members_fail_cleanly(junk: Any) -> None:
    # Every member replaced by junk gives a named check, never an exception out of the verifier.
    registry, auth = KeyRegistry(), SoftAuthenticator('alice')
    w = LedgerWriter()
    w.enrol(auth)
    registry.fold(0, 'passkey.enrolled', w.entries[0]['data'])
    rec = decision_record('apr_1')
    good = passkey_evidence(auth, rec)
    for member in ('credentialId', 'nonce', 'authenticatorData', 'clientDataJSON', 'signature'):
        failure = check_passkey_decision(1, {'passkey': {**good, member: junk}}, rec, registry)
        assert failure is not None
    # Any junk is a bad key, id or algorithm; a principal, rpId or origin must at least be text (an
    # empty list of origins is a key no decision can use, refused at decision time).
    members = ['publicKey', 'credentialId', 'algorithm']
    if not isinstance(junk, str):
        members += ['principal', 'rpId']
    if junk != []:
        members.append('origins')
    for enrol_member in members:
        data = {**w.entries[0]['data'], enrol_member: junk}
        assert KeyRegistry().fold(0, 'passkey.enrolled', data) is not None, enrol_member
    data = {**w.entries[0]['data'], 'origins': [WEB_ORIGIN, junk]}
    assert (KeyRegistry().fold(0, 'passkey.enrolled', data) is None) == isinstance(junk, str)
    assert KeyRegistry().fold(0, 'passkey.enrolled', junk) is not None
    assert KeyRegistry().fold(0, 'passkey.revoked', junk) is None  # a revocation of nothing ends nothing


def test_b64url_is_strict() -> None:
    assert b64url_decode('Zm8') == b'fo'
    assert b64url_decode('') == b''
    for bad in ('Zm8=', 'Zm9', 'Zm+8', 'Zm/8', 'Z', 'Zm8\n', ' Zm8', 'Zm_8!'):
        assert b64url_decode(bad) is None, bad


def test_cli_names_the_failed_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = next(c for c in _FIXTURE['cases'] if c['name'] == 'flags-uv-false')
    path = tmp_path / 'ledger.jsonl'
    path.write_text(case['export'], encoding='utf-8')
    assert cli_main([str(path), '--key', _FIXTURE['publicKey']]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out['ok'], out['first_bad_index'], out['check']) == (False, 1, 'passkey_flags')
    ok = next(c for c in _FIXTURE['cases'] if c['name'] == 'valid-ed25519-edits-rejected')
    path.write_text(ok['export'], encoding='utf-8')
    assert cli_main([str(path), '--key', _FIXTURE['publicKey']]) == 0
    assert json.loads(capsys.readouterr().out)['check'] is None


# The vectors made by the server with its software authenticator (testdata/passkey, see its README):
# an honest log and forged variants, each naming the entry and the check that must fail.
VECTORS = Path(__file__).resolve().parents[3] / 'testdata' / 'passkey'


def _vector(path: Path) -> tuple[str, dict[str, Any]]:
    v = json.loads(path.read_text(encoding='utf-8'))
    return '\n'.join(json.dumps(line, ensure_ascii=False) for line in v['lines']) + '\n', v['expected']


def test_server_vectors_are_present() -> None:
    names = {p.name for p in VECTORS.glob('*.json')}
    assert 'ledger.json' in names
    # One forged variant per check at least.
    for check in ('key_unknown', 'key_revoked', 'client_data', 'rp_id', 'flags', 'signature', 'missing', 'enrolment'):
        assert f'ledger.tampered-passkey_{check}.json' in names


@pytest.mark.parametrize('path', sorted(VECTORS.glob('*.json')), ids=lambda p: p.name)
def test_server_vector(path: Path) -> None:
    export, expected = _vector(path)
    outcome = _outcome(export, json.loads(export.split('\n', 1)[0])['publicKey'])
    assert outcome == expected


def test_server_vector_decisions_flipped_fail() -> None:
    # The byte-flip property on the server's own passkey decisions (ES256 and EdDSA keys).
    export, _ = _vector(VECTORS / 'ledger.json')
    registry, decisions = KeyRegistry(), []
    for item in parse_ledger_export(export).entries:
        entry = json.loads(item['entry'])
        assert registry.fold(item['index'], entry['type'], entry['data']) is None
        if 'passkey' in entry['data']:
            decisions.append((item['index'], entry['data']))
    assert len(decisions) == 3
    rng = random.Random('server-vectors')
    for index, data in decisions:
        assert check_passkey_decision(index, data, data['record'], registry) is None
        for member in ('authenticatorData', 'clientDataJSON', 'signature'):
            for _ in range(100):
                bad = {**data, 'passkey': {**data['passkey'], member: _flip(data['passkey'][member], rng)}}
                assert check_passkey_decision(index, bad, data['record'], registry) is not None
