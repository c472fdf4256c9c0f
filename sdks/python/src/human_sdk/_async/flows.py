"""The client's flows, written once (async): waiting for a decision, running a handler under a
heartbeated lease, waiting for workers, settling an in-run decision.

``_sync/flows.py`` is generated from this file by ``scripts/unasync_clients.py``; what differs between
asyncio and threads is in ``human_sdk._io`` (``AsyncIO``/``SyncIO``, ``AsyncHandlerRun``/``SyncHandlerRun``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .. import _calls
from .._base import FINISHED, RETRY_STATUSES, STOP_CODES, check_runnable, error_body, jsonable
from .._context import AnyHandler, _Stop
from .._io import AsyncHandlerRun, AsyncIO
from .._steps import decision_outcome, fill_request, last_gate, mentions, next_wait, opened, view_outcome
from .._wire import parse_sse
from ..errors import HumanOSError
from ..models import Approval, Execution, InRunDecision, Task

if TYPE_CHECKING:
    from .client import AsyncHumanOSClient, OnApprovalRequest

#: Seconds of one long-poll round (claims, task completion): under the server's 60 s bound, over the
#: 25 s an idle worker may wait between two requests, under common proxies' 60 s read timeout.
LONG_POLL_SECONDS = 30


async def wait_for_approval(
    client: AsyncHumanOSClient, task_id: str, on_request: OnApprovalRequest | None, timeout: float | None
) -> Approval:
    """See :meth:`AsyncHumanOSClient.wait_for_approval`."""
    deadline = None if timeout is None else time.monotonic() + timeout
    announced: set[str] = set()
    wait = 0.0
    # The long-poll answers on a decision, not when a chain's next step opens: a caller that wants
    # to hear of every gate follows the task's events instead (and re-reads the decision on each).
    after = await ledger_size(client) - 1 if on_request is not None else None
    while True:
        try:
            if after is not None and wait > 0:
                after = await wait_task_event(client, task_id, after, wait)
                wait = 0.0
            state = await client.decision(task_id, wait)
        except HumanOSError as e:
            # Waiting is safe to repeat: ride out a restarting server instead of failing the caller.
            if e.code == 'network_error' or e.status in RETRY_STATUSES:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                await AsyncIO.sleep(0.5)
                continue
            raise
        gates = [state.approval_request] if state.approval_request is not None else []
        if on_request is not None and state.decided:
            # Gates that opened and were decided between two looks (or before the first) show in no
            # decision answer; the task lists them all, so each is still announced once.
            gates = [g for g in (await client.get_task(task_id)).approvals if opened(g)]
        for req in gates:
            if req.id in announced:
                continue
            announced.add(req.id)
            if on_request is not None:
                try:
                    fill_request(req, await client.get_approval(req.id))
                except HumanOSError:
                    pass  # the gate as the decision answer shows it is still worth announcing
                await AsyncIO.call(on_request, req)
        if state.decided:
            return state
        left = float('inf') if deadline is None else deadline - time.monotonic()
        if left <= 0:
            return state.model_copy(update={'timed_out': True})
        wait = next_wait(left)
        if wait == 0:
            await AsyncIO.sleep(min(left, 0.25))


async def run_execution(
    client: AsyncHumanOSClient, execution: Execution, handler: AnyHandler, lease_seconds: int
) -> Task:
    """See :meth:`AsyncHumanOSClient.run_execution`."""
    stop = _Stop()
    task_id, lease_id, execution_id = execution.task_id, execution.lease_id, execution.execution_id
    run = AsyncHandlerRun(handler, stop)

    async def beat(confidence: float | None = None, progress: str | None = None) -> dict[str, Any]:
        try:
            return await client.heartbeat(
                task_id, lease_id, confidence=confidence, progress=progress, lease_seconds=lease_seconds
            )
        except HumanOSError as e:
            if e.code in STOP_CODES:
                stop.set(e)
                run.cancel()
            raise

    async def report(confidence: float | None, progress: str | None) -> None:
        answer = await beat(confidence, progress)
        while answer.get('action') == 'wait' and not stop.event.is_set():
            gate = answer.get('approvalRequest')
            if isinstance(gate, dict) and isinstance(gate.get('id'), str):
                try:
                    await client.get_approval(gate['id'], wait=30)
                except HumanOSError:
                    await AsyncIO.sleep(0.5)
            answer = await beat()
        if stop.error is not None:
            stop.raise_error()

    async def beat_loop() -> None:
        interval = max(1.0, lease_seconds / 3)
        while not await run.idle(interval):
            try:
                await beat()
            except HumanOSError as e:
                if e.code in STOP_CODES:
                    return

    async with run.beating(beat_loop, f'humanos-heartbeat-{task_id}'):
        try:
            result = await run.run(execution, report)
        except Exception as e:
            if stop.error is not None:
                raise stop.error from (None if e is stop.error else e)
            await client.fail_task(task_id, error_body(e), execution_id=execution_id, lease_id=lease_id)
            raise
        if stop.error is not None:
            raise stop.error
        if not jsonable(result):
            err = TypeError(f'the handler returned a {type(result).__name__}, which has no JSON form')
            await client.fail_task(task_id, error_body(err), execution_id=execution_id, lease_id=lease_id)
            raise err
        return await client.complete_task(task_id, result, execution_id=execution_id, lease_id=lease_id)


async def wait_for_completion(
    client: AsyncHumanOSClient, task_id: str, payload: Mapping[str, Any] | None, timeout: float | None
) -> Task:
    """See :meth:`AsyncHumanOSClient.wait_for_completion`.

    One read checks the task; then long-polls (``LONG_POLL_SECONDS`` each) that the server answers as
    soon as the task finishes, so a task finished within one round costs two requests however long
    it ran. An answer that comes back early and unfinished (an older server without the long-poll)
    is followed by a short pause, never by an immediate retry.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    task = await client.get_task(task_id)
    check_runnable(task, payload)
    while task.status not in FINISHED:
        left = float('inf') if deadline is None else deadline - time.monotonic()
        if left <= 0:
            return task
        # Never past the caller's deadline (the server takes tenths of a second too).
        wait = round(max(0.1, min(left, LONG_POLL_SECONDS)), 1)
        asked = time.monotonic()
        task = await client.get_task(task_id, wait=wait)
        # Cancelled or expired meanwhile: the same errors as on the first read.
        check_runnable(task, None)
        if task.status not in FINISHED and time.monotonic() - asked < wait / 2:
            await AsyncIO.sleep(max(0.0, min(0.5, left)))
    return task


async def ledger_size(client: AsyncHumanOSClient) -> int:
    """The ledger's size now (0 when unknown): events after it are news."""
    try:
        return int((await client.ledger_checkpoint()).get('size', 0))
    except HumanOSError:
        return 0


async def wait_task_event(client: AsyncHumanOSClient, task_id: str, after: int, budget: float) -> int:
    """Reads server-sent events after index ``after`` until one concerns ``task_id`` or ``budget``
    seconds pass; returns the last index seen. Never raises: the caller re-reads the task either way.

    The budget is the whole wait's: no event in time returns at the deadline, with no extra sleep. A
    refused or broken stream waits out the rest of half a second, so a poll loop stays gentle.
    """
    last = after
    cfg = client.config
    end = time.monotonic() + budget
    headers = {'accept': 'text/event-stream', **cfg.headers}
    if cfg.api_key:
        headers['authorization'] = f'Bearer {cfg.api_key}'
    try:
        async with client._http.stream(
            'GET',
            f'{cfg.base_url}{_calls.PREFIX}/events',
            params={'after': last},
            headers=headers,
            timeout=httpx.Timeout(cfg.timeout, read=max(0.1, budget)),
        ) as res:
            if not res.is_success:
                raise HumanOSError(f'http_{res.status_code}', res.status_code, 'event stream refused')
            lines: list[str] = []
            async for line in AsyncIO.lines(res, end):
                if line:
                    lines.append(line)
                    continue
                ev_id, _event, data = parse_sse(lines)
                lines = []
                if ev_id is not None and ev_id.isdigit():
                    last = int(ev_id)
                if data and mentions(data, task_id):
                    return last
    except (httpx.HTTPError, HumanOSError):
        await AsyncIO.sleep(max(0.0, min(0.5, end - time.monotonic())))
    return last


async def settle_decision(
    client: AsyncHumanOSClient,
    raw: Mapping[str, Any],
    payload: Mapping[str, Any] | None,
    wait: bool,
    timeout: float | None,
) -> InRunDecision:
    """The outcome of a submitted in-run decision: at once when no gate opened, else (with ``wait``)
    once the last gate of its chain is decided or ``timeout`` seconds pass."""
    done = decision_outcome(raw, payload)
    if done is not None:
        return done
    gate = last_gate(raw)
    if not wait:
        return InRunDecision(approved=False, decided=False, status='pending', approval_request=gate)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = float('inf') if deadline is None else deadline - time.monotonic()
        view = await client.get_approval(gate.id, wait=max(1, int(min(30.0, left))))
        if view.status != 'pending' or (deadline is not None and time.monotonic() >= deadline):
            return view_outcome(view)
