"""The HumanOS client, written once as asyncio code in ``_async/client.py``; the blocking client in
``_sync/client.py`` is generated from it by ``scripts/unasync_clients.py`` (edit the async file, then
regenerate). Waits and execution flows are in ``flows.py``; what differs between asyncio and threads
is in ``human_sdk._io``.

Configured from ``HUMANOS_URL`` / ``HUMANOS_API_KEY`` unless given ``base_url`` / ``api_key``, it
speaks camelCase JSON on the wire and returns snake_case models, raises typed errors carrying the
server's problem ``code``, the request id and any ``Retry-After``, and retries calls that are safe to
repeat (see ``human_sdk._base``: GETs, and writes under one idempotency key reused by every retry of
the call) after network errors and 429/502/503/504.

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

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import httpx

from .. import _calls
from .._base import ClientConfig, answer, network_error, new_request_id, request_parts, retry_delay
from .._context import AnyHandler
from .._io import AsyncIO
from .._wire import create_task_body
from ..errors import HumanOSError
from ..ledger import TrustedCheckpoint, VerifyReport, parse_ledger_export, verify_ledger
from ..models import (
    Approval,
    ApprovalRequest,
    AuditReview,
    AuditReviewPage,
    ChangesRequestedResult,
    CreatedTask,
    DecisionResult,
    Execution,
    InboxPage,
    InRunDecision,
    Principal,
    ReviewedTask,
    ReviewedTaskPage,
    ReviewFrequency,
    ReviewOutcome,
    ReviewStatus,
    RevisedTask,
    Task,
    TaskPage,
)
from . import flows
from .collab import CollabMethods
from .delegations import DelegationMethods

__all__ = ['AsyncHumanOSClient', 'OnApprovalRequest']

T = TypeVar('T')
OnApprovalRequest = Callable[[ApprovalRequest], Any]


class AsyncHumanOSClient(DelegationMethods, CollabMethods):
    """The asyncio client. Use it as an async context manager, or call :meth:`aclose`.

    Args:
        base_url: server URL; default ``HUMANOS_URL``, else ``http://127.0.0.1:8787``.
        api_key: bearer token; default ``HUMANOS_API_KEY``.
        timeout: seconds per request (long-polls add their wait). Default 30.
        retries: retries of safe requests after network errors and 429/502/503/504. Default 3.
        headers: extra headers on every request.
        transport: an ``httpx.AsyncBaseTransport`` (tests, proxies).
        max_retry_after: the longest ``Retry-After`` (seconds) waited out by the client itself; a longer
            one raises at once with ``retry_after`` set. Default 30.
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
        max_retry_after: float = 30.0,
    ) -> None:
        self.config = ClientConfig.resolve(base_url, api_key, timeout, retries, headers, max_retry_after)
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
        """Sends one call with its retries: one idempotency key for all of them, a request id for each."""
        url, headers, content, timeout = request_parts(self.config, call)
        given_id = headers.get('x-request-id')  # the caller's own (``headers=``) wins
        attempt = 0
        while True:
            request_id = headers['x-request-id'] = given_id or new_request_id()
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
            delay = retry_delay(self.config, call, err, attempt)
            if delay is None:
                raise err
            attempt += 1
            await AsyncIO.sleep(delay)

    async def _every(self, page: Callable[[str | None], _calls.Call[Any]]) -> AsyncIterator[Any]:
        """Every item of a cursor-paged list: fetches the next page (``page(cursor)``) as it is reached."""
        cursor: str | None = None
        while True:
            got = await self._send(page(cursor))
            for item in got.items:
                yield item
            if not got.next_cursor:
                return
            cursor = got.next_cursor

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

    async def get_task(self, task_id: str, *, wait: float | None = None) -> Task:
        """Reads a task; with ``wait`` (1–60 s) the server answers once the task is finished or the wait ends."""
        return await self._send(_calls.get_task(task_id, wait))

    async def list_tasks(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> TaskPage:
        return await self._send(_calls.list_tasks(status, limit, cursor))

    def iter_tasks(self, *, status: str | None = None, page_size: int | None = None) -> AsyncIterator[Task]:
        """Every task the caller may see, newest first, fetching page after page as the loop goes.

        Example:
            >>> async for task in client.iter_tasks(status='awaiting_approval'):  # doctest: +SKIP
            ...     print(task.id, task.description)
        """
        return self._every(lambda cursor: _calls.list_tasks(status, page_size, cursor))

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
        return await flows.wait_for_approval(self, task_id, on_approval_request, timeout)

    async def revise_task(
        self,
        task_id: str,
        *,
        payload: Mapping[str, Any],
        ai_proposal: Mapping[str, Any] | None = None,
        risk_assessment: Mapping[str, Any] | None = None,
    ) -> RevisedTask:
        """Answers requested changes with a new version (only the task's agent): every gate is asked
        again and no earlier approval counts; then ``wait_for_approval`` again.

        Example:
            >>> approval = await client.wait_for_approval(task.id)  # doctest: +SKIP
            >>> if approval.changes_requested:  # doctest: +SKIP
            ...     await client.revise_task(task.id, payload=redraft(approval.feedback))
        """
        return await self._send(_calls.revise(task_id, payload, ai_proposal, risk_assessment))

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

    def iter_inbox(
        self, *, status: str | None = 'pending', page_size: int | None = None
    ) -> AsyncIterator[ApprovalRequest]:
        """Every gate of the caller's inbox, page after page (see :meth:`inbox`).

        Example:
            >>> async for req in approver.iter_inbox():  # doctest: +SKIP
            ...     print(req.id, req.ai_proposal)
        """
        return self._every(lambda cursor: _calls.inbox(status, page_size, cursor))

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
        alternative: int | None = None,
        idempotency_key: str | None = None,
    ) -> DecisionResult:
        """Approves a gate (a human principal), optionally with ``edits`` (an RFC 7386 merge patch),
        or approves the proposal's alternative of index ``alternative`` instead (its payload executes).

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
        call = _calls.approve(gate, digest, approval_reason, feedback, edits, approved_by, assign_to, key, alternative)
        return await self._send(call)

    async def request_changes(
        self, approval: str | ApprovalRequest, *, feedback: str, payload_digest: str | None = None
    ) -> ChangesRequestedResult:
        """Answers a gate with feedback instead of a verdict: the task goes back to its agent, whose
        ``wait_for_approval`` returns ``changes_requested=True`` with the ``feedback``. Bound to the
        version shown, like ``approve`` (a stale one raises :class:`~human_sdk.errors.StalePayloadError`).

        Example:
            >>> view = await client.get_approval(approval_id)  # doctest: +SKIP
            >>> await client.request_changes(view, feedback='Mention the renewal date')  # doctest: +SKIP
        """
        gate, digest = _calls.gate_ref(approval, payload_digest)
        return await self._send(_calls.request_changes(gate, digest, feedback))

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
        self,
        capabilities: Sequence[str],
        *,
        limit: int | None = None,
        lease_seconds: int | None = None,
        wait: float | None = None,
    ) -> list[Execution]:
        """Claims up to ``limit`` approved tasks these capabilities cover (needs the executor role). With
        ``wait`` (1–60 s) and nothing to claim, the server holds the call until such work is approved (then
        claims it) or the wait ends (then none), as :class:`human_sdk.Worker` does."""
        return await self._send(_calls.claim(capabilities, limit, lease_seconds, wait))

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
        handler: AnyHandler | None = None,
        lease_seconds: int | None = None,
        timeout: float | None = None,
    ) -> Task:
        """Executes an approved task and returns the finished task.

        With a ``handler(payload, ctx)`` the caller executes: the server grants the approved payload
        (human edits included), the handler runs while the lease is heartbeated, then the task is
        completed with its return value (or failed with its exception, which is re-raised). A takeover
        by a human sets ``ctx.cancelled`` (and cancels an async handler); the call raises
        ``TaskOverriddenError``. On the async client a sync handler runs in a worker thread; on the
        blocking client every handler runs in the calling thread while another one heartbeats.

        Without a handler the task is left to the capability workers (see :class:`human_sdk.Worker`)
        and the call waits until it is completed or failed — one read, then long-polls
        (``GET /tasks/{id}?wait=``) the server answers as soon as the task finishes, no polling;
        ``timeout`` (seconds) bounds the wait, after which the task is returned as it is.

        ``payload``, when given, must be the approved payload (its canonical digest is compared):
        otherwise ``PayloadMismatchError``, and nothing runs.
        """
        if handler is None:
            return await self.wait_for_completion(task_id, payload=payload, timeout=timeout)
        execution = await self.start_execution(task_id, payload=payload, lease_seconds=lease_seconds)
        return await self.run_execution(execution, handler, lease_seconds=lease_seconds or 60)

    async def run_execution(self, execution: Execution, handler: AnyHandler, *, lease_seconds: int = 60) -> Task:
        """Runs a handler for a started execution: heartbeats, cancellation on takeover, complete or fail."""
        return await flows.run_execution(self, execution, handler, lease_seconds)

    async def wait_for_completion(
        self, task_id: str, *, payload: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> Task:
        """Waits until workers finished an approved task (``completed`` or ``failed``) and returns it.

        ``payload``, when given, must be the approved one: otherwise ``PayloadMismatchError`` at once.
        With ``timeout`` (seconds) the task is returned as it is when the time is up.
        """
        return await flows.wait_for_completion(self, task_id, payload, timeout)

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
        body = _calls.in_run_decision_body(action, reasoning, confidence, alternatives, payload)
        raw = await self._send(_calls.submit_decision(task_id, body))
        return await flows.settle_decision(self, raw, payload, wait, timeout)

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
        self,
        trusted_public_key: str | None = None,
        *,
        trusted_checkpoint: TrustedCheckpoint | None = None,
        witnesses: Sequence[str] | None = None,
        witness_quorum: int | None = None,
    ) -> VerifyReport:
        """Downloads the ledger and verifies it offline (see :func:`human_sdk.ledger.verify_ledger`), with
        a witness policy when ``witnesses`` (cosignature/v1 verifier keys) are given."""
        return verify_ledger(
            parse_ledger_export(await self.export_ledger()),
            trusted_public_key,
            trusted_checkpoint=trusted_checkpoint,
            witnesses=witnesses,
            witness_quorum=witness_quorum,
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

    def iter_audit_reviews(
        self,
        *,
        status: ReviewStatus | None = None,
        frequency: ReviewFrequency | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AuditReview]:
        """Every audit review, newest period first, page after page (see :meth:`audit_reviews`)."""
        return self._every(lambda cursor: _calls.audit_reviews(status, frequency, page_size, cursor))

    def iter_audit_review_tasks(self, review_id: str, *, page_size: int | None = None) -> AsyncIterator[ReviewedTask]:
        """Every run a review covers, oldest first, page after page (see :meth:`audit_review_tasks`).

        Example:
            >>> async for run in auditor.iter_audit_review_tasks(review.id):  # doctest: +SKIP
            ...     print(run.task_id, run.status)
        """
        return self._every(lambda cursor: _calls.audit_review_tasks(review_id, page_size, cursor))

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
