"""``approvals.tool(t)``: a tool whose every call goes through HumanOS before it runs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, cast

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.tools import tool as make_tool
from langgraph.prebuilt import ToolRuntime
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict

from ._tools import gate_tool_call, reasoning_for

__all__ = ["HumanOSApprovalTool"]


def _schema_fields(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return set((schema.get("properties") or {}).keys())
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return set(schema.model_fields)
    return set()


async def _asks_for_runtime(runtime: ToolRuntime) -> None:
    """Only its signature counts: ``ToolNode`` injects a ``runtime`` (with the graph state) into the
    calls of a tool whose ``coroutine`` names one, and the state holds the AI's reasoning."""


def _wants_runtime(tool: BaseTool) -> bool:
    fn = getattr(tool, "coroutine", None) or getattr(tool, "func", None)
    return fn is not None and "runtime" in inspect.signature(fn).parameters


class HumanOSApprovalTool(BaseTool):
    """The wrapped tool under the same name, description and argument schema; ``ToolNode`` calls it
    with the model's tool call, it pauses for the human and runs the inner tool with the approved
    arguments (see :func:`humanos_langgraph._tools.gate_tool_call`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseTool
    approvals: Any
    coroutine: Any = _asks_for_runtime

    @classmethod
    def wrap(cls, tool: BaseTool | Callable[..., Any], approvals: Any) -> HumanOSApprovalTool:
        inner = tool if isinstance(tool, BaseTool) else make_tool(tool)
        return cls(
            name=inner.name,
            description=inner.description,
            args_schema=inner.args_schema,
            return_direct=inner.return_direct,
            inner=inner,
            approvals=approvals,
        )

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        if not (isinstance(input, dict) and input.get("type") == "tool_call"):
            raise TypeError(f"{self.name} needs approval per call: run it from a ToolNode (a tool call with an id)")

        args = dict(input.get("args") or {})
        runtime = args.get("runtime") if _wants_runtime(self.inner) else args.pop("runtime", None)
        reasoning = reasoning_for(runtime.state, input["id"]) if isinstance(runtime, ToolRuntime) else None
        call = {**input, "args": args}

        async def run(arguments: dict[str, Any]) -> ToolMessage | Command[Any]:
            out = await self.inner.ainvoke({**call, "args": arguments}, config, **kwargs)
            if isinstance(out, ToolMessage | Command):
                return out
            return ToolMessage(content=str(out), tool_call_id=input["id"], name=self.name)

        shown = _schema_fields(self.inner.tool_call_schema)
        return await gate_tool_call(
            self.approvals.client, cast(ToolCall, call), run, shown=shown or None, reasoning=reasoning
        )

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{self.name} waits for a human through HumanOS: run the graph with ainvoke")

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("called through ainvoke only")
