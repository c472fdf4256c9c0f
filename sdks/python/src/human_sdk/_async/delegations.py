"""Delegation and out-of-office (docs/delegation.md): the client's delegation methods.

A human lets another enabled human decide requests of some or all of their roles for a bounded window
``[starts_at, ends_at)``; the delegate's decisions are signed "on behalf of" them. Refusals raise a
:class:`~human_sdk.errors.HumanOSError` with a stable ``code`` (``delegation_to_self``,
``delegate_holds_seat``, ``delegation_cascade``, ``delegation_too_long``, …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .. import _calls
from ..models import Delegation

T = TypeVar('T')


class DelegationMethods:
    """Mixed into the client: ``create_delegation``, ``delegations``, ``get_delegation``, …"""

    async def _send(self, call: _calls.Call[T]) -> T:  # pragma: no cover - the client's
        raise NotImplementedError

    async def create_delegation(
        self,
        delegate: str,
        *,
        ends_at: str,
        starts_at: str | None = None,
        roles: Sequence[str] | None = None,
        scope: Mapping[str, Any] | None = None,
        out_of_office: bool | None = None,
        message: str | None = None,
        delegator: str | None = None,
    ) -> Delegation:
        """Delegates the caller's roles (all but admin unless ``roles`` names some) to ``delegate``.

        ``scope`` limits it with the policy's action matcher (``{'match': {...}}``) and/or
        ``{'riskLevels': [...]}``; ``out_of_office=True`` turns on the channels' auto-reply. Not retried.

        Example:
            >>> d = await client.create_delegation(  # doctest: +SKIP
            ...     'did:human:bob', ends_at='2026-08-15T00:00:00Z', out_of_office=True
            ... )
        """
        body = _calls.delegation_body(
            delegate=delegate,
            ends_at=ends_at,
            starts_at=starts_at,
            roles=roles,
            scope=scope,
            out_of_office=out_of_office,
            message=message,
            delegator=delegator,
        )
        return await self._send(_calls.create_delegation(body))

    async def delegations(self, *, side: str | None = None, include_ended: bool | None = None) -> list[Delegation]:
        """The caller's delegations: given (``side='delegator'``), received (``'delegate'``) or both."""
        return await self._send(_calls.list_delegations(side, include_ended))

    async def get_delegation(self, delegation_id: str) -> Delegation:
        """One delegation (its delegator, its delegate or an admin)."""
        return await self._send(_calls.get_delegation(delegation_id))

    async def update_delegation(
        self,
        delegation_id: str,
        *,
        ends_at: str | None = None,
        starts_at: str | None = None,
        roles: Sequence[str] | None = None,
        scope: Mapping[str, Any] | None = None,
        out_of_office: bool | None = None,
        message: str | None = None,
    ) -> Delegation:
        """New terms for a delegation that has not ended (the start only before its window begins)."""
        body = _calls.delegation_body(
            ends_at=ends_at,
            starts_at=starts_at,
            roles=roles,
            scope=scope,
            out_of_office=out_of_office,
            message=message,
        )
        return await self._send(_calls.update_delegation(delegation_id, body))

    async def end_delegation(self, delegation_id: str, *, reason: str | None = None) -> Delegation:
        """Ends a delegation now (its delegator, its delegate declining it, or an admin)."""
        return await self._send(_calls.end_delegation(delegation_id, reason))
