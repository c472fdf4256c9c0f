"""The offline verifier on decisions made on behalf of someone (issue 26), run on the cases core wrote
(``sdks/testdata/delegation-vectors.json``, made by ``packages/core/test/delegation.vectors.test.ts``):
Python must give core's verdict on each, index, check and reason word for word. Offline: no server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from human_sdk.ledger import parse_ledger_export, verify_ledger
from human_sdk.ledger.delegation import DelegationRegistry, in_window, parse_time_ms

_FILE = Path(__file__).resolve().parents[2] / 'testdata' / 'delegation-vectors.json'
_VECTORS: dict[str, Any] = json.loads(_FILE.read_text(encoding='utf-8'))


def _verdict(export: str) -> dict[str, Any]:
    r = verify_ledger(parse_ledger_export(export))
    if r.ok:
        return {'ok': True}
    return {'ok': False, 'index': r.first_bad_index, 'check': r.check, 'reason': r.reason}


def test_the_file_has_valid_logs_and_forgeries() -> None:
    outcomes = [c['expect']['ok'] for c in _VECTORS['cases']]
    assert outcomes.count(True) == 4
    assert outcomes.count(False) >= 15


@pytest.mark.parametrize('case', _VECTORS['cases'], ids=[c['name'] for c in _VECTORS['cases']])
def test_python_agrees_with_core(case: dict[str, Any]) -> None:
    assert _verdict(case['export']) == case['expect']


def test_window_is_half_open_and_times_parse_as_core_does() -> None:
    assert parse_time_ms('2026-01-10T16:00:00.000Z') == 1768060800000
    assert parse_time_ms('2026-01-10T17:00:00+01:00') == 1768060800000
    assert parse_time_ms('2026-01-10T16:00:00.5Z') == 1768060800500
    assert parse_time_ms('yesterday') is None
    assert parse_time_ms('2026-02-30T00:00:00Z') is None
    assert in_window(10, 20, 10) and not in_window(10, 20, 20) and not in_window(10, 20, None)


def test_a_decision_with_an_unreadable_time_is_outside_every_window() -> None:
    reg = DelegationRegistry()
    terms = {
        'delegationId': 'd1',
        'delegator': 'ann',
        'delegate': 'bob',
        'roles': ['cfo'],
        'startsAt': '2026-01-10T16:00:00Z',
        'endsAt': '2026-01-10T17:00:00Z',
    }
    assert reg.fold(3, 'delegation.created', terms) is None
    record = {'decidedBy': 'bob', 'onBehalfOf': 'ann', 'delegation': 3, 'role': 'cfo'}
    assert reg.check_decision({**record, 'decidedAt': '2026-01-10T16:30:00Z'}) is None
    bad = reg.check_decision({**record, 'decidedAt': 'soon'})
    assert bad is not None and bad.check == 'delegation_window'
    assert reg.check_decision({**record, 'delegation': True, 'decidedAt': '2026-01-10T16:30:00Z'}) is not None
    assert reg.check_decision({'decidedBy': 'bob', 'decidedAt': 'x'}) is None
