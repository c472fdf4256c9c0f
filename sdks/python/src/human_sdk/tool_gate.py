"""The HumanOS side of an agent framework's tool approval, shared by the framework adapters.

Frameworks pause a run on a tool call that needs a human (Pydantic AI's deferred tools, Google ADK's
tool confirmation, …) and resume it with the answer in their own form. :class:`ToolApprovalGate` is
what every adapter does on the HumanOS side of that: the pending call becomes a task whose payload is
the call (``{'function': name, 'arguments': {...}}``, as :func:`require_approval` makes it), created
under an idempotency key derived from the framework's tool-call id, so every retry — a re-run step, a
resumed process — finds the same task; the decision comes back as an :class:`Approval`; and the
approved call runs as the task's execution, with the approved arguments only, once.

Example:
    >>> gate = ToolApprovalGate(client, framework='adk', human_in_loop={'approver_role': 'ops'})  # doctest: +SKIP
    >>> task_id = await gate.task_id('call_1', 'restart', {'service': 'api'})  # doctest: +SKIP
    >>> approval = await gate.decision(task_id, timeout=60)  # doctest: +SKIP
    >>> if approval.approved:  # doctest: +SKIP
    ...     await gate.run(task_id, 'restart', approval.approved_payload['arguments'], do_restart)
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .canonical import canonical_json
from .client import AsyncHumanOSClient
from .decorators import Proposal, ToolCall, _approved_arguments, _call_task, _default_message, _json_result
from .errors import HumanOSError
from .models import Approval

__all__ = ['ToolApprovalGate']

_MAX_KEY = 200


class ToolApprovalGate:
    """Tasks for a framework's pending tool calls, their decisions, and the approved runs.

    Args:
        client: the agent's client (default: the ``HumanOS`` facade's, from ``HUMANOS_URL`` /
            ``HUMANOS_API_KEY``).
        framework: names the idempotency keys (``<framework>:<scope>:<tool call id>``).
        scope: a prefix for the keys (e.g. a conversation id), for tool-call ids that repeat across
            conversations (scripted models, some providers). Keys are per principal.
        human_in_loop, risk_assessment, approval_chain, approval_policy, on_behalf_of: as for
            ``create_task``; the server's policy decides who approves, with these as the request.
        description: the task's description, or a function of the call (default ``Run name({...})``).
        proposal: the AI's reasoning/confidence for a call, a pure function of it (a retry must send
            the same task).
    """

    def __init__(
        self,
        client: AsyncHumanOSClient | None = None,
        *,
        framework: str,
        scope: str | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
        approval_chain: list[Mapping[str, Any]] | None = None,
        approval_policy: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        description: str | Callable[[ToolCall], str] | None = None,
        proposal: Callable[[ToolCall], Proposal | Mapping[str, Any]] | None = None,
    ) -> None:
        self._client = client
        self.framework = framework
        self.scope = scope
        self._options: dict[str, Any] = {
            'human_in_loop': dict(human_in_loop) if human_in_loop else None,
            'risk_assessment': risk_assessment,
            'approval_chain': approval_chain,
            'approval_policy': approval_policy,
            'on_behalf_of': on_behalf_of,
        }
        self._description = description
        self._proposal = proposal

    @property
    def client(self) -> AsyncHumanOSClient:
        if self._client is None:
            from .facade import HumanOS

            self._client = HumanOS.client()
        return self._client

    def key(self, tool_call_id: str) -> str:
        """The idempotency key of a tool call's task (hashed when longer than the server takes)."""
        key = f'{self.framework}:{self.scope + ":" if self.scope else ""}{tool_call_id}'
        if len(key) <= _MAX_KEY:
            return key
        return f'{self.framework}:sha256:{hashlib.sha256(key.encode()).hexdigest()}'

    async def task_id(self, tool_call_id: str, function: str, arguments: Mapping[str, Any]) -> str:
        """The task of a tool call: created on first sight, the same one on every retry.

        The arguments are taken in canonical order (RFC 8785), so a retry whose arguments came back
        from a store that reorders keys (PostgreSQL's ``jsonb``) sends the same task, description
        included, and finds it.
        """
        call = ToolCall(function=function, arguments=json.loads(canonical_json(_json_result(dict(arguments)))))
        prop = self._proposal(call) if self._proposal is not None else None
        # The same task options as @require_approval's (one place says what a gated call's task is).
        options = {
            **self._options,
            **_call_task(
                call, prop, self._description, self._options['human_in_loop'], self._options['risk_assessment']
            ),
        }
        created = await self.client.create_task(
            options.pop('description'),
            idempotency_key=self.key(tool_call_id),
            **{k: v for k, v in options.items() if v is not None},
        )
        return created.id

    async def decision(self, task_id: str, *, timeout: float | None = None) -> Approval:
        """The humans' decision: waits up to ``timeout`` seconds (``None``: until decided; 0: look once).

        A decision asking for changes withdraws the task: the framework answers it with a denial and
        the model calls again (a new call, a new task).
        """
        approval = (
            await self.client.decision(task_id)
            if timeout == 0
            else await self.client.wait_for_approval(task_id, timeout=timeout)
        )
        if approval.changes_requested:
            try:
                await self.client.cancel_task(task_id, reason='changes requested: the agent calls again')
            except HumanOSError:
                pass  # withdrawn or decided meanwhile: it will not run either way
        return approval

    @staticmethod
    def approved_arguments(approval: Approval, function: str) -> dict[str, Any]:
        """The arguments the humans approved (their edits applied); refuses another tool's payload."""
        return _approved_arguments(ToolCall(function=function, arguments={}), approval.approved_payload or {})

    @staticmethod
    def denial_message(function: str, approval: Approval) -> str:
        """A sentence for the model: who rejected the call and why (or that it expired, was withdrawn …)."""
        return _default_message(ToolCall(function=function, arguments={}), approval)

    async def run(
        self,
        task_id: str,
        function: str,
        arguments: Mapping[str, Any],
        fn: Callable[[], Any | Awaitable[Any]],
    ) -> Any:
        """Runs an approved call as its task's execution and returns ``fn()``'s result.

        ``arguments`` are the ones the framework is about to give the tool: the server compares them
        with the approved payload and refuses (``PayloadMismatchError``, nothing runs) unless they are
        exactly what the humans approved. A task that already ran returns its recorded result (an
        approved call runs once); one HumanOS has not approved raises ``HumanOSError`` and nothing runs.
        """
        state = await self.client.decision(task_id)
        if state.status == 'completed':
            return (await self.client.get_task(task_id)).result
        if not state.approved:
            raise HumanOSError(
                'invalid_state', 409, f'HumanOS has not approved {function} (task {task_id} is {state.status})'
            )
        box: dict[str, Any] = {}

        async def handler(payload: dict[str, Any], ctx: Any) -> Any:
            value = fn()
            box['value'] = await value if inspect.isawaitable(value) else value
            return _json_result(box['value'])

        payload = ToolCall(function=function, arguments=_json_result(dict(arguments))).payload
        await self.client.execute_task(task_id, payload=payload, handler=handler)
        return box['value']
