"""Behaviour of the generated wire models (``_generated.py``): what the SDK adds to the server's shapes.

The generated classes derive from these (``npm run gen:models`` names them as bases), so a gate inside
a task (``task.approvals[0]``) is the same class, with the same behaviour, as one read on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, model_validator


class ApprovalRequestBase(BaseModel):
    """A gate: ``payload`` is the payload the approver is asked to approve.

    A gate read on its own (``GET /approvals/{id}``) carries that payload inside its task; it is lifted
    up, so ``gate.payload`` is the payload whichever way the gate was read.
    """

    if TYPE_CHECKING:
        payload: dict[str, Any]
        task: dict[str, Any]

    @model_validator(mode='after')
    def _payload_from_task(self) -> ApprovalRequestBase:
        if not self.payload and isinstance(self.task.get('payload'), dict):
            self.payload = self.task['payload']
        return self


class CreatedTaskBase(BaseModel):
    """The answer to ``create_task``."""

    if TYPE_CHECKING:
        task_id: str

    @property
    def id(self) -> str:
        """Same as ``task_id`` (the seed reads ``task.id``)."""
        return self.task_id
