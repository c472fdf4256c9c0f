"""HumanOS answers Google ADK's tool confirmations.

ADK pauses a call of a tool that requires confirmation (``FunctionTool(fn, require_confirmation=True)``):
the run yields an ``adk_request_confirmation`` function call, and the app resumes it by sending the
matching function response (a ``ToolConfirmation``). :class:`HumanOSConfirmation` is a plugin that
makes HumanOS the place those confirmations are decided: each pending call becomes a HumanOS task
(payload ``{'function', 'arguments'}``, idempotency key from the function-call id, so retries find the
same task), the server's policy routes it, :meth:`HumanOSConfirmation.responses` turns the humans'
decision into the confirmation response, and the tool runs as the task's execution: only if HumanOS
approved it, only with exactly the approved arguments (their edits applied), once.

Example:
    >>> confirm = HumanOSConfirmation.create(client, human_in_loop={'approver_role': 'ops'})  # doctest: +SKIP
    >>> app = App(name='ops', root_agent=agent, plugins=[confirm])  # doctest: +SKIP
    >>> runner = Runner(app=app, session_service=SqliteSessionService('sessions.db'))  # doctest: +SKIP
    >>> async for event in runner.run_async(user_id=u, session_id=s, new_message=ask): ...  # doctest: +SKIP
    >>> session = await runner.session_service.get_session(app_name='ops', user_id=u, session_id=s)  # doctest: +SKIP
    >>> answer = await confirm.responses(session)  # the humans' decisions  # doctest: +SKIP
    >>> async for event in runner.run_async(user_id=u, session_id=s, new_message=answer): ...  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.adk.events.event import Event
from google.adk.plugins.base_plugin import BasePlugin
from google.adk.sessions.session import Session
from google.adk.tools.base_tool import BaseTool
from google.adk.tools.tool_confirmation import ToolConfirmation
from google.adk.tools.tool_context import ToolContext
from google.genai import types
from human_sdk import AsyncHumanOSClient, HumanOSError, ToolApprovalGate

__all__ = ["REQUEST_CONFIRMATION", "HumanOSConfirmation", "PendingConfirmation"]

#: The name of ADK's confirmation function call (``adk_request_confirmation``).
REQUEST_CONFIRMATION = "adk_request_confirmation"


@dataclass(frozen=True)
class PendingConfirmation:
    """A confirmation the run is paused on: the call ADK asks about, and the id to answer."""

    confirmation_id: str
    function_call_id: str
    tool: str
    arguments: dict[str, Any]


class HumanOSConfirmation(BasePlugin):
    """An ADK plugin: HumanOS decides the calls of tools that require confirmation.

    Gated are the tools named in ``tools``, or (default) every tool whose own
    ``require_confirmation`` says it needs one for the call. Build one with :meth:`create`.
    """

    def __init__(self, gate: ToolApprovalGate, *, tools: Iterable[str] | None = None, name: str = "humanos") -> None:
        super().__init__(name=name)
        self.gate = gate
        self.tools = frozenset(tools) if tools is not None else None

    @classmethod
    def create(
        cls, client: AsyncHumanOSClient | None = None, *, tools: Iterable[str] | None = None, **options: Any
    ) -> HumanOSConfirmation:
        """The plugin over ``client`` (the agent's; default from ``HUMANOS_URL`` / ``HUMANOS_API_KEY``).

        ``options`` are :class:`~human_sdk.ToolApprovalGate`'s: ``human_in_loop``, ``risk_assessment``,
        ``approval_chain``, ``approval_policy``, ``on_behalf_of``, ``description``, ``proposal`` (as for
        ``create_task``), and ``scope``, which prefixes the idempotency keys (the function-call ids ADK
        makes are unique; a model's own may repeat).
        """
        return cls(ToolApprovalGate(client, framework="adk", **options), tools=tools)

    async def before_tool_callback(
        self, *, tool: BaseTool, tool_args: dict[str, Any], tool_context: ToolContext
    ) -> dict[str, Any] | None:
        """Pauses a gated call on its HumanOS task, or runs it as that task's approved execution."""
        if not await self._gates(tool, tool_args, tool_context):
            return None
        call_id = tool_context.function_call_id or ""
        confirmation = tool_context.tool_confirmation
        if confirmation is None:
            task_id = await self.gate.task_id(call_id, tool.name, tool_args)
            tool_context.request_confirmation(
                hint=f"Waiting for a decision in HumanOS (task {task_id}).",
                payload={"taskId": task_id},
            )
            # The pause is no tool result for the model to summarise (as ADK's own gate does).
            tool_context.actions.skip_summarization = True
            return {"error": "This tool call requires confirmation, please approve or reject."}
        payload = confirmation.payload if isinstance(confirmation.payload, dict) else {}
        if not confirmation.confirmed:
            reason = payload.get("reason") or "no reason given"
            return {"error": f"This tool call is rejected. {reason}"}
        approved = payload.get("arguments")
        if not isinstance(approved, dict):
            return {"error": f"{tool.name} was confirmed outside HumanOS; it was not run."}
        task_id = await self.gate.task_id(call_id, tool.name, tool_args)
        # The tool, and every after-tool callback, sees the approved arguments.
        tool_args.clear()
        tool_args.update(approved)
        try:
            result = await self.gate.run(
                task_id, tool.name, approved, lambda: tool.run_async(args=approved, tool_context=tool_context)
            )
        except HumanOSError as e:
            return {"error": f"{tool.name} was not run: {e.detail or e.code}"}
        return result if isinstance(result, dict) else {"result": result}

    def pending(self, session: Session | Iterable[Event]) -> list[PendingConfirmation]:
        """The confirmations the session's run is paused on (asked, not yet answered)."""
        events = list(session.events if isinstance(session, Session) else session)
        answered = {
            r.id
            for e in events
            if e.author == "user"
            for r in e.get_function_responses()
            if r.name == REQUEST_CONFIRMATION
        }
        out: list[PendingConfirmation] = []
        for e in events:
            for call in e.get_function_calls():
                if call.name != REQUEST_CONFIRMATION or not call.id or call.id in answered:
                    continue
                original = (call.args or {}).get("originalFunctionCall") or {}
                asked = (call.args or {}).get("toolConfirmation") or {}
                # Only the confirmations this plugin asked for (a tool may ask for its own).
                if not isinstance(asked.get("payload"), dict) or "taskId" not in asked["payload"]:
                    continue
                out.append(
                    PendingConfirmation(
                        call.id, str(original.get("id")), str(original.get("name")), dict(original.get("args") or {})
                    )
                )
        return out

    async def responses(
        self, session: Session | Iterable[Event], *, timeout: float | None = None
    ) -> types.Content | None:
        """The user message answering every pending confirmation, once the humans decided them all.

        Waits up to ``timeout`` seconds (``None``: until decided); ``None`` when nothing is pending or
        some call is still undecided then. Approved calls are confirmed with the approved arguments
        (their edits applied), rejected (or expired, withdrawn, sent back for changes) ones are not,
        with who and why; the model gets ADK's rejection as the tool's response.
        """
        parts: list[types.Part] = []
        for p in self.pending(session):
            task_id = await self.gate.task_id(p.function_call_id, p.tool, p.arguments)
            approval = await self.gate.decision(task_id, timeout=timeout)
            if not approval.decided:
                return None
            if approval.approved:
                args = self.gate.approved_arguments(approval, p.tool)
                confirmation = ToolConfirmation(confirmed=True, payload={"taskId": task_id, "arguments": args})
            else:
                reason = self.gate.denial_message(p.tool, approval)
                confirmation = ToolConfirmation(confirmed=False, payload={"taskId": task_id, "reason": reason})
            response = types.FunctionResponse(
                name=REQUEST_CONFIRMATION, id=p.confirmation_id, response=confirmation.model_dump(by_alias=True)
            )
            parts.append(types.Part(function_response=response))
        return types.Content(role="user", parts=parts) if parts else None

    async def _gates(self, tool: BaseTool, args: dict[str, Any], ctx: ToolContext) -> bool:
        if self.tools is not None:
            return tool.name in self.tools
        return bool(await tool.check_require_confirmation(args, ctx))
