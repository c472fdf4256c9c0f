"""The flows' decisions that need no I/O: what a decision answer means, which event concerns a task.

Shared by the async client and the blocking one generated from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .models import ApprovalRequest, InRunDecision


def fill_request(req: ApprovalRequest, view: ApprovalRequest) -> None:
    """Gives the announced gate what the approver sees: the payload, the task, the chain."""
    if not req.payload:
        payload = view.payload or view.task.get('payload')
        req.payload = payload if isinstance(payload, dict) else {}
        # The digest goes with the payload shown: approving ``req`` then names exactly this version.
        req.current_digest = view.current_digest or req.current_digest
    req.task = {**req.task, **view.task}
    if view.chain is not None:
        req.chain = view.chain


def opened(gate: ApprovalRequest) -> bool:
    """Whether a gate of a decided task ever opened: a human decided it, or it expired (a ``waiting``
    chain step, or one cancelled before its turn, never reached anyone)."""
    return gate.status in ('pending', 'approved', 'rejected', 'expired')


def decision_outcome(raw: Mapping[str, Any], fallback_payload: Mapping[str, Any] | None) -> InRunDecision | None:
    """The outcome of an in-run decision the server settled at once (no gate), else None."""
    if raw.get('status') == 'approved':
        payload = raw.get('payload')
        return InRunDecision(
            approved=True,
            decided=True,
            status='approved',
            payload=payload if isinstance(payload, dict) else dict(fallback_payload or {}),
        )
    return None


def last_gate(raw: Mapping[str, Any]) -> ApprovalRequest:
    """A policy chain makes one gate per step: the decision stands when the last one does (a reject at
    any step cancels the rest, which ends the wait on the last one too)."""
    return ApprovalRequest.model_validate((raw.get('approvalChain') or [raw['approvalRequest']])[-1])


def view_outcome(view: ApprovalRequest) -> InRunDecision:
    approved_payload = (view.model_extra or {}).get('approvedPayload')
    return InRunDecision(
        approved=view.status == 'approved',
        decided=view.status != 'pending',
        status=view.status,
        payload=approved_payload if isinstance(approved_payload, dict) else None,
        approval_request=view,
    )


def mentions(data: str, task_id: str) -> bool:
    """Whether a server-sent event's data concerns ``task_id``."""
    try:
        event = json.loads(data)
    except ValueError:
        return False
    return isinstance(event, dict) and event.get('taskId') == task_id


def next_wait(left: float) -> float:
    """The next long-poll's wait in whole seconds (≤ 30) for ``left`` seconds remaining."""
    return float(int(min(30.0, left)))
