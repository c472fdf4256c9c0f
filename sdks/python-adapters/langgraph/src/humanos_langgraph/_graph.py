"""What runs inside the graph: the interrupt values the adapter raises, and the decision it resumes with.

Nothing here talks to HumanOS while the graph is paused: a node only calls ``interrupt(value)`` with a
JSON value that the checkpointer stores, and reads the :class:`Decision` it is resumed with. The driver
(:class:`~humanos_langgraph.HumanOSApprovals`) turns the stored value into a HumanOS task, so a graph
that is resumed after a restart sees exactly the value it paused with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from langgraph.types import interrupt

__all__ = ["APPROVAL", "TOOL_CALL", "Decision", "DecisionStatus", "request_approval"]

#: ``type`` of the interrupt value of a tool call awaiting approval.
TOOL_CALL = "humanos.tool_call"
#: ``type`` of the interrupt value of :func:`request_approval`.
APPROVAL = "humanos.approval"
#: ``type`` of the resume value the driver sends.
DECISION = "humanos.decision"

DecisionStatus = Literal["approved", "rejected", "changes_requested", "expired", "cancelled"]


def jsonable(value: Any, what: str) -> Any:
    """``value`` as plain JSON (what a human can review and the server stores), else a TypeError."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} has no JSON form, so a human cannot review it") from e


@dataclass(frozen=True)
class Decision:
    """The human's decision, as a paused node receives it when the thread is resumed.

    ``payload`` is the approved payload (the proposal with the humans' edits); for a tool call its
    ``arguments`` are what the tool runs with. ``reason`` is the rejection reason; ``feedback`` what a
    human asked to change (``changes_requested``) or added to a verdict.
    """

    status: DecisionStatus
    task_id: str
    payload: dict[str, Any] | None = None
    edits: dict[str, Any] | None = None
    decided_by: str | None = None
    reason: str | None = None
    feedback: str | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    def to_resume(self) -> dict[str, Any]:
        """The JSON resume value (``Command(resume={interrupt_id: …})``) carrying this decision."""
        d = {"type": DECISION, **{k: v for k, v in self.__dict__.items() if v is not None}}
        return cast(dict[str, Any], jsonable(d, "the decision"))

    @classmethod
    def from_resume(cls, value: Any) -> Decision:
        """Reads a resume value; anything else is refused (a node never runs on a value it cannot read)."""
        if not isinstance(value, Mapping) or value.get("type") != DECISION:
            raise ValueError(f"resumed with {value!r}, not a HumanOS decision (see HumanOSApprovals.resume)")
        fields = {k: value.get(k) for k in cls.__dataclass_fields__}
        if fields["status"] not in ("approved", "rejected", "changes_requested", "expired", "cancelled"):
            raise ValueError(f"unknown decision status {fields['status']!r}")
        if not isinstance(fields["task_id"], str):
            raise ValueError("the decision names no task")
        return cls(**fields)  # type: ignore[arg-type]  # checked above; the rest are optional


def request_approval(
    description: str,
    payload: Mapping[str, Any],
    *,
    reasoning: str | None = None,
    confidence: float | None = None,
    alternatives: Sequence[str] = (),
    action: str | None = None,
    risk_assessment: Mapping[str, Any] | None = None,
) -> Decision:
    """Pauses the node until a human decided on ``payload`` in HumanOS, and returns the :class:`Decision`.

    Call it inside a node of a graph compiled with a checkpointer; drive the thread with
    :class:`~humanos_langgraph.HumanOSApprovals` (``run``, ``resume`` or ``handle_webhook``). As with
    any ``interrupt``, the node runs again from its start when resumed: keep side effects after this call.

    Example:
        >>> def pay(state):  # doctest: +SKIP
        ...     d = request_approval('Wire $9,000 to ACME', {'amount': 9000, 'to': 'ACME'},
        ...                          reasoning='Matches PO 7', confidence=0.8)
        ...     return {'paid': bank.wire(**d.payload)} if d.approved else {'refused': d.reason}
    """
    proposal = {"action": action, "reasoning": reasoning, "confidence": confidence, "alternatives": list(alternatives)}
    value = {
        "type": APPROVAL,
        "description": description,
        "payload": jsonable(dict(payload), "the payload"),
        "ai_proposal": {k: v for k, v in proposal.items() if v not in (None, [])},
    }
    if risk_assessment is not None:
        value["risk_assessment"] = jsonable(dict(risk_assessment), "the risk assessment")
    return Decision.from_resume(interrupt(value))
