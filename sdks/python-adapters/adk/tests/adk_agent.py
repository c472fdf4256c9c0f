"""The scripted agent of the tests (and of the restarted process, resume_process.py): a mock
``BaseLlm`` (as ADK's own tests use) that calls a tool once and then reports the tool's response."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from google.adk.agents.llm_agent import LlmAgent
from google.adk.apps.app import App
from google.adk.models.base_llm import BaseLlm
from google.adk.models.llm_request import LlmRequest
from google.adk.models.llm_response import LlmResponse
from google.adk.runners import Runner
from google.adk.sessions.base_session_service import BaseSessionService
from google.adk.tools.function_tool import FunctionTool
from google.genai import types
from humanos_adk import HumanOSConfirmation

ARGS = {"to": "ann@example.com", "subject": "Q4 numbers", "body": "Attached."}
APP = "mailer"
USER = "u1"


class ScriptedLlm(BaseLlm):
    """Asks for ``tool(args)`` under ``call_id``; given a tool's response, answers with it as JSON text."""

    model: str = "scripted"
    call_id: str = "call-1"
    tool: str = "send_email"
    args: dict[str, Any] = ARGS

    async def generate_content_async(
        self, llm_request: LlmRequest, stream: bool = False
    ) -> AsyncGenerator[LlmResponse, None]:
        last = llm_request.contents[-1] if llm_request.contents else None
        answers = [p.function_response for p in (last.parts or []) if p.function_response] if last else []
        if answers and answers[0] is not None:
            text = json.dumps({"tool": answers[0].name, "response": answers[0].response})
            yield LlmResponse(content=types.Content(role="model", parts=[types.Part(text=text)]))
            return
        call = types.FunctionCall(name=self.tool, args=self.args, id=self.call_id)
        yield LlmResponse(content=types.Content(role="model", parts=[types.Part(function_call=call)]))


def runner(
    plugin: HumanOSConfirmation, sessions: BaseSessionService, ran: list[dict[str, Any]], **script: Any
) -> Runner:
    """The agent: ``send_email`` requires confirmation (HumanOS decides it), ``lookup`` does not."""

    def send_email(to: str, subject: str, body: str) -> dict[str, Any]:
        """Sends an email."""
        ran.append({"to": to, "subject": subject, "body": body})
        return {"sent": True, "to": to, "subject": subject}

    def lookup(q: str) -> dict[str, Any]:
        """Looks something up."""
        return {"q": q, "answer": 42}

    agent = LlmAgent(
        name="mailer",
        model=ScriptedLlm(**script),
        tools=[FunctionTool(send_email, require_confirmation=True), FunctionTool(lookup)],
    )
    return Runner(app=App(name=APP, root_agent=agent, plugins=[plugin]), session_service=sessions)


def user(text: str) -> types.Content:
    return types.Content(role="user", parts=[types.Part(text=text)])


async def run(r: Runner, session_id: str, message: types.Content) -> list[Any]:
    """Every event of one run."""
    return [e async for e in r.run_async(user_id=USER, session_id=session_id, new_message=message)]


def final_text(events: list[Any]) -> Any:
    """The model's last answer, parsed (the tool's name and response)."""
    texts = [p.text for e in events if e.content for p in (e.content.parts or []) if p.text]
    assert texts, events
    return json.loads(texts[-1])
