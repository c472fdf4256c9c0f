"""Request changes → revise → re-approval, and approving an alternative (issue 26), against a real server.

The approver answers with feedback instead of a verdict; the agent's ``wait_for_approval`` returns
``changes_requested=True`` with the feedback; the agent revises with ``revise_task``; the approver's
view of the earlier version decides nothing any more; the revision is approved and what executes is
the revision. An approved alternative's payload is what executes, and the agent learns which one.
Both clients (async and sync) are exercised.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from human_sdk import HumanOSError, StalePayloadError

from conftest import Server


async def test_async_changes_requested_revise_reapprove_execute(server: Server, role: Callable[[str], str]) -> None:
    r = role('comms_lead')
    _, agent_t = server.principal('agent', [])
    lead_did, lead_t = server.principal('human', [r], name='lead')
    async with server.async_client(agent_t) as agent, server.async_client(lead_t) as lead:
        task = await agent.create_task(
            f'Send the Q4 email {uuid.uuid4().hex[:6]}',
            human_in_loop={'approver_role': r},
            payload={'to': 'client@example.com', 'body': 'Draft 1'},
        )
        assert task.approval_request is not None
        view = await lead.get_approval(task.approval_request.id)
        asked = await lead.request_changes(view, feedback='Mention the renewal date')
        assert asked.task_status == 'changes_requested'
        assert asked.version == 1

        first = await agent.wait_for_approval(task.task_id, timeout=5)
        assert first.changes_requested is True
        assert first.approved is False
        assert first.feedback == 'Mention the renewal date'
        assert first.changes_requested_by == lead_did

        revised = await agent.revise_task(
            task.task_id, payload={'to': 'client@example.com', 'body': 'Draft 2: renewal on 1 March'}
        )
        assert revised.version == 2
        assert revised.diff == [{'path': '/body', 'from': 'Draft 1', 'to': 'Draft 2: renewal on 1 March'}]
        with pytest.raises(HumanOSError) as old:
            await lead.approve(view, approval_reason='ok')
        assert old.value.code == 'already_decided'

        assert revised.approval_request is not None
        again = await lead.get_approval(revised.approval_request.id)
        await lead.approve(again, approval_reason='good now')
        second = await agent.wait_for_approval(task.task_id, timeout=5)
        assert second.approved is True
        assert second.changes_requested is False
        assert second.version == 2

        ran: list[Any] = []

        def handler(payload: dict[str, Any], ctx: Any) -> dict[str, bool]:
            ran.append(payload)
            return {'sent': True}

        await agent.execute_task(task.task_id, handler=handler)
        assert ran == [{'to': 'client@example.com', 'body': 'Draft 2: renewal on 1 March'}]


def test_sync_stale_request_changes_and_hostile_revise(server: Server, role: Callable[[str], str]) -> None:
    r = role('comms_lead')
    _, agent_t = server.principal('agent', [])
    _, other_t = server.principal('agent', [])
    _, lead_t = server.principal('human', [r], name='lead')
    with server.sync_client(agent_t) as agent, server.sync_client(lead_t) as lead, server.sync_client(other_t) as other:
        task = agent.create_task(
            f'Post the update {uuid.uuid4().hex[:6]}', human_in_loop={'approver_role': r}, payload={'text': 'v1'}
        )
        assert task.approval_request is not None
        gate = task.approval_request.id
        with pytest.raises(StalePayloadError):
            lead.request_changes(gate, feedback='shorter', payload_digest='sha256:' + '1' * 64)
        with pytest.raises(HumanOSError) as early:
            agent.revise_task(task.task_id, payload={'text': 'v2'})
        assert early.value.code == 'invalid_state'
        lead.request_changes(lead.get_approval(gate), feedback='shorter')
        with pytest.raises(HumanOSError) as foreign:
            other.revise_task(task.task_id, payload={'text': 'mine'})
        assert foreign.value.status == 404
        assert agent.revise_task(task.task_id, payload={'text': 'v2'}).status == 'awaiting_approval'


def test_sync_approve_an_alternative(server: Server, role: Callable[[str], str]) -> None:
    r = role('dba_lead')
    _, agent_t = server.principal('agent', [])
    _, lead_t = server.principal('human', [r], name='dba')
    with server.sync_client(agent_t) as agent, server.sync_client(lead_t) as lead:
        task = agent.create_task(
            f'Delete backup {uuid.uuid4().hex[:6]}',
            human_in_loop={'approver_role': r},
            payload={'backupId': 'b-7', 'action': 'delete'},
            ai_proposal={
                'alternatives': ['Archive to cold storage instead'],
                'alternative_payloads': [{'backupId': 'b-7', 'action': 'archive'}],
            },
        )
        assert task.approval_request is not None
        with pytest.raises(HumanOSError) as bad:
            lead.approve(lead.get_approval(task.approval_request.id), approval_reason='x', alternative=3)
        assert bad.value.code == 'invalid_alternative'
        lead.approve(lead.get_approval(task.approval_request.id), approval_reason='archive it', alternative=0)
        outcome = agent.wait_for_approval(task.task_id)
        assert outcome.alternative is not None
        assert (outcome.alternative.index, outcome.alternative.action) == (0, 'Archive to cold storage instead')
        execution = agent.start_execution(task.task_id)
        assert execution.payload == {'backupId': 'b-7', 'action': 'archive'}
