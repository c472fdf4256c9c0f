"""The few primitives where asyncio and blocking code differ, in both forms.

The client is written once, async (``_async/``); ``scripts/unasync_clients.py`` derives the blocking
client (``_sync/``) from it by dropping ``async``/``await`` and renaming ``AsyncIO`` → ``SyncIO``,
``AsyncHandlerRun`` → ``SyncHandlerRun``. Everything that cannot be derived that way — sleeping,
calling a callback that may be a coroutine function, reading a stream until a deadline, running a
handler beside its heartbeat loop — lives here, once per model of concurrency, and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, cast

import httpx

from ._context import AnyHandler, AsyncExecutionContext, AsyncHandler, ExecutionContext, SyncHandler, _Stop
from .models import Execution

Report = Callable[[float | None, str | None], Coroutine[Any, Any, None]]
SyncReport = Callable[[float | None, str | None], None]


def is_async_callable(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, '__call__', None))  # noqa: B004


class AsyncIO:
    """asyncio's forms of the primitives."""

    @staticmethod
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)

    @staticmethod
    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        """Calls ``fn``; awaits the result when it is awaitable (a sync or an async callback)."""
        out = fn(*args)
        if inspect.isawaitable(out):
            return await out
        return out

    @staticmethod
    async def lines(res: httpx.Response, end: float) -> AsyncIterator[str]:
        """The response's lines until the stream ends or the monotonic clock reaches ``end``."""
        it = res.aiter_lines().__aiter__()
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            try:
                line = await asyncio.wait_for(it.__anext__(), left)
            except (StopAsyncIteration, asyncio.TimeoutError):
                return
            yield line


class SyncIO:
    """Blocking forms of the primitives."""

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)

    @staticmethod
    def call(fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    @staticmethod
    def lines(res: httpx.Response, end: float) -> Iterator[str]:
        """The response's lines until the stream ends or ``end`` passes.

        A blocking read cannot be interrupted, so the deadline is checked after each line and the
        stream is opened with the remaining budget as its read timeout (``httpx.ReadTimeout`` then
        ends a silent wait); the server's keep-alive comments every 15 s bound a trickling one.
        """
        for line in res.iter_lines():
            yield line
            if time.monotonic() >= end:
                return


class AsyncHandlerRun:
    """One handler of the async client: an async handler runs as a task (cancelled when a human takes
    over), a sync one in a worker thread (it sees ``ctx.cancelled``); beside it, the heartbeat loop."""

    def __init__(self, handler: AnyHandler, stop: _Stop) -> None:
        self._handler = handler
        self._stop = stop
        self._is_async = is_async_callable(handler)
        self._future: asyncio.Future[Any] | None = None
        self._done = asyncio.Event()

    def cancel(self) -> None:
        """Interrupts an async handler (a sync one cannot be: it checks ``ctx.cancelled``)."""
        if self._is_async and self._future is not None and not self._future.done():
            self._future.cancel()

    async def run(self, execution: Execution, report: Report) -> Any:
        """The handler's return value; the stop reason if it was cancelled because of one."""
        if self._is_async:
            actx = AsyncExecutionContext(execution, self._stop, report)
            self._future = asyncio.ensure_future(cast(AsyncHandler, self._handler)(execution.payload, actx))
        else:
            loop = asyncio.get_running_loop()

            def sync_report(confidence: float | None, progress: str | None) -> None:
                asyncio.run_coroutine_threadsafe(report(confidence, progress), loop).result()

            sctx = ExecutionContext(execution, self._stop, sync_report)
            handler = cast(SyncHandler, self._handler)
            self._future = asyncio.ensure_future(asyncio.to_thread(handler, execution.payload, sctx))
        try:
            return await self._future
        except asyncio.CancelledError:
            if self._stop.error is not None:
                raise self._stop.error from None
            raise

    async def idle(self, seconds: float) -> bool:
        """Waits up to ``seconds``; True once the run is over (the heartbeat loop then ends)."""
        try:
            await asyncio.wait_for(self._done.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    @contextlib.asynccontextmanager
    async def beating(self, loop: Callable[[], Awaitable[None]], name: str) -> AsyncIterator[None]:
        """Runs the heartbeat ``loop`` while the block runs; ends it (and the handler) on the way out."""
        beats = asyncio.ensure_future(loop())
        try:
            yield
        finally:
            self._done.set()
            beats.cancel()
            if self._future is not None and not self._future.done():
                self._future.cancel()
            self._stop.event.set()


class SyncHandlerRun:
    """One handler of the blocking client: it runs in the calling thread, the heartbeats in another."""

    def __init__(self, handler: SyncHandler, stop: _Stop) -> None:
        self._handler = handler
        self._stop = stop
        self._finished = threading.Event()

    def cancel(self) -> None:
        """Nothing to interrupt: the handler sees ``ctx.cancelled`` (or ``ctx.raise_if_cancelled()``)."""

    def run(self, execution: Execution, report: SyncReport) -> Any:
        return self._handler(execution.payload, ExecutionContext(execution, self._stop, report))

    def idle(self, seconds: float) -> bool:
        return self._finished.wait(seconds)

    @contextlib.contextmanager
    def beating(self, loop: Callable[[], None], name: str) -> Iterator[None]:
        beats = threading.Thread(target=loop, name=name, daemon=True)
        beats.start()
        try:
            yield
        finally:
            self._finished.set()
            beats.join(timeout=5)
            self._stop.event.set()
