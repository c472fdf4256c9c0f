"""Approver metrics (``GET /audit/approvers``, against rubber-stamping) through both clients, against a real server.

The suite's server is shared by every test, so each test decides as an approver of its own (a unique
DID and role) and looks for that approver in the report instead of counting everyone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from human_sdk import ApproverMetrics, BadRequestError, PermissionDeniedError

from conftest import Actors, Server


async def test_one_decision_shows_that_approver_with_one(
    server: Server, actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    r = role('finance')
    a = actors(r, 'auditor')
    task = await a.agent.create_task('Pay invoice 7', human_in_loop={'approver_role': r})
    assert task.approval_request is not None
    since = (await a.agent.get_task(task.id)).created_at
    assert since is not None
    await a.human(r).approve(task.approval_request.id, approval_reason='invoice checked')

    report = await a.human('auditor').approver_metrics(since=since)
    assert isinstance(report, ApproverMetrics) and report.since == since and report.truncated is False
    mine = [x for x in report.approvers if x.principal == a.did(r)]
    assert len(mine) == 1
    assert (mine[0].decisions, mine[0].approved, mine[0].rejected) == (1, 1, 0)
    assert [(x.role, x.decisions) for x in report.roles if x.role == r] == [(r, 1)]
    # Default window (the last 30 days) holds it too.
    assert [
        x.decisions for x in (await a.human('auditor').approver_metrics()).approvers if x.principal == a.did(r)
    ] == [1]

    with pytest.raises(PermissionDeniedError) as refused:
        await a.agent.approver_metrics()
    assert refused.value.code == 'forbidden' and refused.value.status == 403
    with pytest.raises(BadRequestError) as bad:
        await a.human('auditor').approver_metrics(since=report.until, until=since)
    assert bad.value.code == 'validation_failed'


def test_blocking_client(server: Server, role: Callable[[str], str]) -> None:
    r = role('ops')
    _, agent_token = server.principal('agent', [])
    approver, approver_token = server.principal('human', [r], name='ops')
    _, auditor_token = server.principal('human', ['auditor'], name='audra')
    with (
        server.sync_client(agent_token) as agent,
        server.sync_client(approver_token) as human,
        server.sync_client(auditor_token) as auditor,
    ):
        task = agent.create_task('Restart the cache', human_in_loop={'approver_role': r})
        assert task.approval_request is not None
        human.reject(task.approval_request.id, rejection_reason='not during peak hours')
        report = auditor.approver_metrics()
        mine = [x for x in report.approvers if x.principal == approver]
        assert [(x.decisions, x.approved, x.rejected) for x in mine] == [(1, 0, 1)]
