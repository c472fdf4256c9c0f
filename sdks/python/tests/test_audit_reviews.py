"""Periodic audit reviews through both clients, against a real server.

A review opens only once its UTC period has ended. The suite's server runs its review sweeper a day
ahead (``HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS`` in test mode, see test-support/sdk-suites.ts), so the
``daily`` unattended runs a test creates today are reviewed within a sweep (100 ms). Runs of other
tests on the same day join the same review (a run that arrives for a completed review reopens it),
so the tests look for their own runs in a review instead of counting exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from human_sdk import (
    AsyncHumanOSClient,
    AuditReview,
    BadRequestError,
    ConflictError,
    HumanOSClient,
    PermissionDeniedError,
)

from conftest import Actors, Server, eventually


async def unattended_today(agent: AsyncHumanOSClient, n: int) -> tuple[list[str], str]:
    """``n`` unattended daily runs created on one UTC day, and that day (a batch astride midnight is redone)."""
    for _ in range(3):
        ids = [
            (
                await agent.create_task(
                    f'Nightly cleanup {i}', human_in_loop={'enabled': False}, audit_frequency='daily'
                )
            ).id
            for i in range(n)
        ]
        days = {((await agent.get_task(task_id)).created_at or '')[:10] for task_id in ids}
        if len(days) == 1:
            return ids, days.pop()
    raise AssertionError('three batches astride midnight')


async def covered(client: AsyncHumanOSClient, review_id: str, limit: int = 2) -> list[str]:
    """Every run the review covers, through the auto-paging iterator (``limit`` per page)."""
    return [t.task_id async for t in client.iter_audit_review_tasks(review_id, page_size=limit)]


async def open_review_covering(auditor: AsyncHumanOSClient, ids: list[str]) -> AuditReview:
    async def find() -> AuditReview | None:
        async for review in auditor.iter_audit_reviews(status='open', frequency='daily', page_size=20):
            if set(ids) <= set(await covered(auditor, review.id, limit=50)):
                # Read again: the listed row may predate runs the sweeper added while we paged.
                return await auditor.get_audit_review(review.id)
        return None

    found = await eventually(find)
    assert isinstance(found, AuditReview)
    return found


async def test_list_read_page_and_complete_a_review(server: Server, actors: Callable[..., Actors]) -> None:
    a = actors('auditor')
    auditor = a.human('auditor')
    ids, day = await unattended_today(a.agent, 3)
    unreviewed = await a.agent.create_task('Tag tickets', human_in_loop={'enabled': False})  # no audit_frequency

    review = await open_review_covering(auditor, ids)
    assert review.frequency == 'daily' and review.status == 'open' and review.auditor_role == 'auditor'
    assert review.period_start.startswith(f'{day}T00:00:00') and review.period_end > review.period_start
    assert review.task_count >= 3 and sum(review.status_counts.values()) == review.task_count
    assert review.completed_at is None and review.outcome is None and review.flagged_task_ids == []
    assert review.ledger_index >= 0 and review.completed_ledger_index is None

    # Read: the same review; its sample is runs it covers, each with why it was picked.
    assert await auditor.get_audit_review(review.id) == review
    runs = await covered(auditor, review.id)
    assert set(ids) <= set(runs) and len(runs) == len(set(runs)) == review.task_count
    assert unreviewed.id not in runs
    assert review.sample and {s.task_id for s in review.sample} <= set(runs)
    assert all(s.reason in ('failed', 'high_risk', 'random') and s.requester for s in review.sample)

    # Pages of runs, oldest first.
    first = await auditor.audit_review_tasks(review.id, limit=2)
    assert len(first.items) == 2 and first.next_cursor is not None
    created = [t.created_at or '' for t in first.items]
    assert created == sorted(created)

    # Filters.
    assert review.id in [r.id for r in (await auditor.audit_reviews(frequency='daily')).items]
    assert review.id not in [r.id for r in (await auditor.audit_reviews(frequency='weekly')).items]
    assert review.id not in [r.id for r in (await auditor.audit_reviews(status='completed', limit=200)).items]
    one = await auditor.audit_reviews(limit=1)
    assert len(one.items) == 1

    # Who may: an agent reads nothing; an agent holding the auditor role reads, but never signs off.
    with pytest.raises(PermissionDeniedError) as refused:
        await a.agent.audit_reviews()
    assert refused.value.code == 'forbidden' and refused.value.status == 403
    with pytest.raises(PermissionDeniedError):
        await a.agent.get_audit_review(review.id)
    _, bot_token = server.principal('agent', ['auditor'], name='audit-bot')
    async with server.async_client(bot_token) as bot:
        assert (await bot.get_audit_review(review.id)).id == review.id
        with pytest.raises(PermissionDeniedError) as agent_signs:
            await bot.complete_audit_review(review.id, outcome='no_issues', findings='looks fine to me')
        assert agent_signs.value.code == 'forbidden'

    # Flagged runs must be runs of this review.
    with pytest.raises(BadRequestError) as stray:
        await auditor.complete_audit_review(
            review.id, outcome='issues_found', findings='wrong run', flagged_task_ids=[unreviewed.id]
        )
    assert stray.value.code == 'validation_failed'
    assert (await auditor.get_audit_review(review.id)).status == 'open'

    done = await auditor.complete_audit_review(
        review.id, outcome='issues_found', findings='cleanup 1 deleted more than it said', flagged_task_ids=[ids[1]]
    )
    assert done.id == review.id and done.status == 'completed' and done.outcome == 'issues_found'
    assert done.findings == 'cleanup 1 deleted more than it said' and done.flagged_task_ids == [ids[1]]
    assert done.completed_by == a.did('auditor') and done.completed_at is not None
    assert done.completed_ledger_index is not None and done.completed_ledger_index > done.ledger_index

    with pytest.raises(ConflictError) as again:
        await auditor.complete_audit_review(review.id, outcome='no_issues', findings='second look')
    assert again.value.code == 'already_decided' and again.value.status == 409
    assert review.id in [r.id for r in (await auditor.audit_reviews(status='completed', limit=200)).items]


def test_blocking_client(server: Server) -> None:
    _, agent_token = server.principal('agent', [])
    auditor_did, auditor_token = server.principal('human', ['auditor'], name='audra')
    with server.sync_client(agent_token) as agent, server.sync_client(auditor_token) as auditor:
        ids = _unattended_today(agent, 3)
        review = _open_review_covering(auditor, ids)
        assert review.status == 'open' and review.task_count >= 3
        assert auditor.get_audit_review(review.id).id == review.id
        first = auditor.audit_review_tasks(review.id, limit=1)
        assert len(first.items) == 1 and first.next_cursor is not None
        runs = [t.task_id for t in auditor.iter_audit_review_tasks(review.id, page_size=1)]
        assert set(ids) <= set(runs) and len(runs) == review.task_count

        with pytest.raises(PermissionDeniedError) as refused:
            agent.audit_review_tasks(review.id)
        assert refused.value.code == 'forbidden'

        done = auditor.complete_audit_review(review.id, outcome='no_issues', findings='three rotations, all fine')
        assert done.status == 'completed' and done.outcome == 'no_issues' and done.flagged_task_ids == []
        assert done.completed_by == auditor_did
        with pytest.raises(ConflictError) as again:
            auditor.complete_audit_review(review.id, outcome='no_issues', findings='again')
        assert again.value.code == 'already_decided'


def _unattended_today(agent: HumanOSClient, n: int) -> list[str]:
    for _ in range(3):
        tasks = [
            agent.create_task(f'Rotate logs {i}', human_in_loop={'enabled': False}, audit_frequency='daily')
            for i in range(n)
        ]
        if len({(agent.get_task(t.id).created_at or '')[:10] for t in tasks}) == 1:
            return [t.id for t in tasks]
    raise AssertionError('three batches astride midnight')


def _open_review_covering(auditor: HumanOSClient, ids: list[str]) -> AuditReview:
    deadline = time.monotonic() + 10
    while True:
        for review in auditor.audit_reviews(status='open', frequency='daily', limit=200).items:
            runs: list[str] = []
            cursor: str | None = None
            while True:
                page = auditor.audit_review_tasks(review.id, limit=200, cursor=cursor)
                runs += [t.task_id for t in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            if set(ids) <= set(runs):
                # Read again: the listed row may predate runs the sweeper added while we paged.
                return auditor.get_audit_review(review.id)
        if time.monotonic() > deadline:
            raise AssertionError(f'no open daily review covers {ids}')
        time.sleep(0.1)
