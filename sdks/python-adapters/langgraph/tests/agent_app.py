"""The app under test: a ReAct agent (LangGraph's prebuilt) with one gated tool, a scripted chat model
(LangChain's GenericFakeChatModel, no network) and a durable checkpointer. Also run as a separate
process by the restart test (``python agent_app.py …``): it starts a thread, waits for the human, and
is killed while it waits."""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from pydantic import Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from human_sdk import AsyncHumanOSClient
from humanos_langgraph import HumanOSApprovals

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # create_react_agent is deprecated in favour of langchain's create_agent
    from langgraph.prebuilt import create_react_agent


class ScriptedModel(GenericFakeChatModel):
    """LangChain's fake chat model, answering from a script; it records what it was shown."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedModel:
        return self  # the script already holds the tool calls

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def call_wire(amount: int, to: str, call_id: str = "call_wire_1") -> AIMessage:
    return AIMessage(
        content=f"Paying {to} as the invoice says.",
        tool_calls=[{"name": "wire", "args": {"amount": amount, "to": to}, "id": call_id, "type": "tool_call"}],
    )


def model(*replies: AIMessage) -> ScriptedModel:
    return ScriptedModel(messages=iter(replies), seen=[])


def make_wire(log: list[dict[str, Any]] | None = None, log_file: Path | None = None) -> Any:
    async def wire(amount: int, to: str) -> str:
        """Wires money to a payee."""
        call = {"amount": amount, "to": to}
        if log is not None:
            log.append(call)
        if log_file is not None:
            with log_file.open("a") as f:
                f.write(json.dumps(call) + "\n")
        return f"wired {amount} to {to}"

    return wire


def agent(m: ScriptedModel, approvals: HumanOSApprovals, wire: Any, saver: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return create_react_agent(m, [approvals.tool(wire)], checkpointer=saver)


@asynccontextmanager
async def saver(kind: str, where: str) -> AsyncIterator[Any]:
    """A durable checkpointer: a SQLite file, or a PostgreSQL database."""
    if kind == "sqlite":
        async with AsyncSqliteSaver.from_conn_string(where) as s:
            yield s
    else:
        async with AsyncPostgresSaver.from_conn_string(where) as s:
            await s.setup()
            yield s


async def child(url: str, token: str, role: str, kind: str, where: str, thread: str, log_file: str) -> None:
    """Starts the thread, reports its task, then waits for the human — until it is killed."""
    async with AsyncHumanOSClient(url, token) as client, saver(kind, where) as s:
        approvals = HumanOSApprovals(client, approver_role=role)
        graph = agent(model(call_wire(5000, "ACME")), approvals, make_wire(log_file=Path(log_file)), s)
        config: RunnableConfig = {"configurable": {"thread_id": thread}}
        await graph.ainvoke({"messages": [("user", "Pay invoice 42 to ACME")]}, config)
        pending = await approvals.pending(graph, config)
        print(json.dumps([{"task": p.task_id, "approval": p.approval_id} for p in pending]), flush=True)
        await approvals.resume(graph, config)  # blocks: the test kills the process here


if __name__ == "__main__":
    asyncio.run(child(*sys.argv[1:8]))
