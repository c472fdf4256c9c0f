"""The HumanOS clients: :class:`AsyncHumanOSClient` (asyncio) and :class:`HumanOSClient` (blocking).

Both are configured from ``HUMANOS_URL`` / ``HUMANOS_API_KEY`` unless given ``base_url`` / ``api_key``,
speak camelCase JSON on the wire and return snake_case models, raise typed errors carrying the server's
problem ``code`` and the request id, and retry safe requests (GETs, and task creation under one
idempotency key reused by every retry of the call) after network errors and 502/503/504.

Example:
    >>> from human_sdk import AsyncHumanOSClient
    >>> async def main() -> None:  # doctest: +SKIP
    ...     async with AsyncHumanOSClient() as client:
    ...         task = await client.create_task(description='Send the Q4 email', payload={'to': 'a@b.c'},
    ...                                         human_in_loop={'approver_role': 'comms_lead'})
    ...         approval = await client.wait_for_approval(task.id)
    ...         if approval.approved:
    ...             await client.execute_task(task.id, handler=lambda payload, ctx: send(payload))
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import httpx

from . import _calls
from ._base import (
    FINISHED,
    RETRY_STATUSES,
    STOP_CODES,
    ClientConfig,
    answer,
    backoff,
    check_runnable,
    error_body,
    jsonable,
    network_error,
    new_request_id,
    request_parts,
    should_retry,
)
from ._context import AsyncExecutionContext, AsyncHandler, ExecutionContext, SyncHandler, _Stop
from ._wire import create_task_body, parse_sse
from .errors import HumanOSError
from .ledger import TrustedCheckpoint, VerifyReport, parse_ledger_export, verify_ledger
from .models import (
    Approval,
    ApprovalRequest,
    AuditReview,
    AuditReviewPage,
    CreatedTask,
    DecisionResult,
    Execution,
    InboxPage,
    InRunDecision,
    Principal,
    ReviewedTaskPage,
    ReviewFrequency,
    ReviewOutcome,
    ReviewStatus,
    Task,
    TaskPage,
)

__all__ = ['AsyncHumanOSClient', 'HumanOSClient']

T = TypeVar('T')
OnApprovalRequest = Callable[[ApprovalRequest], Any]


def _is_async_callable(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, '__call__', None))  # noqa: B004


def _fill_request(req: ApprovalRequest, view: ApprovalRequest) -> None:
    """Gives the announced gate what the approver sees: the payload, the task, the chain."""
    if not req.payload:
        payload = view.payload or view.task.get('payload')
        req.payload = payload if isinstance(payload, dict) else {}
        # The digest goes with the payload shown: approving ``req`` then names exactly this version.
        req.current_digest = view.current_digest or req.current_digest
    req.task = {**req.task, **view.task}
    if view.chain is not None:
        req.chain = view.chain


def _decision_outcome(raw: Mapping[str, Any], fallback_payload: Mapping[str, Any] | None) -> InRunDecision | None:
    if raw.get('status') == 'approved':
        payload = raw.get('payload')
        return InRunDecision(
            approved=True,
            decided=True,
            status='approved',
            payload=payload if isinstance(payload, dict) else dict(fallback_payload or {}),
        )
    return None


def _view_outcome(view: ApprovalRequest) -> InRunDecision:
    approved_payload = (view.model_extra or {}).get('approvedPayload')
    return InRunDecision(
        approved=view.status == 'approved',
        decided=view.status != 'pending',
        status=view.status,
        payload=approved_payload if isinstance(approved_payload, dict) else None,
        approval_request=view,
    )


class AsyncHumanOSClient:
    """The asyncio client. Use it as an async context manager, or call :meth:`aclose`.

    Args:
        base_url: server URL; default ``HUMANOS_URL``, else ``http://127.0.0.1:8787``.
        api_key: bearer token; default ``HUMANOS_API_KEY``.
        timeout: seconds per request (long-polls add their wait). Default 30.
        retries: retries of safe requests after network errors and 502/503/504. Default 3.
        headers: extra headers on every request.
        transport: an ``httpx.AsyncBaseTransport`` (tests, proxies).
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = ClientConfig.resolve(base_url, api_key, timeout, retries, headers)
        self._http = httpx.AsyncClient(transport=transport, follow_redirects=False)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    async def __aenter__(self) -> AsyncHumanOSClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: _calls.Call[T]) -> T:
        request_id = new_request_id()
        url, headers, content, timeout = request_parts(self.config, call, request_id)
        attempt = 0
        while True:
            try:
                res = await self._http.request(
                    call.method, url, params=call.params, headers=headers, content=content, timeout=timeout
                )
            except httpx.TransportError as e:
                err: HumanOSError = network_error(call, e, request_id)
            else:
                value, error = answer(call, res, request_id)
                if error is None:
                    return cast(T, value)
                err = error
            attempt += 1
            if not should_retry(call, err, attempt - 1, self.config.retries):
                raise err
            await asyncio.sleep(backoff(attempt))

    # ---- tasks -----------------------------------------------------------------------------------

    async def create_task(
        self,
        description: str,
        *,
        required_capabilities: Sequence[str] | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        ai_proposal: Mapping[str, Any] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
        approval_chain: Sequence[Mapping[str, Any]] | None = None,
        approval_policy: Mapping[str, Any] | None = None,
        auto_escalation: Mapping[str, Any] | None = None,
        routing: Mapping[str, Any] | None = None,
        audit_frequency: str | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedTask:
        """Creates a task. Every retry of this call reuses one idempotency key, so it never makes two.

        Option dicts take snake_case keys (``{'approval_required': 'before_execution'}``); ``payload``
        is sent exactly as given.

        Example:
            >>> task = await client.create_task(  # doctest: +SKIP
            ...     description='Wire $50,000 to ACME', payload={'amount': 50000},
            ...     approval_chain=[{'role': 'finance_analyst'}, {'role': 'cfo'}])
        """
        body = create_task_body(
            description=description,
            required_capabilities=required_capabilities,
            human_in_loop=human_in_loop,
            payload=payload,
            on_behalf_of=on_behalf_of,
            ai_proposal=ai_proposal,
            risk_assessment=risk_assessment,
            approval_chain=approval_chain,
            approval_policy=approval_policy,
            auto_escalation=auto_escalation,
            routing=routing,
            audit_frequency=audit_frequency,
        )
        return await self._send(_calls.create_task(body, idempotency_key or str(uuid.uuid4())))

    async def evaluate_policy(self, description: str, **options: Any) -> dict[str, Any]:
        """A dry run of ``create_task``: the policy, risk and gates that would apply; nothing is created."""
        return await self._send(_calls.evaluate_policy(create_task_body(description=description, **options)))

    async def get_task(self, task_id: str) -> Task:
        return await self._send(_calls.get_task(task_id))

    async def list_tasks(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> TaskPage:
        return await self._send(_calls.list_tasks(status, limit, cursor))

    async def decision(self, task_id: str, wait: float = 0) -> Approval:
        """One long-poll round: returns when the task is decided or after ``wait`` seconds (max 60)."""
        return await self._send(_calls.decision(task_id, wait))

    async def wait_for_approval(
        self,
        task_id: str,
        *,
        on_approval_request: OnApprovalRequest | None = None,
        timeout: float | None = None,
    ) -> Approval:
        """Waits (long-poll) for the human decision on a task and returns it.

        Calls ``on_approval_request`` (sync or async) once for each gate that opens — the first, each
        chain step, each escalation — with the gate, its ``ai_proposal`` and the ``payload`` being
        approved. Never raises because time ran out: with ``timeout`` (seconds) it returns
        ``decided=False, timed_out=True``. Rides out a restarting server.

        Example:
            >>> approval = await client.wait_for_approval(  # doctest: +SKIP
            ...     task.id, on_approval_request=lambda req: print(req.ai_proposal.confidence))
            >>> approval.approved, approval.approved_by, approval.edits  # doctest: +SKIP
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        announced: set[str] = set()
        wait = 0.0
        # The long-poll answers on a decision, not when a chain's next step opens: a caller that wants
        # to hear of every gate follows the task's events instead (and re-reads the decision on each).
        after = await self._ledger_size() - 1 if on_approval_request is not None else None
        while True:
            try:
                if after is not None and wait > 0:
                    after = await self._wait_task_event(task_id, after, wait)
                    wait = 0.0
                state = await self.decision(task_id, wait)
            except HumanOSError as e:
                # Waiting is safe to repeat: ride out a restarting server instead of failing the caller.
                if e.code == 'network_error' or e.status in RETRY_STATUSES:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
                    await asyncio.sleep(0.5)
                    continue
                raise
            req = state.approval_request
            if req is not None and req.id not in announced:
                announced.add(req.id)
                if on_approval_request is not None:
                    try:
                        _fill_request(req, await self.get_approval(req.id))
                    except HumanOSError:
                        pass  # the gate as the decision answer shows it is still worth announcing
                    out = on_approval_request(req)
                    if inspect.isawaitable(out):
                        await out
            if state.decided:
                return state
            left = float('inf') if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return state.model_copy(update={'timed_out': True})
            wait = float(int(min(30.0, left)))
            if wait == 0:
                await asyncio.sleep(min(left, 0.25))

    async def cancel_task(self, task_id: str, *, reason: str) -> Task:
        """Withdraws a task that has not started executing; waiters see ``cancelled=True``."""
        return await self._send(_calls.cancel(task_id, reason))

    async def override_task(
        self, task_id: str, *, reason: str, continue_execution: bool = False, overridden_by: str | None = None
    ) -> dict[str, Any]:
        """A human takes over a running task (``continue_execution=False`` revokes the executor's lease)."""
        return await self._send(_calls.override(task_id, reason, continue_execution, overridden_by))

    async def complete_task(
        self, task_id: str, result: Any = None, *, execution_id: str | None = None, lease_id: str | None = None
    ) -> Task:
        """Completes a running task (its executor), or one a human took over (that human)."""
        return await self._send(_calls.finish(task_id, 'complete', result, True, execution_id, lease_id))

    async def fail_task(
        self, task_id: str, error: Any = None, *, execution_id: str | None = None, lease_id: str | None = None
    ) -> Task:
        return await self._send(_calls.finish(task_id, 'fail', error, error is not None, execution_id, lease_id))

    async def provide_feedback(
        self,
        task_id: str,
        *,
        quality: str,
        correctness: bool | None = None,
        comments: str | None = None,
        improvements: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """A human's verdict on a finished task (``poor|fair|good|excellent``); it feeds calibration."""
        return await self._send(_calls.feedback(task_id, quality, correctness, comments, improvements))

    async def calibration(self, agent: str, capability: str | None = None) -> dict[str, Any]:
        return await self._send(_calls.calibration(agent, capability))

    # ---- approvers ---------------------------------------------------------------------------------

    async def inbox(
        self, *, status: str | None = 'pending', limit: int | None = None, cursor: str | None = None
    ) -> InboxPage:
        """The caller's inbox: gates its roles may decide."""
        return await self._send(_calls.inbox(status, limit, cursor))

    async def get_approval(self, approval_id: str, *, wait: float | None = None) -> ApprovalRequest:
        """One gate with the task's payload and the whole chain; ``wait`` long-polls while it is pending."""
        return await self._send(_calls.get_approval(approval_id, wait))

    async def approve(
        self,
        approval: str | ApprovalRequest,
        *,
        payload_digest: str | None = None,
        approval_reason: str | None = None,
        feedback: str | None = None,
        edits: Mapping[str, Any] | None = None,
        approved_by: str | None = None,
        assign_to: str | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionResult:
        """Approves a gate (a human principal), optionally with ``edits`` (an RFC 7386 merge patch).

        The approval counts only for the payload version its maker saw: pass the view you showed
        (from ``inbox`` or ``get_approval``) and its ``current_digest`` is sent, or pass the id with
        ``payload_digest``. If the payload changed since, :class:`~human_sdk.errors.StalePayloadError`
        is raised (with the current payload and the diff) and nothing is written; naming no version
        raises :class:`~human_sdk.errors.PayloadDigestRequiredError` once the payload was edited.

        The call carries an ``Idempotency-Key`` (``idempotency_key`` or a fresh one, reused by its
        retries): a retry after a lost answer gets the first answer back and never decides twice.

        Example:
            >>> view = await client.get_approval(approval_id)  # doctest: +SKIP
            >>> await client.approve(view, approval_reason='IBAN checked')  # doctest: +SKIP
        """
        key = idempotency_key or str(uuid.uuid4())
        gate, digest = _calls.gate_ref(approval, payload_digest)
        call = _calls.approve(gate, digest, approval_reason, feedback, edits, approved_by, assign_to, key)
        return await self._send(call)

    async def reject(
        self,
        approval: str | ApprovalRequest,
        *,
        rejection_reason: str,
        payload_digest: str | None = None,
        feedback: str | None = None,
        rejected_by: str | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionResult:
        """Rejects a gate; like ``approve``, it takes the view shown (or ``payload_digest``; optional
        here, a stale one raises :class:`~human_sdk.errors.StalePayloadError`), carries an idempotency
        key and is safe to retry."""
        key = idempotency_key or str(uuid.uuid4())
        gate, digest = _calls.gate_ref(approval, payload_digest)
        return await self._send(_calls.reject(gate, digest, rejection_reason, feedback, rejected_by, key))

    # ---- execution -----------------------------------------------------------------------------------

    async def start_execution(
        self, task_id: str, *, payload: Mapping[str, Any] | None = None, lease_seconds: int | None = None
    ) -> Execution:
        """Starts executing an approved task: the approved payload, a lease and the signed grant."""
        return await self._send(_calls.execute(task_id, payload, lease_seconds))

    async def claim(
        self, capabilities: Sequence[str], *, limit: int | None = None, lease_seconds: int | None = None
    ) -> list[Execution]:
        """Claims up to ``limit`` approved tasks these capabilities cover (needs the executor role)."""
        return await self._send(_calls.claim(capabilities, limit, lease_seconds))

    async def heartbeat(
        self,
        task_id: str,
        lease_id: str,
        *,
        confidence: float | None = None,
        progress: str | None = None,
        lease_seconds: int | None = None,
    ) -> dict[str, Any]:
        return await self._send(_calls.heartbeat(task_id, lease_id, lease_seconds, confidence, progress))

    async def execute_task(
        self,
        task_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        handler: AsyncHandler | SyncHandler | None = None,
        lease_seconds: int | None = None,
        timeout: float | None = None,
    ) -> Task:
        """Executes an approved task and returns the finished task.

        With a ``handler(payload, ctx)`` the caller executes: the server grants the approved payload
        (human edits included), the handler runs while the lease is heartbeated, then the task is
        completed with its return value (or failed with its exception, which is re-raised). A takeover
        by a human cancels an async handler and sets ``ctx.cancelled``; the call raises
        ``TaskOverriddenError``. Sync handlers run in a worker thread.

        Without a handler the task is left to the capability workers (see :class:`human_sdk.Worker`)
        and the call waits, by server-sent events with a polling fallback, until it is completed or
        failed; ``timeout`` (seconds) bounds the wait, after which the task is returned as it is.

        ``payload``, when given, must be the approved payload (its canonical digest is compared):
        otherwise ``PayloadMismatchError``, and nothing runs.
        """
        if handler is None:
            return await self.wait_for_completion(task_id, payload=payload, timeout=timeout)
        execution = await self.start_execution(task_id, payload=payload, lease_seconds=lease_seconds)
        return await self.run_execution(execution, handler, lease_seconds=lease_seconds or 60)

    async def run_execution(
        self, execution: Execution, handler: AsyncHandler | SyncHandler, *, lease_seconds: int = 60
    ) -> Task:
        """Runs a handler for a started execution: heartbeats, cancellation on takeover, complete or fail."""
        stop = _Stop()
        loop = asyncio.get_running_loop()
        task_id, lease_id = execution.task_id, execution.lease_id
        is_async = _is_async_callable(handler)
        runner: asyncio.Future[Any] | None = None

        async def beat(confidence: float | None = None, progress: str | None = None) -> dict[str, Any]:
            try:
                return await self.heartbeat(
                    task_id, lease_id, confidence=confidence, progress=progress, lease_seconds=lease_seconds
                )
            except HumanOSError as e:
                if e.code in STOP_CODES:
                    stop.set(e)
                    if is_async and runner is not None and not runner.done():
                        runner.cancel()
                raise

        async def report(confidence: float | None, progress: str | None) -> None:
            answer = await beat(confidence, progress)
            while answer.get('action') == 'wait' and not stop.event.is_set():
                gate = answer.get('approvalRequest')
                if isinstance(gate, dict) and isinstance(gate.get('id'), str):
                    try:
                        await self.get_approval(gate['id'], wait=30)
                    except HumanOSError:
                        await asyncio.sleep(0.5)
                answer = await beat()
            if stop.error is not None:
                stop.raise_error()

        async def beat_loop() -> None:
            interval = max(1.0, lease_seconds / 3)
            while True:
                await asyncio.sleep(interval)
                try:
                    await beat()
                except HumanOSError as e:
                    if e.code in STOP_CODES:
                        return

        def sync_report(confidence: float | None, progress: str | None) -> None:
            asyncio.run_coroutine_threadsafe(report(confidence, progress), loop).result()

        if is_async:
            actx = AsyncExecutionContext(execution, stop, report)
            runner = asyncio.ensure_future(cast(AsyncHandler, handler)(execution.payload, actx))
        else:
            sctx = ExecutionContext(execution, stop, sync_report)
            runner = asyncio.ensure_future(asyncio.to_thread(cast(SyncHandler, handler), execution.payload, sctx))
        beats = asyncio.ensure_future(beat_loop())
        try:
            try:
                result = await runner
            except asyncio.CancelledError:
                if stop.error is not None:
                    raise stop.error from None
                raise
            except Exception as e:
                if stop.error is not None:
                    raise stop.error from e
                await self.fail_task(task_id, error_body(e), execution_id=execution.execution_id, lease_id=lease_id)
                raise
            if stop.error is not None:
                raise stop.error
            if not jsonable(result):
                err = TypeError(f'the handler returned a {type(result).__name__}, which has no JSON form')
                await self.fail_task(task_id, error_body(err), execution_id=execution.execution_id, lease_id=lease_id)
                raise err
            return await self.complete_task(task_id, result, execution_id=execution.execution_id, lease_id=lease_id)
        finally:
            beats.cancel()
            if not runner.done():
                runner.cancel()
            stop.event.set()

    async def wait_for_completion(
        self, task_id: str, *, payload: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> Task:
        """Waits until workers finished an approved task (``completed`` or ``failed``) and returns it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        after = await self._ledger_size() - 1
        task = await self.get_task(task_id)
        check_runnable(task, payload)
        while task.status not in FINISHED:
            left = float('inf') if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return task
            after = await self._wait_task_event(task_id, after, min(left, 15.0))
            task = await self.get_task(task_id)
        return task

    async def _ledger_size(self) -> int:
        try:
            cp = await self._send(_calls.ledger_checkpoint())
            return int(cp.get('size', 0))
        except HumanOSError:
            return 0

    async def _wait_task_event(self, task_id: str, after: int, budget: float) -> int:
        """Reads server-sent events until one concerns ``task_id`` or ``budget`` seconds pass."""
        last = after
        cfg = self.config

        async def read() -> None:
            nonlocal last
            headers = {'accept': 'text/event-stream', **cfg.headers}
            if cfg.api_key:
                headers['authorization'] = f'Bearer {cfg.api_key}'
            async with self._http.stream(
                'GET',
                f'{cfg.base_url}{_calls.PREFIX}/events',
                params={'after': last},
                headers=headers,
                timeout=httpx.Timeout(cfg.timeout, read=budget + 5),
            ) as res:
                if not res.is_success:
                    raise HumanOSError(f'http_{res.status_code}', res.status_code, 'event stream refused')
                lines: list[str] = []
                async for line in res.aiter_lines():
                    if line:
                        lines.append(line)
                        continue
                    ev_id, _event, data = parse_sse(lines)
                    lines = []
                    if ev_id is not None and ev_id.isdigit():
                        last = int(ev_id)
                    if data and _mentions(data, task_id):
                        return

        try:
            await asyncio.wait_for(read(), timeout=budget)
        except (asyncio.TimeoutError, httpx.HTTPError, HumanOSError):
            # No event in time, or no stream: the caller re-reads the task either way. Poll gently.
            await asyncio.sleep(min(budget, 0.5) if last == after else 0)
        return last

    async def submit_decision(
        self,
        task_id: str,
        *,
        action: str,
        reasoning: str | None = None,
        confidence: float | None = None,
        alternatives: Sequence[str] | None = None,
        payload: Mapping[str, Any] | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InRunDecision:
        """Submits an in-run decision of an executing task; waits for the human when a gate opens."""
        raw = await self._send(
            _calls.submit_decision(
                task_id, _calls.in_run_decision_body(action, reasoning, confidence, alternatives, payload)
            )
        )
        done = _decision_outcome(raw, payload)
        if done is not None:
            return done
        # A policy chain makes one gate per step: the decision stands when the last one does (a reject
        # at any step cancels the rest, which ends the wait on the last one too).
        gate = ApprovalRequest.model_validate((raw.get('approvalChain') or [raw['approvalRequest']])[-1])
        if not wait:
            return InRunDecision(approved=False, decided=False, status='pending', approval_request=gate)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = float('inf') if deadline is None else deadline - time.monotonic()
            view = await self.get_approval(gate.id, wait=max(1, int(min(30.0, left))))
            if view.status != 'pending' or (deadline is not None and time.monotonic() >= deadline):
                return _view_outcome(view)

    # ---- principals ---------------------------------------------------------------------------------

    async def create_principal(
        self,
        id: str,
        *,
        roles: Sequence[str],
        kind: str | None = None,
        capabilities: Sequence[str] | None = None,
        token_expires_in: int | None = None,
    ) -> Principal:
        """Creates a principal (admin); the answer carries its token, shown this once."""
        return await self._send(_calls.create_principal(id, roles, kind, capabilities, token_expires_in))

    async def me(self) -> Principal:
        return await self._send(_calls.me())

    async def register_capabilities(self, capabilities: Sequence[str]) -> dict[str, Any]:
        return await self._send(_calls.register_capabilities(capabilities))

    # ---- ledger -------------------------------------------------------------------------------------------

    async def ledger_checkpoint(self) -> dict[str, Any]:
        """The latest signed checkpoint: ``{size, rootHash, checkpoint, origin}`` (public)."""
        return await self._send(_calls.ledger_checkpoint())

    async def ledger_public_key(self) -> dict[str, Any]:
        return await self._send(_calls.ledger_public_key())

    async def export_ledger(self) -> str:
        """The full ledger as JSON Lines (admin or auditor role)."""
        return await self._send(_calls.ledger_export())

    async def consistency_proof(self, size1: int, size2: int | None = None) -> dict[str, Any]:
        return await self._send(_calls.consistency_proof(size1, size2))

    async def inclusion_proof(self, index: int, size: int | None = None) -> dict[str, Any]:
        return await self._send(_calls.inclusion_proof(index, size))

    async def verify_ledger(
        self, trusted_public_key: str | None = None, *, trusted_checkpoint: TrustedCheckpoint | None = None
    ) -> VerifyReport:
        """Downloads the ledger and verifies it offline (see :func:`human_sdk.ledger.verify_ledger`)."""
        return verify_ledger(
            parse_ledger_export(await self.export_ledger()), trusted_public_key, trusted_checkpoint=trusted_checkpoint
        )

    # ---- audit reviews --------------------------------------------------------------------------------

    async def audit_reviews(
        self,
        *,
        status: ReviewStatus | None = None,
        frequency: ReviewFrequency | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AuditReviewPage:
        """Periodic audit reviews of unattended runs, newest period first (admin or auditor role).

        The server opens one per UTC day, week or month after it ends, for the runs created with
        ``human_in_loop={'enabled': False}`` and ``audit_frequency`` ``daily`` / ``weekly`` / ``monthly``.

        Example:
            >>> page = await auditor.audit_reviews(status='open', frequency='daily')  # doctest: +SKIP
            >>> for review in page.items:  # doctest: +SKIP
            ...     print(review.period_start, review.task_count, [t.task_id for t in review.sample])
        """
        return await self._send(_calls.audit_reviews(status, frequency, limit, cursor))

    async def get_audit_review(self, review_id: str) -> AuditReview:
        """One review with its counts and the sample to inspect (admin or auditor role)."""
        return await self._send(_calls.get_audit_review(review_id))

    async def audit_review_tasks(
        self, review_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> ReviewedTaskPage:
        """Every run a review covers, oldest first, a page at a time (admin or auditor role)."""
        return await self._send(_calls.audit_review_tasks(review_id, limit, cursor))

    async def complete_audit_review(
        self,
        review_id: str,
        *,
        outcome: ReviewOutcome,
        findings: str,
        flagged_task_ids: Sequence[str] | None = None,
    ) -> AuditReview:
        """Signs an open review off (a human holding the auditor role, or an admin); recorded in the ledger.

        ``findings`` must not be blank; ``flagged_task_ids`` must be runs of this review
        (``BadRequestError`` otherwise). A completed review raises ``ConflictError`` (``already_decided``);
        an agent or a non-auditor ``PermissionDeniedError`` (``forbidden``). Not retried.

        Example:
            >>> await auditor.complete_audit_review(  # doctest: +SKIP
            ...     review.id, outcome='issues_found', findings='run 2 deleted too much', flagged_task_ids=[task_id])
        """
        return await self._send(_calls.complete_audit_review(review_id, outcome, findings, flagged_task_ids))


def _mentions(data: str, task_id: str) -> bool:
    try:
        event = json.loads(data)
    except ValueError:
        return False
    return isinstance(event, dict) and event.get('taskId') == task_id


class HumanOSClient:
    """The blocking client: the same calls as :class:`AsyncHumanOSClient`, without ``await``.

    Example:
        >>> from human_sdk import HumanOSClient
        >>> with HumanOSClient() as approver:  # doctest: +SKIP
        ...     for req in approver.inbox().items:
        ...         approver.approve(req.id, approval_reason='checked the invoice')
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = ClientConfig.resolve(base_url, api_key, timeout, retries, headers)
        self._http = httpx.Client(transport=transport, follow_redirects=False)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def __enter__(self) -> HumanOSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: _calls.Call[T]) -> T:
        request_id = new_request_id()
        url, headers, content, timeout = request_parts(self.config, call, request_id)
        attempt = 0
        while True:
            try:
                res = self._http.request(
                    call.method, url, params=call.params, headers=headers, content=content, timeout=timeout
                )
            except httpx.TransportError as e:
                err: HumanOSError = network_error(call, e, request_id)
            else:
                value, error = answer(call, res, request_id)
                if error is None:
                    return cast(T, value)
                err = error
            attempt += 1
            if not should_retry(call, err, attempt - 1, self.config.retries):
                raise err
            time.sleep(backoff(attempt))

    # ---- tasks -----------------------------------------------------------------------------------

    def create_task(
        self,
        description: str,
        *,
        required_capabilities: Sequence[str] | None = None,
        human_in_loop: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        ai_proposal: Mapping[str, Any] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
        approval_chain: Sequence[Mapping[str, Any]] | None = None,
        approval_policy: Mapping[str, Any] | None = None,
        auto_escalation: Mapping[str, Any] | None = None,
        routing: Mapping[str, Any] | None = None,
        audit_frequency: str | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedTask:
        """Creates a task; see :meth:`AsyncHumanOSClient.create_task`."""
        body = create_task_body(
            description=description,
            required_capabilities=required_capabilities,
            human_in_loop=human_in_loop,
            payload=payload,
            on_behalf_of=on_behalf_of,
            ai_proposal=ai_proposal,
            risk_assessment=risk_assessment,
            approval_chain=approval_chain,
            approval_policy=approval_policy,
            auto_escalation=auto_escalation,
            routing=routing,
            audit_frequency=audit_frequency,
        )
        return self._send(_calls.create_task(body, idempotency_key or str(uuid.uuid4())))

    def evaluate_policy(self, description: str, **options: Any) -> dict[str, Any]:
        return self._send(_calls.evaluate_policy(create_task_body(description=description, **options)))

    def get_task(self, task_id: str) -> Task:
        return self._send(_calls.get_task(task_id))

    def list_tasks(self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None) -> TaskPage:
        return self._send(_calls.list_tasks(status, limit, cursor))

    def decision(self, task_id: str, wait: float = 0) -> Approval:
        return self._send(_calls.decision(task_id, wait))

    def wait_for_approval(
        self,
        task_id: str,
        *,
        on_approval_request: Callable[[ApprovalRequest], object] | None = None,
        timeout: float | None = None,
    ) -> Approval:
        """Waits for the human decision; see :meth:`AsyncHumanOSClient.wait_for_approval`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        announced: set[str] = set()
        wait = 0.0
        after = self._ledger_size() - 1 if on_approval_request is not None else None
        while True:
            try:
                if after is not None and wait > 0:
                    after = self._wait_task_event(task_id, after, wait)
                    wait = 0.0
                state = self.decision(task_id, wait)
            except HumanOSError as e:
                if e.code == 'network_error' or e.status in RETRY_STATUSES:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
                    time.sleep(0.5)
                    continue
                raise
            req = state.approval_request
            if req is not None and req.id not in announced:
                announced.add(req.id)
                if on_approval_request is not None:
                    try:
                        _fill_request(req, self.get_approval(req.id))
                    except HumanOSError:
                        pass
                    on_approval_request(req)
            if state.decided:
                return state
            left = float('inf') if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return state.model_copy(update={'timed_out': True})
            wait = float(int(min(30.0, left)))
            if wait == 0:
                time.sleep(min(left, 0.25))

    def cancel_task(self, task_id: str, *, reason: str) -> Task:
        return self._send(_calls.cancel(task_id, reason))

    def override_task(
        self, task_id: str, *, reason: str, continue_execution: bool = False, overridden_by: str | None = None
    ) -> dict[str, Any]:
        return self._send(_calls.override(task_id, reason, continue_execution, overridden_by))

    def complete_task(
        self, task_id: str, result: Any = None, *, execution_id: str | None = None, lease_id: str | None = None
    ) -> Task:
        return self._send(_calls.finish(task_id, 'complete', result, True, execution_id, lease_id))

    def fail_task(
        self, task_id: str, error: Any = None, *, execution_id: str | None = None, lease_id: str | None = None
    ) -> Task:
        return self._send(_calls.finish(task_id, 'fail', error, error is not None, execution_id, lease_id))

    def provide_feedback(
        self,
        task_id: str,
        *,
        quality: str,
        correctness: bool | None = None,
        comments: str | None = None,
        improvements: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        return self._send(_calls.feedback(task_id, quality, correctness, comments, improvements))

    def calibration(self, agent: str, capability: str | None = None) -> dict[str, Any]:
        return self._send(_calls.calibration(agent, capability))

    # ---- approvers ---------------------------------------------------------------------------------

    def inbox(
        self, *, status: str | None = 'pending', limit: int | None = None, cursor: str | None = None
    ) -> InboxPage:
        return self._send(_calls.inbox(status, limit, cursor))

    def get_approval(self, approval_id: str, *, wait: float | None = None) -> ApprovalRequest:
        return self._send(_calls.get_approval(approval_id, wait))

    def approve(
        self,
        approval: str | ApprovalRequest,
        *,
        payload_digest: str | None = None,
        approval_reason: str | None = None,
        feedback: str | None = None,
        edits: Mapping[str, Any] | None = None,
        approved_by: str | None = None,
        assign_to: str | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionResult:
        """See :meth:`AsyncHumanOSClient.approve`: pass the view shown, or the id and ``payload_digest``."""
        key = idempotency_key or str(uuid.uuid4())
        gate, digest = _calls.gate_ref(approval, payload_digest)
        return self._send(_calls.approve(gate, digest, approval_reason, feedback, edits, approved_by, assign_to, key))

    def reject(
        self,
        approval: str | ApprovalRequest,
        *,
        rejection_reason: str,
        payload_digest: str | None = None,
        feedback: str | None = None,
        rejected_by: str | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionResult:
        """See :meth:`AsyncHumanOSClient.reject`."""
        key = idempotency_key or str(uuid.uuid4())
        gate, digest = _calls.gate_ref(approval, payload_digest)
        return self._send(_calls.reject(gate, digest, rejection_reason, feedback, rejected_by, key))

    # ---- execution -----------------------------------------------------------------------------------

    def start_execution(
        self, task_id: str, *, payload: Mapping[str, Any] | None = None, lease_seconds: int | None = None
    ) -> Execution:
        return self._send(_calls.execute(task_id, payload, lease_seconds))

    def claim(
        self, capabilities: Sequence[str], *, limit: int | None = None, lease_seconds: int | None = None
    ) -> list[Execution]:
        return self._send(_calls.claim(capabilities, limit, lease_seconds))

    def heartbeat(
        self,
        task_id: str,
        lease_id: str,
        *,
        confidence: float | None = None,
        progress: str | None = None,
        lease_seconds: int | None = None,
    ) -> dict[str, Any]:
        return self._send(_calls.heartbeat(task_id, lease_id, lease_seconds, confidence, progress))

    def execute_task(
        self,
        task_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        handler: SyncHandler | None = None,
        lease_seconds: int | None = None,
        timeout: float | None = None,
    ) -> Task:
        """Executes an approved task; see :meth:`AsyncHumanOSClient.execute_task`.

        The handler runs in the calling thread while a background thread heartbeats; on a takeover
        ``ctx.cancelled`` turns true (check it, or call ``ctx.raise_if_cancelled()``) and the call
        raises ``TaskOverriddenError`` once the handler returns.
        """
        if handler is None:
            return self.wait_for_completion(task_id, payload=payload, timeout=timeout)
        execution = self.start_execution(task_id, payload=payload, lease_seconds=lease_seconds)
        return self.run_execution(execution, handler, lease_seconds=lease_seconds or 60)

    def run_execution(self, execution: Execution, handler: SyncHandler, *, lease_seconds: int = 60) -> Task:
        stop = _Stop()
        finished = threading.Event()
        task_id, lease_id = execution.task_id, execution.lease_id

        def beat(confidence: float | None = None, progress: str | None = None) -> dict[str, Any]:
            try:
                return self.heartbeat(
                    task_id, lease_id, confidence=confidence, progress=progress, lease_seconds=lease_seconds
                )
            except HumanOSError as e:
                if e.code in STOP_CODES:
                    stop.set(e)
                raise

        def report(confidence: float | None, progress: str | None) -> None:
            answer = beat(confidence, progress)
            while answer.get('action') == 'wait' and not stop.event.is_set():
                gate = answer.get('approvalRequest')
                if isinstance(gate, dict) and isinstance(gate.get('id'), str):
                    try:
                        self.get_approval(gate['id'], wait=30)
                    except HumanOSError:
                        time.sleep(0.5)
                answer = beat()
            if stop.error is not None:
                stop.raise_error()

        def beat_loop() -> None:
            interval = max(1.0, lease_seconds / 3)
            while not finished.wait(interval):
                try:
                    beat()
                except HumanOSError as e:
                    if e.code in STOP_CODES:
                        return

        beats = threading.Thread(target=beat_loop, name=f'humanos-heartbeat-{task_id}', daemon=True)
        beats.start()
        ctx = ExecutionContext(execution, stop, report)
        try:
            try:
                result = handler(execution.payload, ctx)
            except Exception as e:
                if stop.error is not None:
                    raise stop.error from e
                self.fail_task(task_id, error_body(e), execution_id=execution.execution_id, lease_id=lease_id)
                raise
            if stop.error is not None:
                raise stop.error
            if not jsonable(result):
                err = TypeError(f'the handler returned a {type(result).__name__}, which has no JSON form')
                self.fail_task(task_id, error_body(err), execution_id=execution.execution_id, lease_id=lease_id)
                raise err
            return self.complete_task(task_id, result, execution_id=execution.execution_id, lease_id=lease_id)
        finally:
            finished.set()
            beats.join(timeout=5)

    def wait_for_completion(
        self, task_id: str, *, payload: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> Task:
        deadline = None if timeout is None else time.monotonic() + timeout
        after = self._ledger_size() - 1
        task = self.get_task(task_id)
        check_runnable(task, payload)
        while task.status not in FINISHED:
            left = float('inf') if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return task
            after = self._wait_task_event(task_id, after, min(left, 15.0))
            task = self.get_task(task_id)
        return task

    def _ledger_size(self) -> int:
        try:
            return int(self._send(_calls.ledger_checkpoint()).get('size', 0))
        except HumanOSError:
            return 0

    def _wait_task_event(self, task_id: str, after: int, budget: float) -> int:
        last = after
        cfg = self.config
        end = time.monotonic() + budget
        headers = {'accept': 'text/event-stream', **cfg.headers}
        if cfg.api_key:
            headers['authorization'] = f'Bearer {cfg.api_key}'
        try:
            with self._http.stream(
                'GET',
                f'{cfg.base_url}{_calls.PREFIX}/events',
                params={'after': last},
                headers=headers,
                timeout=httpx.Timeout(cfg.timeout, read=max(0.1, budget)),
            ) as res:
                if not res.is_success:
                    raise HumanOSError(f'http_{res.status_code}', res.status_code, 'event stream refused')
                lines: list[str] = []
                for line in res.iter_lines():
                    if line:
                        lines.append(line)
                    else:
                        ev_id, _event, data = parse_sse(lines)
                        lines = []
                        if ev_id is not None and ev_id.isdigit():
                            last = int(ev_id)
                        if data and _mentions(data, task_id):
                            return last
                    if time.monotonic() >= end:
                        return last
        except (httpx.HTTPError, HumanOSError):
            time.sleep(max(0.0, min(0.5, end - time.monotonic())))
        return last

    def submit_decision(
        self,
        task_id: str,
        *,
        action: str,
        reasoning: str | None = None,
        confidence: float | None = None,
        alternatives: Sequence[str] | None = None,
        payload: Mapping[str, Any] | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InRunDecision:
        raw = self._send(
            _calls.submit_decision(
                task_id, _calls.in_run_decision_body(action, reasoning, confidence, alternatives, payload)
            )
        )
        done = _decision_outcome(raw, payload)
        if done is not None:
            return done
        # A policy chain makes one gate per step: the decision stands when the last one does (a reject
        # at any step cancels the rest, which ends the wait on the last one too).
        gate = ApprovalRequest.model_validate((raw.get('approvalChain') or [raw['approvalRequest']])[-1])
        if not wait:
            return InRunDecision(approved=False, decided=False, status='pending', approval_request=gate)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = float('inf') if deadline is None else deadline - time.monotonic()
            view = self.get_approval(gate.id, wait=max(1, int(min(30.0, left))))
            if view.status != 'pending' or (deadline is not None and time.monotonic() >= deadline):
                return _view_outcome(view)

    # ---- principals ---------------------------------------------------------------------------------

    def create_principal(
        self,
        id: str,
        *,
        roles: Sequence[str],
        kind: str | None = None,
        capabilities: Sequence[str] | None = None,
        token_expires_in: int | None = None,
    ) -> Principal:
        return self._send(_calls.create_principal(id, roles, kind, capabilities, token_expires_in))

    def me(self) -> Principal:
        return self._send(_calls.me())

    def register_capabilities(self, capabilities: Sequence[str]) -> dict[str, Any]:
        return self._send(_calls.register_capabilities(capabilities))

    # ---- ledger -------------------------------------------------------------------------------------------

    def ledger_checkpoint(self) -> dict[str, Any]:
        return self._send(_calls.ledger_checkpoint())

    def ledger_public_key(self) -> dict[str, Any]:
        return self._send(_calls.ledger_public_key())

    def export_ledger(self) -> str:
        return self._send(_calls.ledger_export())

    def consistency_proof(self, size1: int, size2: int | None = None) -> dict[str, Any]:
        return self._send(_calls.consistency_proof(size1, size2))

    def inclusion_proof(self, index: int, size: int | None = None) -> dict[str, Any]:
        return self._send(_calls.inclusion_proof(index, size))

    def verify_ledger(
        self, trusted_public_key: str | None = None, *, trusted_checkpoint: TrustedCheckpoint | None = None
    ) -> VerifyReport:
        return verify_ledger(
            parse_ledger_export(self.export_ledger()), trusted_public_key, trusted_checkpoint=trusted_checkpoint
        )

    # ---- audit reviews --------------------------------------------------------------------------------

    def audit_reviews(
        self,
        *,
        status: ReviewStatus | None = None,
        frequency: ReviewFrequency | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AuditReviewPage:
        """Periodic audit reviews, newest period first (see :meth:`AsyncHumanOSClient.audit_reviews`)."""
        return self._send(_calls.audit_reviews(status, frequency, limit, cursor))

    def get_audit_review(self, review_id: str) -> AuditReview:
        return self._send(_calls.get_audit_review(review_id))

    def audit_review_tasks(
        self, review_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> ReviewedTaskPage:
        return self._send(_calls.audit_review_tasks(review_id, limit, cursor))

    def complete_audit_review(
        self,
        review_id: str,
        *,
        outcome: ReviewOutcome,
        findings: str,
        flagged_task_ids: Sequence[str] | None = None,
    ) -> AuditReview:
        """Signs an open review off (see :meth:`AsyncHumanOSClient.complete_audit_review`)."""
        return self._send(_calls.complete_audit_review(review_id, outcome, findings, flagged_task_ids))
