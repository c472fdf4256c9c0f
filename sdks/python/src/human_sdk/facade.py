"""``HumanOS``: the seed's static surface (``await HumanOS.create_task(...)``), on a default client.

The default client is built on first use from ``HUMANOS_URL`` / ``HUMANOS_API_KEY`` (one per event
loop, since an asyncio HTTP client belongs to the loop it was made in); :meth:`HumanOS.configure`
sets explicit settings instead.

Example:
    >>> from human_sdk import HumanOS
    >>> task = await HumanOS.create_task(description='Send email to client@example.com',  # doctest: +SKIP
    ...     human_in_loop={'approval_required': 'before_execution', 'approver_role': 'communications_lead'})
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from ._context import AsyncHandler, SyncHandler
from .client import AsyncHumanOSClient, OnApprovalRequest
from .models import Approval, ApprovalRequest, CreatedTask, DecisionResult, InboxPage, Task

__all__ = ['HumanOS']

_settings: dict[str, Any] = {}
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncHumanOSClient] = weakref.WeakKeyDictionary()


def _client() -> AsyncHumanOSClient:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = AsyncHumanOSClient(**_settings)
        _clients[loop] = client
    return client


class HumanOS:
    """Static async calls on the default client; every method mirrors :class:`AsyncHumanOSClient`."""

    @staticmethod
    def configure(
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Replaces the default client's settings (e.g. in tests, or with a key from a secret store)."""
        _settings.clear()
        _settings.update(base_url=base_url, api_key=api_key, timeout=timeout, retries=retries, headers=headers)
        _clients.clear()

    @staticmethod
    def client() -> AsyncHumanOSClient:
        """The default client of the running event loop."""
        return _client()

    @staticmethod
    async def create_task(
        description: str,
        *,
        required_capabilities: Sequence[str] | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> CreatedTask:
        return await _client().create_task(
            description,
            required_capabilities=required_capabilities,
            human_in_loop=human_in_loop,
            payload=payload,
            **options,
        )

    @staticmethod
    async def get_task(task_id: str) -> Task:
        return await _client().get_task(task_id)

    @staticmethod
    async def wait_for_approval(
        task_id: str, *, on_approval_request: OnApprovalRequest | None = None, timeout: float | None = None
    ) -> Approval:
        return await _client().wait_for_approval(task_id, on_approval_request=on_approval_request, timeout=timeout)

    @staticmethod
    async def execute_task(
        task_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        handler: AsyncHandler | SyncHandler | None = None,
        lease_seconds: int | None = None,
        timeout: float | None = None,
    ) -> Task:
        return await _client().execute_task(
            task_id, payload=payload, handler=handler, lease_seconds=lease_seconds, timeout=timeout
        )

    @staticmethod
    async def cancel_task(task_id: str, *, reason: str) -> Task:
        return await _client().cancel_task(task_id, reason=reason)

    @staticmethod
    async def override_task(
        task_id: str, *, reason: str, continue_execution: bool = False, overridden_by: str | None = None
    ) -> dict[str, Any]:
        return await _client().override_task(
            task_id, reason=reason, continue_execution=continue_execution, overridden_by=overridden_by
        )

    @staticmethod
    async def complete_task(task_id: str, result: Any = None, **options: Any) -> Task:
        return await _client().complete_task(task_id, result, **options)

    @staticmethod
    async def fail_task(task_id: str, error: Any = None, **options: Any) -> Task:
        return await _client().fail_task(task_id, error, **options)

    @staticmethod
    async def provide_feedback(task_id: str, *, quality: str, **options: Any) -> dict[str, Any]:
        return await _client().provide_feedback(task_id, quality=quality, **options)

    @staticmethod
    async def inbox(**options: Any) -> InboxPage:
        return await _client().inbox(**options)

    @staticmethod
    async def get_approval(approval_id: str) -> ApprovalRequest:
        return await _client().get_approval(approval_id)

    @staticmethod
    async def approve(approval: str | ApprovalRequest, **options: Any) -> DecisionResult:
        """Approves the gate; pass the view shown (its ``current_digest`` is sent) or ``payload_digest=``."""
        return await _client().approve(approval, **options)

    @staticmethod
    async def reject(approval: str | ApprovalRequest, *, rejection_reason: str, **options: Any) -> DecisionResult:
        return await _client().reject(approval, rejection_reason=rejection_reason, **options)
