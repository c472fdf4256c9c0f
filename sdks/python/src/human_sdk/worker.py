"""A worker process: claims approved tasks its capabilities cover and runs them.

Semantics match the TypeScript SDK's ``Worker``: ``concurrency`` handlers at a time, each with a
heartbeated lease; a human's takeover cancels the handler (an async handler gets
``asyncio.CancelledError``, a sync one sees ``ctx.cancelled``); :meth:`Worker.stop` is graceful —
nothing new is claimed and running handlers finish.

Idle, it does not poll: each claim is a long-poll (``claim_wait`` seconds) the server answers as soon
as work is approved; with every slot busy it makes no request until a handler finishes.

Example:
    >>> from human_sdk import AsyncHumanOSClient, Worker
    >>> async def send(payload, ctx):  # doctest: +SKIP
    ...     await mailer.send(payload, idempotency_key=ctx.execution.execution_id)
    ...     return {'sent': True}
    >>> Worker(AsyncHumanOSClient(), capabilities=['email_composition'], handler=send).run_forever()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence

from ._async.flows import LONG_POLL_SECONDS
from ._context import AsyncHandler, SyncHandler
from .client import AsyncHumanOSClient
from .errors import HumanOSError
from .models import Execution, Task

__all__ = ['Worker']

log = logging.getLogger('human_sdk.worker')


class Worker:
    """Claims and runs approved tasks for ``capabilities`` (the client's principal needs the executor role).

    Args:
        client: an :class:`AsyncHumanOSClient` authenticated as the worker.
        capabilities: what this worker can do; it claims tasks whose required capabilities it covers.
        handler: ``handler(payload, ctx)``, sync or async; its return value completes the task, an
            exception fails it.
        concurrency: handlers running at once. Default 1.
        claim_wait: seconds one claim waits on the server for work (1–60): an idle worker makes one
            request per this many seconds, and starts new work as soon as it is approved. Default 30.
        poll_interval: pause in seconds after a claim that failed, or that came back empty long
            before its wait was over (an older server without the claim long-poll). Default 0.5.
        lease_seconds: lease length; heartbeats go every third of it. Default 60.
        on_error: called with errors from claiming and handlers (default: logged).
        on_done: called with each finished task.
    """

    def __init__(
        self,
        client: AsyncHumanOSClient,
        *,
        capabilities: Sequence[str],
        handler: AsyncHandler | SyncHandler,
        concurrency: int = 1,
        poll_interval: float = 0.5,
        claim_wait: float = LONG_POLL_SECONDS,
        lease_seconds: int = 60,
        on_error: Callable[[BaseException], None] | None = None,
        on_done: Callable[[Task], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError('concurrency must be at least 1')
        self.client = client
        self.capabilities = list(capabilities)
        self.handler = handler
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.claim_wait = claim_wait
        self.lease_seconds = lease_seconds
        self.on_error = on_error
        self.on_done = on_done
        self._stopping: asyncio.Event | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        # Set when a handler finishes (a slot is free) or the worker stops.
        self._wake = asyncio.Event()

    @property
    def running(self) -> int:
        """Handlers running now."""
        return len(self._running)

    def _error(self, e: BaseException) -> None:
        if self.on_error is not None:
            self.on_error(e)
        else:
            log.warning('humanos worker: %s', e)

    def start(self) -> None:
        """Starts claiming in the running event loop (idempotent)."""
        if self._loop_task is None:
            self._stopping = asyncio.Event()
            self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def _run_one(self, execution_task_id: str, run: asyncio.Future[Task]) -> None:
        try:
            task = await run
            if self.on_done is not None:
                self.on_done(task)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            self._error(e)

    async def _run(self) -> None:
        assert self._stopping is not None
        while not self._stopping.is_set():
            free = self.concurrency - len(self._running)
            if free <= 0:
                self._wake.clear()
                await self._wake.wait()
                continue
            asked = time.monotonic()
            claimed = await self._claim(free)
            for execution in claimed:
                run = asyncio.ensure_future(
                    self.client.run_execution(execution, self.handler, lease_seconds=self.lease_seconds)
                )
                job = asyncio.ensure_future(self._run_one(execution.task_id, run))
                self._running.add(job)
                job.add_done_callback(self._finished)
            # Empty long before the wait was over: not a long-poll answer (an error, an older server
            # answering at once). Pause rather than ask again at once.
            if not claimed and time.monotonic() - asked < self.claim_wait / 2:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    async def _claim(self, free: int) -> list[Execution]:
        """One claim long-poll, abandoned when the worker stops (the server claims nothing for a
        client that left; a task claimed in that very instant is claimable again when its lease ends)."""
        assert self._stopping is not None
        claim = asyncio.ensure_future(
            self.client.claim(self.capabilities, limit=free, lease_seconds=self.lease_seconds, wait=self.claim_wait)
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({claim, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not claim.done():
            claim.cancel()
            with contextlib.suppress(asyncio.CancelledError, HumanOSError):
                await claim
            return []
        try:
            return claim.result()
        except HumanOSError as e:
            self._error(e)
            return []

    def _finished(self, job: asyncio.Task[None]) -> None:
        self._running.discard(job)
        self._wake.set()

    async def stop(self) -> None:
        """Graceful shutdown: claims nothing more; returns when running handlers have finished."""
        if self._stopping is not None:
            self._stopping.set()
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def run(self) -> None:
        """Runs until :meth:`stop` is called (from a signal handler or another task)."""
        self.start()
        assert self._loop_task is not None
        await asyncio.shield(self._loop_task)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def __aenter__(self) -> Worker:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def run_forever(self) -> None:
        """Blocks running the worker; SIGINT/SIGTERM stop it gracefully."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            self.start()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, lambda: asyncio.ensure_future(self.stop()))
            await self.run()
            await self.client.aclose()

        asyncio.run(main())
