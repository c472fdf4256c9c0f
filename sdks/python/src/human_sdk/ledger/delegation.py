"""Decisions made on behalf of someone, checked offline: a port of ``DelegationRegistry``
(``packages/core/src/delegation.ts``; see ``docs/delegation.md``).

A ``delegation.created`` entry carries a delegation's terms (delegator, delegate, roles, the window
``[startsAt, endsAt)``); ``delegation.updated`` carries new terms and cites the created entry's index
(``created``); ``delegation.ended`` ends it for good. A delegate's decision names the delegator
(``onBehalfOf``), its role (``role``) and the created entry's index (``delegation``): it verifies only
if that entry came earlier in the log, binds the same two people, covers the role, had not been ended
and its window (as last updated) contains ``decidedAt``. Check names and reasons are core's, word for
word, so the three verifiers report the same failure.

    >>> reg = DelegationRegistry()
    >>> reg.fold(0, 'delegation.created', created_data)  # doctest: +SKIP
    >>> reg.check_decision(record)  # None, or DelegationFailure('delegation_window', ...)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .passkey import CheckFailure

#: The ledger entry types the registry folds (``delegation.started`` changes no terms).
DELEGATION_KINDS = frozenset({'delegation.created', 'delegation.updated', 'delegation.ended'})

_RFC3339 = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})$')


def parse_time_ms(text: object) -> int | None:
    """Milliseconds since the epoch of an RFC 3339 time (as ``Date.parse`` reads the server's times),
    None when it is not one (core's ``NaN``: no window contains it, no window is built from it)."""
    m = _RFC3339.match(text) if isinstance(text, str) else None
    if m is None:
        return None
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    millis = int((m.group(7) or '0')[:3].ljust(3, '0'))
    zone = m.group(8)
    offset = 0 if zone in ('Z', 'z') else (1 if zone[0] == '+' else -1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
    try:
        at = datetime(year, month, day, hour, minute, second, tzinfo=timezone(timedelta(minutes=offset)))
    except ValueError:
        return None
    return int(at.timestamp()) * 1000 + millis


def in_window(starts_at: int, ends_at: int, at_ms: int | None) -> bool:
    """Whether ``at_ms`` lies in ``[starts_at, ends_at)``: the start is inside, the end is not."""
    return at_ms is not None and starts_at <= at_ms < ends_at


#: A failed delegation check: its name (``delegation_window`` …) and a sentence for humans.
DelegationFailure = CheckFailure


@dataclass
class _Held:
    terms: dict[str, Any]
    start: int
    end: int
    ended: bool = False


def _js(value: object) -> str:
    """``String(value)`` as core prints a cited index (``undefined`` when absent)."""
    if value is _ABSENT:
        return 'undefined'
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_ABSENT = object()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _terms_problem(d: dict[str, Any]) -> str | None:
    if not all(isinstance(d.get(k), str) for k in ('delegationId', 'delegator', 'delegate')):
        return 'a delegation entry names no delegationId, delegator or delegate'
    roles = d.get('roles')
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        return 'a delegation entry names no roles'
    if not isinstance(d.get('startsAt'), str) or not isinstance(d.get('endsAt'), str):
        return 'a delegation entry has no window'
    start, end = parse_time_ms(d['startsAt']), parse_time_ms(d['endsAt'])
    if start is None or end is None or not start < end:
        return 'a delegation entry ends before it starts'
    if d['delegator'] == d['delegate']:
        return 'a delegation entry delegates to its own delegator'
    return None


def _held(terms: dict[str, Any]) -> _Held:
    # _terms_problem has checked that both times parse.
    return _Held(terms, parse_time_ms(terms['startsAt']) or 0, parse_time_ms(terms['endsAt']) or 0)


class DelegationRegistry:
    """The delegations folded from the log in ledger order; :meth:`check_decision` judges the next
    on-behalf decision against what came before it (see the module doc)."""

    def __init__(self) -> None:
        self._by_index: dict[int, _Held] = {}

    def _cited(self, created: object) -> _Held | None:
        return self._by_index.get(created) if _is_number(created) else None  # type: ignore[call-overload]

    def fold(self, index: int, kind: str, data: dict[str, Any]) -> DelegationFailure | None:
        """Folds one ``delegation.*`` entry; the failure when it is malformed or cites nothing."""
        if kind == 'delegation.created':
            bad = _terms_problem(data)
            if bad is not None:
                return DelegationFailure('delegation_entry', bad)
            self._by_index[index] = _held(data)
            return None
        created = data.get('created', _ABSENT)
        held = self._cited(created)
        if held is None or held.terms['delegationId'] != data.get('delegationId', _ABSENT):
            return DelegationFailure(
                'delegation_entry', f'{kind} cites no earlier delegation.created entry ({_js(created)})'
            )
        if held.ended:
            why = f'{kind} changes delegation {held.terms["delegationId"]}, already ended'
            return DelegationFailure('delegation_entry', why)
        if kind == 'delegation.ended':
            held.ended = True
            return None
        if kind != 'delegation.updated':
            return None
        bad = _terms_problem(data)
        if bad is not None:
            return DelegationFailure('delegation_entry', bad)
        if data['delegator'] != held.terms['delegator'] or data['delegate'] != held.terms['delegate']:
            return DelegationFailure('delegation_entry', 'a delegation.updated entry changes who delegates to whom')
        self._by_index[created] = _held(data)
        return None

    def check_decision(self, record: dict[str, Any]) -> DelegationFailure | None:
        """None when the decision is not on behalf of anyone or checks out; else the failed check."""
        if 'onBehalfOf' not in record and 'delegation' not in record:
            return None
        cited, on_behalf_of, role = record.get('delegation'), record.get('onBehalfOf'), record.get('role')
        if not _is_number(cited) or not isinstance(on_behalf_of, str) or not isinstance(role, str):
            why = 'an on-behalf decision names no delegation index, delegator or role'
            return DelegationFailure('delegation_unknown', why)
        held = self._cited(cited)
        if held is None:
            why = f'the decision cites ledger index {_js(cited)}, which is no earlier delegation.created entry'
            return DelegationFailure('delegation_unknown', why)
        t = held.terms
        decided_by = record.get('decidedBy')
        if t['delegator'] != on_behalf_of or t['delegate'] != decided_by:
            why = (
                f'delegation {t["delegationId"]} is from {t["delegator"]} to {t["delegate"]}, '
                f'not from {on_behalf_of} to {_js(record.get("decidedBy", _ABSENT))}'
            )
            return DelegationFailure('delegation_parties', why)
        if role not in t['roles']:
            return DelegationFailure(
                'delegation_role', f'delegation {t["delegationId"]} does not cover the role {role}'
            )
        if held.ended:
            return DelegationFailure(
                'delegation_ended', f'delegation {t["delegationId"]} was ended before this decision'
            )
        decided_at = record.get('decidedAt')
        if not in_window(held.start, held.end, parse_time_ms(decided_at)):
            why = (
                f'the decision at {_js(record.get("decidedAt", _ABSENT))} lies outside delegation '
                f"{t['delegationId']}'s window [{t['startsAt']}, {t['endsAt']})"
            )
            return DelegationFailure('delegation_window', why)
        return None
