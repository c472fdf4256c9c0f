"""The scripted agent of the tests (and of the restarted process, resume_process.py): a
``FunctionModel`` that calls ``send_email`` once and then reports the tool's answer, and the tools."""

from __future__ import annotations

from typing import Any

from humanos_pydantic_ai import HumanOSApproval
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from pydantic_ai import Agent, DeferredToolRequests

ARGS = {"to": "ann@example.com", "subject": "Q4 numbers", "body": "Attached."}


def script(tool_call_id: str, tool: str = "send_email", args: dict[str, Any] | None = None) -> FunctionModel:
    """A model that asks for ``tool(args)`` and, once it has the tool's answer, says what it was."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        returns = [p for p in last.parts if isinstance(p, ToolReturnPart)] if isinstance(last, ModelRequest) else []
        if returns:
            return ModelResponse(parts=[TextPart(f"{returns[0].outcome}: {returns[0].model_response_str()}")])
        return ModelResponse(parts=[ToolCallPart(tool, args if args is not None else ARGS, tool_call_id=tool_call_id)])

    return FunctionModel(respond)


def build(approval: HumanOSApproval, ran: list[dict[str, Any]]) -> Agent[None, str | DeferredToolRequests]:
    """The agent: ``send_email`` needs approval (HumanOS decides), ``lookup`` does not."""
    agent: Agent[None, str | DeferredToolRequests] = Agent(
        output_type=[str, DeferredToolRequests], capabilities=[approval]
    )

    @agent.tool_plain(requires_approval=True)
    def send_email(to: str, subject: str, body: str) -> dict[str, Any]:
        ran.append({"to": to, "subject": subject, "body": body})
        return {"sent": True, "to": to, "subject": subject}

    @agent.tool_plain
    def lookup(q: str) -> dict[str, Any]:
        return {"q": q, "answer": 42}

    return agent
