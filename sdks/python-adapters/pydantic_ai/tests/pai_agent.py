"""The scripted agent of the tests (and of the restarted process, resume_process.py): a
``FunctionModel`` that calls ``send_email`` once and then reports the tool's answer, and the tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from human_sdk import AsyncHumanOSClient
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


@dataclass
class Actors:
    url: str
    role: str
    agent_token: str
    agent: AsyncHumanOSClient
    #: The approver, deciding over the REST API.
    human: httpx.AsyncClient

    async def gate(self) -> dict[str, Any]:
        """The approver's view of the one gate in their inbox."""
        inbox = (await self.human.get("/approvals")).raise_for_status().json()
        assert len(inbox["items"]) == 1, inbox
        view: dict[str, Any] = (await self.human.get(f"/approvals/{inbox['items'][0]['id']}")).raise_for_status().json()
        return view

    async def approve(self, gate_id: str, **body: Any) -> None:
        (await self.human.post(f"/approvals/{gate_id}/approve", json=body)).raise_for_status()

    async def reject(self, gate_id: str, reason: str) -> None:
        (await self.human.post(f"/approvals/{gate_id}/reject", json={"rejectionReason": reason})).raise_for_status()
