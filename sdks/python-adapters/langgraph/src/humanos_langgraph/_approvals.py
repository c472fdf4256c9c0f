"""The driver: pending interrupts become HumanOS tasks, decisions resume the thread.

Everything the driver needs is in two durable places — the thread's checkpoint (the interrupt values)
and HumanOS (the tasks and their decisions) — so any process can pick a thread up: the one that
started it (:meth:`HumanOSApprovals.run`), another one after a restart (:meth:`~HumanOSApprovals.resume`),
a worker that checks threads now and then (``resume(..., wait=False)``), or a webhook receiver
(:meth:`~HumanOSApprovals.handle_webhook`). Each pending interrupt maps to one task through an
idempotency key made of the thread id and the tool call id (or the interrupt id), so asking again —
after a crash, from a second process, for a retried call — finds the same task instead of making one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from human_sdk import Approval, AsyncHumanOSClient, HumanOSError, NotFoundError, PermissionDeniedError
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.types import Command, Interrupt

from ._graph import APPROVAL, TOOL_CALL, Decision
from ._tools import gate_tool_call, reasoning_for
from ._webhook import verified_delivery

__all__ = ["HumanOSApprovals", "PendingApproval"]

#: Webhook events after which a task may be decided (a chain step, a rejection, an expiry, …).
DECIDING_EVENTS = frozenset(
    {"approval.decided", "approval.expired", "approval.cancelled", "task.changes_requested", "task.cancelled"}
)

Graph = Any  # a compiled graph (Pregel): aget_state / ainvoke


@dataclass(frozen=True)
class PendingApproval:
    """One interrupt of a thread and the HumanOS task that asks a human about it.

    ``approval_id`` is the task's gate open now (after an escalation, the new one), or None when
    none is open (decided, or between steps).
    """

    thread_id: str
    interrupt: Interrupt
    task_id: str
    approval_id: str | None


def _thread_id(config: RunnableConfig) -> str:
    thread = (config.get("configurable") or {}).get("thread_id")
    if thread is None:
        raise ValueError("config['configurable']['thread_id'] is required: approvals belong to a thread")
    return str(thread)


def _describe(tool: str, arguments: Mapping[str, Any]) -> str:
    text = f"{tool}({', '.join(f'{k}={json.dumps(v, ensure_ascii=False)}' for k, v in arguments.items())})"
    return text if len(text) <= 2000 else text[:1997] + "..."


class HumanOSApprovals:
    """HumanOS as the place a LangGraph graph's approvals are answered.

    Args:
        client: an :class:`~human_sdk.AsyncHumanOSClient` authenticated as the agent.
        approver_role: who approves (``human_in_loop={'approver_role': …}``); server policy may add more.
        human_in_loop: further HITL options (``approval_timeout``, ``escalation_policy``, …).
        required_capabilities: capabilities the tasks name (policy may gate on them).
        risk_assessment: the agent's risk claim for its tool calls (the server's rules are a floor).
        describe: the task description of a tool call, from its interrupt value. Default
            ``"Run send_email(to=…)"``.

    In the graph: :meth:`tool` wraps a tool (``create_react_agent(model, [approvals.tool(t)])``), or
    ``ToolNode(tools, awrap_tool_call=approvals.awrap_tool_call)`` gates every tool of a node;
    :func:`~humanos_langgraph.request_approval` asks for any other payload. Outside: :meth:`run`,
    :meth:`resume`, :meth:`handle_webhook`. Graphs run with ``ainvoke`` (the gate is async).

    Example:
        >>> approvals = HumanOSApprovals(AsyncHumanOSClient(), approver_role='finance')  # doctest: +SKIP
        >>> agent = create_react_agent(model, [approvals.tool(wire)], checkpointer=saver)  # doctest: +SKIP
        >>> await approvals.run(agent, {'messages': [('user', 'pay ACME')]}, config)  # doctest: +SKIP
    """

    def __init__(
        self,
        client: AsyncHumanOSClient,
        *,
        approver_role: str | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        required_capabilities: Sequence[str] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
        describe: Callable[[Mapping[str, Any]], str] | None = None,
    ) -> None:
        self.client = client
        self.hitl = {**(human_in_loop or {}), **({"approver_role": approver_role} if approver_role else {})}
        self.capabilities = list(required_capabilities or [])
        self.risk_assessment = dict(risk_assessment) if risk_assessment else None
        self.describe = describe

    # ---- in the graph ----------------------------------------------------------------------------

    def tool(self, tool: BaseTool | Callable[..., Any]) -> BaseTool:
        """The tool, gated: each call waits for a human and runs with the approved arguments.

        Example:
            >>> agent = create_react_agent(model, [approvals.tool(send_email)], checkpointer=saver)  # doctest: +SKIP
        """
        from ._wrapper import HumanOSApprovalTool

        return HumanOSApprovalTool.wrap(tool, self)

    async def awrap_tool_call(self, request: Any, execute: Callable[[Any], Any]) -> ToolMessage | Command[Any]:
        """A ``ToolNode`` interceptor (``ToolNode(tools, awrap_tool_call=approvals.awrap_tool_call)``)
        that gates every call of the node."""
        call = request.tool_call

        async def run(arguments: dict[str, Any]) -> ToolMessage | Command[Any]:
            result: ToolMessage | Command[Any] = await execute(request.override(tool_call={**call, "args": arguments}))
            return result

        reasoning = reasoning_for(request.state, call.get("id") or "")
        return await gate_tool_call(self.client, call, run, reasoning=reasoning)

    # ---- the tasks -------------------------------------------------------------------------------

    def task_for(self, thread_id: str, intr: Interrupt) -> tuple[dict[str, Any], str]:
        """The task (``create_task`` options) and idempotency key of an interrupt: a function of the
        thread and the stored interrupt value only, so every process computes the same ones."""
        v = intr.value if isinstance(intr.value, Mapping) else {}
        if v.get("type") == TOOL_CALL:
            ref, origin = v["tool_call_id"], {"thread_id": thread_id, "tool_call_id": v["tool_call_id"]}
            args = v.get("arguments") or {}
            action = _describe(v["tool"], args)
            desc = self.describe(v) if self.describe else f"Run {action}"
            payload = {"tool": v["tool"], "arguments": args, "langgraph": origin}
            proposal: dict[str, Any] = {"action": action}
            if v.get("reasoning"):
                proposal["reasoning"] = v["reasoning"]
            risk = self.risk_assessment
        elif v.get("type") == APPROVAL:
            ref, origin = intr.id, {"thread_id": thread_id, "interrupt_id": intr.id}
            if "langgraph" in v["payload"]:
                raise ValueError("a payload to approve cannot have a 'langgraph' key (the adapter's)")
            desc, payload = v["description"], {**v["payload"], "langgraph": origin}
            proposal, risk = dict(v.get("ai_proposal") or {}), v.get("risk_assessment") or self.risk_assessment
        else:  # any other interrupt: its value is what the human approves
            ref, origin = intr.id, {"thread_id": thread_id, "interrupt_id": intr.id}
            desc = intr.value if isinstance(intr.value, str) else f"Approve the paused step of thread {thread_id}"
            payload, proposal, risk = {"value": intr.value, "langgraph": origin}, {}, self.risk_assessment
        options = {
            "description": desc[:2000],
            "payload": payload,
            "ai_proposal": proposal or None,
            "risk_assessment": risk,
            "human_in_loop": self.hitl or None,
            "required_capabilities": self.capabilities or None,
        }
        key = "langgraph-" + hashlib.sha256(f"{thread_id}\x00{ref}".encode()).hexdigest()
        return options, key

    async def pending(self, graph: Graph, config: RunnableConfig) -> list[PendingApproval]:
        """The thread's pending interrupts, each with its HumanOS task (made now, or found again)."""
        thread_id = _thread_id(config)
        state = await graph.aget_state(config)
        out = []
        for intr in state.interrupts:
            options, key = self.task_for(thread_id, intr)
            created = await self.client.create_task(**options, idempotency_key=key)
            # Asked again (a later round, another process), the create answers as it did the first
            # time: its gate may since have escalated or handed over to a chain's next step. The gate
            # asking now is the task's pending one.
            now = await self.client.decision(created.task_id, 0)
            gate = now.approval_request.id if now.approval_request else None
            out.append(PendingApproval(thread_id, intr, created.task_id, gate))
        return out

    async def decision(self, task_id: str, *, wait: bool | float = True) -> Decision | None:
        """The task's decision; ``wait``: block until there is one (True), for at most that many
        seconds (a number), or only look (False). None while undecided."""
        if wait is False:
            approval = await self.client.decision(task_id, 0)
        else:
            approval = await self.client.wait_for_approval(task_id, timeout=None if wait is True else float(wait))
        return _decision(approval)

    # ---- resuming --------------------------------------------------------------------------------

    async def resume(self, graph: Graph, config: RunnableConfig, *, wait: bool | float = True) -> Any:
        """Resumes the thread with the decisions on its pending interrupts and returns ``ainvoke``'s
        result (which may hold new ``__interrupt__``s); None when nothing was decided (or pending).

        ``wait=True`` blocks until every pending interrupt is decided (a waiter); ``wait=False`` only
        looks, and resumes what is decided (a worker's round, a cron job); a number bounds the wait.
        """
        pending = await self.pending(graph, config)
        if not pending:
            return None
        decisions = await asyncio.gather(*(self.decision(p.task_id, wait=wait) for p in pending))
        answers = {p.interrupt.id: d.to_resume() for p, d in zip(pending, decisions, strict=True) if d is not None}
        if not answers:
            return None
        for p, d in zip(pending, decisions, strict=True):
            if d is not None and d.status == "changes_requested" and _is_tool_call(p.interrupt):
                # The model answers with a new call (a new task); this one will never run.
                await _withdraw(self.client, p.task_id)
        return await graph.ainvoke(Command(resume=answers), config)

    async def run(self, graph: Graph, input: Any, config: RunnableConfig, *, wait: bool | float = True) -> Any:
        """Runs the thread to its end: each pause becomes HumanOS tasks, each decision resumes it.

        Returns the final ``ainvoke`` result, or the paused one when ``wait`` ran out before a decision.
        """
        result = await graph.ainvoke(input, config)
        while True:
            resumed = await self.resume(graph, config, wait=wait)
            if resumed is None:
                return result
            result = resumed

    async def handle_webhook(
        self,
        graph: Graph,
        body: bytes | str,
        headers: Mapping[str, str],
        secret: str,
        *,
        config_for: Callable[[str], RunnableConfig] | None = None,
    ) -> Any:
        """Resumes the thread a HumanOS webhook delivery is about, once its task is decided.

        Verifies the Standard Webhooks signature over the raw ``body`` (raises ``ValueError`` when it does
        not verify: answer 401), finds the thread from the task's proposed payload, and resumes it
        without waiting. Returns what :meth:`resume` returns (None for events that decide nothing).
        ``config_for(thread_id)`` builds the thread's config (default ``{'configurable': {'thread_id': …}}``).
        Safe to receive twice: the second delivery finds nothing pending.
        """
        delivery = verified_delivery(body, headers, secret)
        event = (delivery.get("data") or {}).get("event") or {}
        task_id = event.get("taskId")
        if event.get("type") not in DECIDING_EVENTS or not isinstance(task_id, str):
            return None
        try:
            task = await self.client.get_task(task_id)
        except (NotFoundError, PermissionDeniedError):
            return None  # another agent's task: a subscription receives every task's events
        origin = task.proposed_payload.get("langgraph")
        if not isinstance(origin, Mapping) or not isinstance(origin.get("thread_id"), str):
            return None  # not a task of a LangGraph thread
        thread_id = origin["thread_id"]
        config = config_for(thread_id) if config_for else {"configurable": {"thread_id": thread_id}}
        return await self.resume(graph, config, wait=False)


def _is_tool_call(intr: Interrupt) -> bool:
    return isinstance(intr.value, Mapping) and intr.value.get("type") == TOOL_CALL


def _decision(a: Approval) -> Decision | None:
    if a.timed_out or not (a.decided or a.changes_requested):
        return None
    if a.approved:
        status, who = "approved", a.approved_by
    elif a.changes_requested:
        status, who = "changes_requested", a.changes_requested_by
    elif a.expired:
        status, who = "expired", None
    elif a.cancelled:
        status, who = "cancelled", None
    else:
        status, who = "rejected", a.rejected_by
    return Decision(
        status=status,  # type: ignore[arg-type]
        task_id=a.task_id,
        payload=a.approved_payload if a.approved else None,
        edits=a.edits or None,
        decided_by=who,
        reason=a.rejection_reason,
        feedback=a.feedback,
    )


async def _withdraw(client: AsyncHumanOSClient, task_id: str) -> None:
    try:
        await client.cancel_task(task_id, reason="changes were requested: the agent makes a new call")
    except HumanOSError:
        pass  # already over: either way it will not run
