"""Chains, quorums, the confidence pause, override, feedback and cancel — through the Python API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from human_sdk import (
    ApprovalRequest,
    AsyncExecutionContext,
    HandlerRequiredError,
    PayloadMismatchError,
    TaskOverriddenError,
)

from conftest import Actors, Server, eventually


async def test_sequential_chain_announces_each_step(actors: Callable[..., Actors], role: Callable[[str], str]) -> None:
    analyst, manager = role('finance_analyst'), role('finance_manager')
    a = actors(analyst, manager)
    task = await a.agent.create_task(
        'Wire transfer $50,000 to vendor',
        payload={'amount': 50000, 'to': 'ACME'},
        approval_chain=[{'role': analyst, 'reason': 'Verify invoice'}, {'role': manager, 'reason': 'Budget'}],
    )
    assert task.approval_chain is not None and len(task.approval_chain) == 2
    seen: list[ApprovalRequest] = []
    waiting = asyncio.ensure_future(a.agent.wait_for_approval(task.id, on_approval_request=seen.append))

    await eventually(lambda: asyncio.sleep(0, len(seen) == 1))
    assert seen[0].approver_role == analyst and seen[0].payload == {'amount': 50000, 'to': 'ACME'}
    await a.human(analyst).approve(seen[0].id, approval_reason='invoice matches')
    await eventually(lambda: asyncio.sleep(0, len(seen) == 2))
    assert seen[1].approver_role == manager
    await a.human(manager).approve(seen[1].id, approval_reason='within budget')

    approval = await asyncio.wait_for(waiting, 15)
    assert approval.approved and approval.decided and not approval.timed_out
    assert approval.approvers == [a.did(analyst), a.did(manager)]
    assert approval.approved_by == a.did(manager)


async def test_a_gate_decided_before_the_wait_looks_is_still_announced(
    actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    # The race behind a flaky seed-example run: the human decided before wait_for_approval first read
    # the decision, whose answer then names no gate. The callback still hears of it, once, with the
    # payload it was asked about.
    lead = role('comms_lead')
    a = actors(lead)
    hitl = {'approver_role': lead}
    task = await a.agent.create_task('Send the Q4 email', payload={'to': 'a@b.c'}, human_in_loop=hitl)
    assert task.approval_request is not None
    await a.human(lead).approve(task.approval_request.id, approval_reason='fine')
    seen: list[ApprovalRequest] = []
    approval = await a.agent.wait_for_approval(task.id, on_approval_request=seen.append)
    assert approval.approved
    assert [(g.id, g.payload) for g in seen] == [(task.approval_request.id, {'to': 'a@b.c'})]


async def test_quorum_needs_two_and_any_reject_vetoes(
    actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    senior, lead = role('senior_engineer'), role('tech_lead')
    a = actors(senior, lead)
    policy = {'type': 'threshold', 'required': 2, 'eligible': [senior, lead], 'timeout': 7200}
    task = await a.agent.create_task('Merge PR to production branch', approval_policy=policy)
    gate = task.approval_request
    assert gate is not None and gate.required == 2
    await a.human(senior).approve(gate.id, approval_reason='LGTM')
    mid = await a.agent.wait_for_approval(task.id, timeout=0.3)
    assert not mid.decided and mid.timed_out and not mid.approved
    await a.human(lead).approve(gate.id, approval_reason='LGTM too')
    done = await a.agent.wait_for_approval(task.id, timeout=10)
    assert done.approved and sorted(done.approvers) == sorted([a.did(senior), a.did(lead)])

    vetoed = await a.agent.create_task('Merge another PR', approval_policy=policy)
    assert vetoed.approval_request is not None
    await a.human(senior).approve(vetoed.approval_request.id, approval_reason='fine')
    await a.human(lead).reject(vetoed.approval_request.id, rejection_reason='breaks the API')
    outcome = await a.agent.wait_for_approval(vetoed.id, timeout=10)
    assert outcome.decided and not outcome.approved
    assert outcome.rejected_by == a.did(lead) and outcome.rejection_reason == 'breaks the API'


async def test_confidence_pause_waits_for_review_then_completes(
    actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver, reviewer = role('cs_manager'), role('customer_success_lead')
    a = actors(approver, reviewer)
    task = await a.agent.create_task(
        'Analyze customer sentiment from support tickets',
        human_in_loop={'approver_role': approver},
        auto_escalation={
            'enabled': True,
            'confidence_threshold': 0.7,
            'escalate_to': reviewer,
            'escalation_message': 'AI confidence dropped below threshold - human review needed',
        },
        payload={'tickets': 120},
    )
    assert task.approval_request is not None
    await a.human(approver).approve(task.approval_request.id, approval_reason='go')
    assert (await a.agent.wait_for_approval(task.id, timeout=10)).approved

    steps: list[str] = []

    async def handler(payload: dict[str, Any], ctx: AsyncExecutionContext) -> dict[str, Any]:
        steps.append('start')
        await ctx.report(confidence=0.65, progress='ambiguous tickets')  # pauses until the review
        steps.append('resumed')
        return {'sentiment': 'mixed', 'tickets': payload['tickets']}

    run = asyncio.ensure_future(a.agent.execute_task(task.id, handler=handler, lease_seconds=10))

    async def paused() -> ApprovalRequest | None:
        t = await a.agent.get_task(task.id)
        reviews = [g for g in t.approvals if g.kind == 'review' and g.status == 'pending']
        return reviews[0] if t.status == 'paused' and reviews else None

    review = await eventually(paused)
    assert isinstance(review, ApprovalRequest)
    assert review.reason == 'AI confidence dropped below threshold - human review needed'
    assert steps == ['start']
    await a.human(reviewer).approve(review.id, approval_reason='checked a sample; continue')
    done = await asyncio.wait_for(run, 20)
    assert done.status == 'completed' and done.result == {'sentiment': 'mixed', 'tickets': 120}
    assert steps == ['start', 'resumed']


async def test_override_cancels_the_handler_and_the_human_completes(
    actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver = role('ops_lead')
    a = actors(approver)
    task = await a.agent.create_task('Rotate production certificates', human_in_loop={'approver_role': approver})
    assert task.approval_request is not None
    await a.human(approver).approve(task.approval_request.id, approval_reason='go')
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(payload: dict[str, Any], ctx: AsyncExecutionContext) -> str:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 'not reached'

    run = asyncio.ensure_future(a.agent.execute_task(task.id, handler=handler, lease_seconds=5))
    await asyncio.wait_for(started.wait(), 10)
    human = a.human(approver)
    current = await human.get_task(task.id)
    assert current.status == 'executing'
    await human.override_task(
        task.id, reason='AI confidence too low, switching to manual execution', continue_execution=False
    )
    with pytest.raises(TaskOverriddenError) as err:
        await asyncio.wait_for(run, 15)
    assert err.value.code == 'task_overridden' and err.value.status == 409
    assert cancelled.is_set()
    finished = await human.complete_task(task.id, {'rotated': 3, 'by': 'hand'})
    assert finished.status == 'completed' and finished.overridden_by == a.did(approver)

    feedback = await human.provide_feedback(
        task.id, quality='good', correctness=True, comments='handled', improvements=['say which certs']
    )
    assert feedback['quality'] == 'good'


async def test_execute_without_handler_refuses_what_no_worker_can_run(
    actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver = role('dba_lead')
    a = actors(approver)
    task = await a.agent.create_task(
        'Delete backup', human_in_loop={'approver_role': approver}, payload={'backupId': 'b-1'}
    )
    assert task.approval_request is not None
    await a.human(approver).approve(task.approval_request.id, approval_reason='ok')
    with pytest.raises(PayloadMismatchError):
        await a.agent.execute_task(task.id, payload={'backupId': 'b-2'})
    with pytest.raises(HandlerRequiredError):
        await a.agent.execute_task(task.id)
    # The server refuses a different payload too, and runs the approved one.
    with pytest.raises(PayloadMismatchError) as err:
        await a.agent.execute_task(task.id, payload={'backupId': 'b-2'}, handler=lambda p, ctx: None)
    assert err.value.problem is not None and err.value.problem['code'] == 'payload_mismatch'
    done = await a.agent.execute_task(task.id, payload={'backupId': 'b-1'}, handler=lambda p, ctx: {'deleted': p})
    assert done.status == 'completed' and done.result == {'deleted': {'backupId': 'b-1'}}


async def test_execute_waits_for_a_worker_with_timeout(
    server: Server, actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver, cap = role('release_manager'), role('deploy')
    a = actors(approver)
    task = await a.agent.create_task(
        'Deploy billing to production', required_capabilities=[cap], human_in_loop={'approver_role': approver}
    )
    assert task.approval_request is not None
    await a.human(approver).approve(task.approval_request.id, approval_reason='ship it')
    # No worker yet: the bounded wait returns the task as it is, without raising.
    pending = await a.agent.execute_task(task.id, timeout=0.5)
    assert pending.status == 'approved'

    _, worker_token = server.principal('agent', ['executor'], capabilities=[cap])
    from human_sdk import Worker

    async with server.async_client(worker_token) as wc:
        worker = Worker(wc, capabilities=[cap], handler=lambda p, ctx: {'deployed': True}, poll_interval=0.1)
        async with worker:
            done = await asyncio.wait_for(a.agent.execute_task(task.id, timeout=20), 25)
    assert done.status == 'completed' and done.result == {'deployed': True}


async def test_cancel_withdraws_and_wait_sees_it(actors: Callable[..., Actors], role: Callable[[str], str]) -> None:
    approver = role('comms_lead')
    a = actors(approver)
    task = await a.agent.create_task('Post the announcement', human_in_loop={'approver_role': approver})
    waiting = asyncio.ensure_future(a.agent.wait_for_approval(task.id))
    cancelled = await a.agent.cancel_task(task.id, reason='the customer withdrew the order')
    assert cancelled.status == 'cancelled'
    outcome = await asyncio.wait_for(waiting, 10)
    assert outcome.decided and outcome.cancelled and not outcome.approved
    assert (await a.human(approver).inbox()).items == []
