"""What a handler gets beside the payload: the execution, a cancellation flag, and progress reports."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .errors import HumanOSError, TaskOverriddenError
from .models import Execution

__all__ = ['AnyHandler', 'AsyncExecutionContext', 'ExecutionContext']


class _Stop:
    """Set when a human takes over or the lease is lost; carries the error that says which."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.error: HumanOSError | None = None

    def set(self, error: HumanOSError | None = None) -> None:
        if error is not None and self.error is None:
            self.error = error
        self.event.set()

    def raise_error(self) -> None:
        raise self.error or TaskOverriddenError('task_overridden', 409, 'execution stopped')


class _BaseContext:
    def __init__(self, execution: Execution, stop: _Stop) -> None:
        self.execution = execution
        self._stop = stop

    @property
    def cancelled(self) -> bool:
        """True once a human took over (override) or the lease was lost: stop the side effect."""
        return self._stop.error is not None

    @property
    def cancel_reason(self) -> HumanOSError | None:
        """The error that stopped the execution (``TaskOverriddenError``, ``LeaseLostError``, …)."""
        return self._stop.error

    def raise_if_cancelled(self) -> None:
        """Raises the stop reason when the execution was stopped; call it between steps of long work."""
        if self.cancelled:
            self._stop.raise_error()

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Blocks up to ``timeout`` seconds for a stop (sync handlers); returns whether it was stopped."""
        self._stop.event.wait(timeout)
        return self.cancelled


class ExecutionContext(_BaseContext):
    """For sync handlers.

    Example:
        >>> def handler(payload, ctx):  # doctest: +SKIP
        ...     for row in rows:
        ...         ctx.raise_if_cancelled()
        ...         ctx.report(confidence=0.8, progress=f'row {row}')  # waits while a human reviews
    """

    def __init__(self, execution: Execution, stop: _Stop, report: Callable[[float | None, str | None], None]) -> None:
        super().__init__(execution, stop)
        self._report = report

    def report(self, *, confidence: float | None = None, progress: str | None = None) -> None:
        """Reports confidence/progress; below the task's threshold it waits while a human reviews."""
        self._report(confidence, progress)


class AsyncExecutionContext(_BaseContext):
    """For async handlers; an async handler is also cancelled (``asyncio.CancelledError``) on a takeover."""

    def __init__(
        self, execution: Execution, stop: _Stop, report: Callable[[float | None, str | None], Awaitable[None]]
    ) -> None:
        super().__init__(execution, stop)
        self._report = report

    async def report(self, *, confidence: float | None = None, progress: str | None = None) -> None:
        """Reports confidence/progress; below the task's threshold it waits while a human reviews."""
        await self._report(confidence, progress)


class SyncHandler(Protocol):
    def __call__(self, payload: dict[str, Any], ctx: ExecutionContext, /) -> Any: ...


class AsyncHandler(Protocol):
    def __call__(self, payload: dict[str, Any], ctx: AsyncExecutionContext, /) -> Awaitable[Any]: ...


#: What the async client runs: an async handler, or a sync one (in a worker thread).
AnyHandler = AsyncHandler | SyncHandler
