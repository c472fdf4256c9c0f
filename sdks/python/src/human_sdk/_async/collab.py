"""Comments, claims and assignment of approval requests (docs/team.md): the client's collab methods.

Refusals raise a :class:`~human_sdk.errors.HumanOSError` with a stable ``code`` (``mention_not_allowed``,
``claim_held``, ``lead_required``, ``assignee_not_eligible``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from .. import _calls
from ..models import ApprovalClaim, ApprovalComment, ApprovalRequest, ApproverMetrics

T = TypeVar('T')


class CollabMethods:
    """Mixed into the client: ``comment``, ``comments``, ``claim_approval``, ``release_claim``, …"""

    async def _send(self, call: _calls.Call[T]) -> T:  # pragma: no cover - the client's
        raise NotImplementedError

    async def comment(self, approval: str | ApprovalRequest, body: str) -> ApprovalComment:
        """Comments on a request (markdown). ``@did:human:…`` notifies a colleague who may see it; a
        mention of anyone else raises ``HumanOSApiError`` with code ``mention_not_allowed`` (nothing
        is written).

        Example:
            >>> await approver.comment(approval_id, 'IBAN differs — @did:human:bob?')  # doctest: +SKIP
        """
        return await self._send(_calls.comment(_calls.gate_ref(approval, None)[0], body))

    async def comments(self, approval: str | ApprovalRequest) -> list[ApprovalComment]:
        """The comments on a request, oldest first."""
        return await self._send(_calls.comments(_calls.gate_ref(approval, None)[0]))

    async def claim_approval(self, approval: str | ApprovalRequest) -> ApprovalClaim:
        """Claims a request for a few minutes (not a lock): the other approvers see who is looking at it.
        Raises ``claim_held`` while someone else's claim is live."""
        return await self._send(_calls.claim_approval(_calls.gate_ref(approval, None)[0], release=False))

    async def release_claim(self, approval: str | ApprovalRequest) -> ApprovalClaim:
        """Ends the caller's claim."""
        return await self._send(_calls.claim_approval(_calls.gate_ref(approval, None)[0], release=True))

    async def assign_approval(self, approval: str | ApprovalRequest, assignee: str) -> ApprovalClaim:
        """A lead (``approval_lead`` role or admin) assigns a request to an approver who may decide it."""
        return await self._send(_calls.assign(_calls.gate_ref(approval, None)[0], assignee))

    async def attention_checks(self) -> dict[str, Any]:
        """Attention-check results per approver and the latest checks (admin or auditor)."""
        return await self._send(_calls.attention_checks())

    async def approver_metrics(self, since: str | None = None, until: str | None = None) -> ApproverMetrics:
        """Against rubber-stamping: per approver and per role, how they decided in ``[since, until)``.

        Admin or auditor; RFC 3339 times, default the last 30 days. Approval rate, median seconds to
        decide, the share decided in under ``fast_seconds``, edits and rejections.

        Example:
            >>> report = await auditor.approver_metrics(since='2026-01-01T00:00:00Z')  # doctest: +SKIP
            >>> [(a.principal, a.decisions, a.fast_share) for a in report.approvers]  # doctest: +SKIP
        """
        return await self._send(_calls.approver_metrics(since, until))
