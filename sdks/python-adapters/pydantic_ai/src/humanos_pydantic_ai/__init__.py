"""HumanOS answers Pydantic AI's approval-required tools.

Pydantic AI defers a call of a tool registered with ``requires_approval=True`` (or one that raises
``ApprovalRequired``): the run ends with ``DeferredToolRequests``, and a later run with the message
history and ``DeferredToolResults`` — ``ToolApproved(override_args=…)`` or ``ToolDenied(message)`` per
call — continues it. :class:`HumanOSApproval` is a capability that makes HumanOS the place those
approvals are decided: each pending call becomes a HumanOS task (payload ``{'function', 'arguments'}``,
idempotency key from the tool-call id, so retries find the same task), the server's policy routes it,
the humans' decision comes back as ``ToolApproved`` with the approved arguments (their edits applied)
or ``ToolDenied`` with the reason, and the tool runs as the task's execution: only if HumanOS
approved it, only with exactly the approved arguments, once.

Example:
    >>> approval = HumanOSApproval.create(client, human_in_loop={'approver_role': 'comms_lead'})  # doctest: +SKIP
    >>> agent = Agent(model, output_type=[str, DeferredToolRequests], capabilities=[approval])  # doctest: +SKIP
    >>> result = await agent.run('Email Ann the Q4 numbers')  # doctest: +SKIP
    >>> if isinstance(result.output, DeferredToolRequests):  # paused: a HumanOS task per call  # doctest: +SKIP
    ...     results = await approval.results(result.output)  # waits for the humans
    ...     result = await agent.run(message_history=result.all_messages(), deferred_tool_results=results)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from human_sdk import Approval, AsyncHumanOSClient, HumanOSError, ToolApprovalGate
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.capabilities.abstract import ValidatedToolArgs, WrapToolExecuteHandler
from pydantic_ai.exceptions import ToolFailed
from pydantic_ai.messages import ToolCallPart
from pydantic_ai.tools import ToolDefinition
from pydantic_core import to_jsonable_python

from pydantic_ai import DeferredToolRequests, DeferredToolResults, RunContext, ToolApproved, ToolDenied

__all__ = ["TASK_METADATA_KEY", "HumanOSApproval"]

#: Where the call's HumanOS task id travels: ``DeferredToolResults.metadata[tool_call_id][TASK_METADATA_KEY]``
#: (the tool sees it as ``ctx.tool_call_metadata``).
TASK_METADATA_KEY = "humanos_task_id"


@dataclass
class HumanOSApproval(AbstractCapability[Any]):
    """A capability: HumanOS decides the agent's approval-required tool calls.

    ``wait`` is how long, in seconds, the run itself waits for a decision before the call is left
    pending (the run then ends with ``DeferredToolRequests``): ``0`` (default) only looks, so a call
    already decided — a retried run — is answered at once; ``None`` waits as long as it takes (one
    process, no pause). Build one with :meth:`create`.
    """

    gate: ToolApprovalGate
    wait: float | None = 0

    @classmethod
    def create(
        cls, client: AsyncHumanOSClient | None = None, *, wait: float | None = 0, **options: Any
    ) -> HumanOSApproval:
        """The capability over ``client`` (the agent's; default from ``HUMANOS_URL`` / ``HUMANOS_API_KEY``).

        ``options`` are :class:`~human_sdk.ToolApprovalGate`'s: ``human_in_loop``, ``risk_assessment``,
        ``approval_chain``, ``approval_policy``, ``on_behalf_of``, ``description``, ``proposal`` (as for
        ``create_task``), and ``scope``, which prefixes the idempotency keys (e.g. the conversation id)
        when tool-call ids repeat across conversations, as ``TestModel``'s do.
        """
        return cls(gate=ToolApprovalGate(client, framework="pydantic-ai", **options), wait=wait)

    async def handle_deferred_tool_calls(
        self, ctx: RunContext[Any], *, requests: DeferredToolRequests
    ) -> DeferredToolResults | None:
        """Makes each pending approval a HumanOS task; answers those decided within ``wait``."""
        results, _ = await self._resolve(requests, self.wait)
        return results if results.approvals else None

    async def results(
        self, requests: DeferredToolRequests, *, timeout: float | None = None
    ) -> DeferredToolResults | None:
        """The ``DeferredToolResults`` for a paused run, once the humans decided every approval.

        Waits up to ``timeout`` seconds (``None``: until decided) and returns ``None`` if some call is
        still undecided then. Approved calls are ``ToolApproved(override_args=<approved arguments>)``,
        rejected (or expired, withdrawn, sent back for changes) ones ``ToolDenied(<who and why>)``.
        """
        results, complete = await self._resolve(requests, timeout)
        return results if complete else None

    async def wrap_tool_execute(
        self,
        ctx: RunContext[Any],
        *,
        call: ToolCallPart,
        tool_def: ToolDefinition,
        args: ValidatedToolArgs,
        handler: WrapToolExecuteHandler,
    ) -> Any:
        """Runs an approved call as its HumanOS task's execution (calls needing no approval run as they are)."""
        if not ctx.tool_call_approved:
            return await handler(args)
        meta = ctx.tool_call_metadata
        task_id = meta.get(TASK_METADATA_KEY) if isinstance(meta, dict) else None
        if not isinstance(task_id, str):
            raise ToolFailed(f"{call.tool_name} was approved outside HumanOS; it was not run")
        try:
            return await self.gate.run(task_id, call.tool_name, to_jsonable_python(args), lambda: handler(args))
        except HumanOSError as e:
            raise ToolFailed(f"{call.tool_name} was not run: {e.detail or e.code}") from e

    async def _resolve(self, requests: DeferredToolRequests, timeout: float | None) -> tuple[DeferredToolResults, bool]:
        results = DeferredToolResults()
        complete = True
        for call in requests.approvals:
            arguments = requests.validated_args.get(call.tool_call_id) or call.args_as_dict()
            task_id = await self.gate.task_id(call.tool_call_id, call.tool_name, arguments)
            approval = await self.gate.decision(task_id, timeout=timeout)
            if not approval.decided:
                complete = False
                continue
            results.approvals[call.tool_call_id] = _answer(approval, call.tool_name, self.gate)
            results.metadata[call.tool_call_id] = {TASK_METADATA_KEY: task_id}
            if approval.approved_by:
                results.answered_by[call.tool_call_id] = approval.approved_by
            elif approval.rejected_by:
                results.answered_by[call.tool_call_id] = approval.rejected_by
        return results, complete


def _answer(approval: Approval, function: str, gate: ToolApprovalGate) -> ToolApproved | ToolDenied:
    if approval.approved:
        return ToolApproved(override_args=gate.approved_arguments(approval, function))
    return ToolDenied(gate.denial_message(function, approval))
