"""HumanOS as the place the OpenAI Agents SDK's tool approvals are answered.

The Agents SDK pauses a run on a tool whose ``needs_approval`` says so: the result carries
``interruptions`` and the app approves or rejects each on the ``RunState`` (which it may serialise
with ``to_string()`` and resume later). That leaves the pending approval in the app's memory, with one
approver, no policy, no audit, and no way to edit the call's arguments. Here each interruption
becomes a HumanOS task (the tool's name and arguments as its payload), the server's policy decides
who approves, the decision is applied to the run state, and the tool runs through HumanOS's
execution with exactly the approved arguments (edits included) — recorded in the signed ledger.

Example:
    >>> approvals = HumanOSApprovals(client, approver_role='finance_lead')  # doctest: +SKIP
    >>> agent = Agent(name='payments', tools=[approvals.gate(send_payment)])  # doctest: +SKIP
    >>> result = await Runner.run(agent, 'Pay ACME 500 EUR')  # doctest: +SKIP
    >>> while result.interruptions:  # doctest: +SKIP
    ...     state = result.to_state()
    ...     await approvals.resolve(state)  # a task per interruption; waits; approves or rejects
    ...     result = await Runner.run(agent, state)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agents import FunctionTool, RunContextWrapper, RunResult, RunResultStreaming, RunState, ToolApprovalItem
from agents.tool_context import ToolContext
from human_sdk import Approval, AsyncHumanOSClient, Proposal, ToolCall
from human_sdk.decorators import (
    _approved_arguments,
    _call_task,
    _default_message,
    _json_result,
    _withdraw_async,
)

__all__ = ["HumanOSApprovals", "NeedsApproval", "PendingApproval", "Resolution"]

#: The Agents SDK's per-call approval policy: ``(run_context, arguments, call_id) -> needs a human``.
NeedsApproval = Callable[[RunContextWrapper[Any], dict[str, Any], str], Awaitable[bool]]
Source = RunState[Any, Any] | RunResult | RunResultStreaming


@dataclass(frozen=True)
class PendingApproval:
    """One interruption of a run and the HumanOS task that decides it."""

    item: ToolApprovalItem
    call_id: str
    call: ToolCall
    task_id: str


@dataclass(frozen=True)
class Resolution:
    """What :meth:`HumanOSApprovals.resolve` did with one interruption.

    ``outcome`` is ``'approved'`` (approved on the run state; the tool will run with
    ``approval.approved_payload['arguments']``), ``'rejected'`` (rejected on the run state with
    ``message``, which the model reads as the tool's rejection) or ``'pending'`` (no decision yet;
    the interruption is left as it was).
    """

    pending: PendingApproval
    outcome: Literal["approved", "rejected", "pending"]
    approval: Approval
    message: str | None = None


class HumanOSApprovals:
    """Answers an Agents SDK run's tool approvals from HumanOS.

    Args:
        client: the agent's HumanOS client (an agent principal's token).
        approver_role: who approves (``human_in_loop={'approver_role': …}``); the policy may add more.
        human_in_loop: further HITL options (``approval_timeout``, ``escalation_policy``, …).
        description: the task description, or a function of the call (default ``"Run tool(...)"``).
        proposal: the AI's view of a call (reasoning, confidence, alternatives), shown to the approver.
            It must give the same answer for the same call: a retry finds the task by its body.
        risk_assessment: a fixed risk assessment for every task.
        key_prefix: the first part of each task's idempotency key (``<prefix>:<tool>:<call id>``). The
            OpenAI API's call ids are unique; a model whose ids repeat across runs needs a per-run prefix.
        rejection_message: the text the model reads for a call not approved (default: who rejected it
            and why, or that the request expired, was withdrawn or asked for changes).
        note_edits: when a human edited the arguments, append a sentence saying so (with the arguments
            the tool ran with) to a string tool output, so the model does not report its own version.
    """

    def __init__(
        self,
        client: AsyncHumanOSClient,
        *,
        approver_role: str | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        description: str | Callable[[ToolCall], str] | None = None,
        proposal: Callable[[ToolCall], Proposal | Mapping[str, Any]] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
        key_prefix: str = "openai-agents",
        rejection_message: Callable[[ToolCall, Approval], str] | None = None,
        note_edits: bool = True,
    ) -> None:
        self.client = client
        self._hitl: dict[str, Any] = dict(human_in_loop or {})
        if approver_role is not None:
            self._hitl["approver_role"] = approver_role
        self._description = description
        self._proposal = proposal
        self._risk = dict(risk_assessment) if risk_assessment else None
        self._key_prefix = key_prefix
        self._rejection_message = rejection_message or _default_message
        self._note_edits = note_edits
        # call id -> task id, for this process; another process finds the task by its idempotency key.
        self._tasks: dict[str, str] = {}

    # ---- tools -----------------------------------------------------------------------------------

    def gate(
        self, tool: FunctionTool, *, needs_approval: bool | Literal["policy"] | NeedsApproval = True
    ) -> FunctionTool:
        """A copy of ``tool`` whose calls need a HumanOS approval and run with the approved arguments.

        ``needs_approval``: ``True`` (every call), ``'policy'`` (only when HumanOS's policy would open a
        gate for the call; see :meth:`policy`) or your own ``(run_context, arguments, call_id)``
        function. An approved call runs through HumanOS's execution: the tool receives the arguments
        the server grants (the human's edits applied), its output is recorded as the task's result,
        and a call that already ran (a run resumed twice from one saved state) returns the recorded
        result instead of running again.

        Example:
            >>> payments = approvals.gate(send_payment, needs_approval='policy')  # doctest: +SKIP
        """
        gated = copy.copy(tool)
        gated.needs_approval = self.policy(tool.name) if needs_approval == "policy" else needs_approval
        gated.on_invoke_tool = self._invoker(tool)
        return gated

    def policy(self, tool_name: str) -> NeedsApproval:
        """A ``needs_approval`` that asks HumanOS: a call needs a human when the policy's dry run of its
        task (``POST /policy/evaluate``; nothing is written) plans at least one gate.

        Example:
            >>> tool.needs_approval = approvals.policy(tool.name)  # doctest: +SKIP
        """

        async def needs(_ctx: RunContextWrapper[Any], arguments: dict[str, Any], _call_id: str) -> bool:
            body = self._task_body(ToolCall(function=tool_name, arguments=_as_json(arguments)))
            plan = await self.client.evaluate_policy(**body)
            return bool(plan.get("gates"))

        return needs

    def _invoker(self, tool: FunctionTool) -> Callable[[ToolContext[Any], str], Awaitable[Any]]:
        original = tool.on_invoke_tool

        async def invoke(ctx: ToolContext[Any], raw: str) -> Any:
            if ctx.is_tool_approved(ctx.tool_name, ctx.tool_call_id) is not True:
                # The policy let this call through without a human: it runs as the model asked.
                return await original(ctx, raw)
            call = ToolCall(function=tool.name, arguments=_as_json(json.loads(ctx.tool_arguments or "{}")))
            task_id = await self._task_id(ctx.tool_call_id, call)
            task = await self.client.get_task(task_id)
            if task.status == "completed":
                return task.result  # it ran before this resume: never twice
            box: dict[str, Any] = {}

            async def handler(payload: dict[str, Any], _exec: object) -> Any:
                arguments = _approved_arguments(call, payload)
                text = json.dumps(arguments)
                box["arguments"] = arguments
                approved_ctx = copy.copy(ctx)
                approved_ctx.tool_arguments = text
                box["value"] = await original(approved_ctx, text)
                return _json_result(box["value"])

            await self.client.execute_task(task_id, handler=handler)
            value = box["value"]
            if self._note_edits and isinstance(value, str) and box["arguments"] != call.arguments:
                value += (
                    f"\n(A human edited the arguments before approving; {tool.name} ran with "
                    f"{json.dumps(box['arguments'], ensure_ascii=False)}.)"
                )
            return value

        return invoke

    # ---- interruptions ---------------------------------------------------------------------------

    async def submit(self, source: Source) -> list[PendingApproval]:
        """Makes sure each function-tool interruption of a run has its HumanOS task, and returns them.

        Safe to repeat, in this process or another one: a task's idempotency key comes from the tool
        call's id, so a retry (or a resumed process) finds the task it made before, never a second one.
        Call it before saving the state, so the approvers see the request while the run is on disk.

        Example:
            >>> pending = await approvals.submit(result)  # doctest: +SKIP
            >>> Path('run.json').write_text(result.to_state().to_string())  # doctest: +SKIP
        """
        out: list[PendingApproval] = []
        for item in _interruptions(source):
            call_id, call = _call_of(item)
            out.append(PendingApproval(item, call_id, call, await self._task_id(call_id, call)))
        return out

    async def resolve(
        self, state: RunState[Any, Any], *, wait: bool = True, timeout: float | None = None
    ) -> list[Resolution]:
        """Applies HumanOS's decisions to a run state's interruptions: approve, or reject with the
        message the model will read. Creates missing tasks first (like :meth:`submit`).

        With ``wait`` (default) each undecided task is waited for (long-poll), up to ``timeout`` seconds
        each when given; ``wait=False`` only looks. Undecided interruptions stay pending on the state.
        A request for changes, an expiry or a withdrawal counts as a rejection (the model may call the
        tool again); a request for changes also withdraws the task.

        Example:
            >>> state = result.to_state()  # doctest: +SKIP
            >>> await approvals.resolve(state)  # doctest: +SKIP
            >>> result = await Runner.run(agent, state)  # doctest: +SKIP
        """
        out: list[Resolution] = []
        for pending in await self.submit(state):
            if wait:
                approval = await self.client.wait_for_approval(pending.task_id, timeout=timeout)
            else:
                approval = await self.client.decision(pending.task_id)
            out.append(await self._apply(state, pending, approval))
        return out

    async def _apply(self, state: RunState[Any, Any], pending: PendingApproval, approval: Approval) -> Resolution:
        if approval.approved:
            state.approve(pending.item)
            return Resolution(pending, "approved", approval)
        if not approval.decided and not approval.changes_requested:
            return Resolution(pending, "pending", approval)
        if approval.changes_requested:
            # The model answers the feedback with a new call; this request is over.
            await _withdraw_async(self.client, pending.task_id)
        message = str(self._rejection_message(pending.call, approval))
        state.reject(pending.item, rejection_message=message)
        return Resolution(pending, "rejected", approval, message)

    # ---- tasks -------------------------------------------------------------------------------------

    async def _task_id(self, call_id: str, call: ToolCall) -> str:
        known = self._tasks.get(call_id)
        if known is not None:
            return known
        task = await self.client.create_task(
            **self._task_body(call), idempotency_key=f"{self._key_prefix}:{call.function}:{call_id}"
        )
        self._tasks[call_id] = task.id
        return task.id

    def _task_body(self, call: ToolCall) -> dict[str, Any]:
        """The task of a call; the same call always gives the same body (its retries find it)."""
        prop = self._proposal(call) if self._proposal is not None else None
        return _call_task(call, prop, self._description, self._hitl, self._risk)


def _interruptions(source: Source) -> list[ToolApprovalItem]:
    if isinstance(source, RunState):
        return source.get_interruptions()
    return list(source.interruptions)


def _call_of(item: ToolApprovalItem) -> tuple[str, ToolCall]:
    raw = item.raw_item
    get = raw.get if isinstance(raw, dict) else lambda k: getattr(raw, k, None)
    if get("type") != "function_call":
        raise TypeError(f"{item.name}: only function-tool approvals can be answered from HumanOS, not {get('type')}")
    call_id = get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise ValueError(f"{item.name}: the tool call has no call id")
    arguments = json.loads(get("arguments") or "{}")
    return call_id, ToolCall(function=str(item.name), arguments=_as_json(arguments))


def _as_json(arguments: Any) -> dict[str, Any]:
    """The arguments as plain JSON (what the task's payload holds and a human may edit)."""
    if not isinstance(arguments, dict):
        raise TypeError("tool arguments must be a JSON object")
    plain: dict[str, Any] = json.loads(json.dumps(arguments, allow_nan=False))
    return plain
