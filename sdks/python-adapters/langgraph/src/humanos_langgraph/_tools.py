"""Tool calls that go through HumanOS: the gate a ``ToolNode`` runs around each call.

A gated call pauses its node with ``interrupt({'type': 'humanos.tool_call', 'tool', 'arguments',
'tool_call_id', …})``. Resumed with an approval, the tool runs inside a HumanOS execution: the server
grants the *approved* payload (the human's edits included) from its signed decisions, the tool runs
with exactly those arguments, and the task is completed with the tool's result (or failed with its
error). A resume value alone therefore never makes a tool run: the grant does. Resumed with anything
else, the tool never runs and the model gets a ``ToolMessage`` with ``status='error'`` saying who
decided what and why.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from human_sdk import AsyncHumanOSClient, HumanOSError
from langchain_core.messages import AIMessage, ToolCall, ToolMessage
from langgraph.config import get_config
from langgraph.types import Command, interrupt

from ._graph import TOOL_CALL, Decision, jsonable

__all__ = ["gate_tool_call", "rejection_text"]

Run = Callable[[dict[str, Any]], Awaitable[ToolMessage | Command[Any]]]


class _ToolFailed(Exception):
    """The tool answered with an error message: the HumanOS task fails with it, the model gets it."""

    def __init__(self, message: ToolMessage) -> None:
        super().__init__(str(message.content)[:2000])
        self.message = message


def reasoning_for(state: Any, tool_call_id: str) -> str | None:
    """The text of the AI message that made this call (shown to the approver as the AI's reasoning)."""
    messages = state.get("messages") if isinstance(state, Mapping) else getattr(state, "messages", None)
    for m in reversed(messages or []):
        if isinstance(m, AIMessage) and any(c.get("id") == tool_call_id for c in m.tool_calls):
            text = m.text if isinstance(m.text, str) else str(m.content)
            return text.strip() or None
    return None


def rejection_text(tool: str, d: Decision) -> str:
    """What the model reads when the call did not run."""
    who = d.decided_by or "a human reviewer"
    if d.status == "changes_requested":
        return f"{who} asked for changes to {tool}: {d.feedback or ''}. Call it again with the changes."
    if d.status == "expired":
        return f"The approval request for {tool} expired without a decision; it was not run."
    if d.status == "cancelled":
        return f"The request to run {tool} was withdrawn; it was not run."
    return f"{tool} was rejected by {who}: {d.reason or 'no reason given'}"


async def gate_tool_call(
    client: AsyncHumanOSClient,
    call: ToolCall,
    run: Run,
    *,
    shown: set[str] | None = None,
    reasoning: str | None = None,
) -> ToolMessage | Command[Any]:
    """Pauses on ``call`` until a human decided; then runs it (``run(arguments)``) or explains why not.

    ``shown`` names the arguments a human reviews (default all); the others (injected state, runtime)
    pass through unchanged and are never part of the task.
    """
    args = dict(call.get("args") or {})
    visible = {k: v for k, v in args.items() if shown is None or k in shown}
    hidden = {k: v for k, v in args.items() if k not in visible}
    call_id = call.get("id")
    if not call_id:
        raise ValueError(f"the call of {call['name']} has no id: a tool call needs one to be approved")
    value: dict[str, Any] = {
        "type": TOOL_CALL,
        "tool": call["name"],
        "arguments": jsonable(visible, f"an argument of {call['name']}"),
        "tool_call_id": call_id,
    }
    if reasoning:
        value["reasoning"] = reasoning
    decision = Decision.from_resume(interrupt(value))
    if not decision.approved:
        return ToolMessage(
            content=rejection_text(call["name"], decision), tool_call_id=call_id, name=call["name"], status="error"
        )
    origin = {"thread_id": str(get_config()["configurable"]["thread_id"]), "tool_call_id": call_id}
    return await _execute(client, decision, call["name"], origin, hidden, run)


def approved_arguments(payload: Mapping[str, Any], tool: str, origin: Mapping[str, str]) -> dict[str, Any]:
    """The arguments of the approved payload, once it is certain it approves this very call (this tool,
    this call id, this thread): a resume value naming another approved task runs nothing."""
    if payload.get("tool") != tool or payload.get("langgraph") != origin:
        raise HumanOSError("payload_mismatch", 409, f"the approved payload is not the call {origin} of {tool}")
    arguments = payload.get("arguments")
    if not isinstance(arguments, dict):
        raise HumanOSError("payload_mismatch", 409, "the approved payload has no arguments object")
    return arguments


async def _execute(
    client: AsyncHumanOSClient, d: Decision, tool: str, origin: dict[str, str], hidden: dict[str, Any], run: Run
) -> ToolMessage | Command[Any]:
    call_id = origin["tool_call_id"]
    task = await client.get_task(d.task_id)
    # Checked before an execution starts, so a resume value naming another thread's approved task
    # neither runs this tool nor uses up (or fails) that task's execution.
    approved_arguments(task.payload, tool, origin)
    if task.status == "completed":
        # The tool ran and HumanOS recorded it, but the process died before the graph saved that:
        # answer with the recorded result instead of running it twice.
        return ToolMessage(content=_recorded(task.result), tool_call_id=call_id, name=tool)
    box: dict[str, ToolMessage | Command[Any]] = {}

    async def handler(payload: dict[str, Any], ctx: object) -> Any:
        out = await run({**approved_arguments(payload, tool, origin), **hidden})
        box["out"] = out
        if isinstance(out, ToolMessage) and out.status == "error":
            raise _ToolFailed(out)
        return _result(out)

    try:
        await client.execute_task(d.task_id, handler=handler)
    except _ToolFailed as e:
        return e.message
    return box["out"]


def _result(out: ToolMessage | Command[Any]) -> Any:
    """The JSON result the HumanOS task is completed with."""
    if isinstance(out, ToolMessage):
        return {"content": jsonable_or_text(out.content)}
    return {"command": repr(out)[:2000]}


def _recorded(result: Any) -> str:
    content = result.get("content") if isinstance(result, Mapping) else result
    return content if isinstance(content, str) else json.dumps(content)


def jsonable_or_text(value: Any) -> Any:
    try:
        return jsonable(value, "the result")
    except TypeError:
        return repr(value)[:2000]
