"""Delegation and out-of-office through both clients, against a real server (issue 26).

A human delegates to another; the delegate sees the request in the inbox "on behalf of" the delegator
and approves it; the signed decision names both; refusals carry stable codes; the delegation is
changed and ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from human_sdk import BadRequestError, ConflictError, Delegation, HumanOSError

from conftest import Server, unique


def at(hours: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat().replace('+00:00', 'Z')


async def test_delegate_decides_on_behalf_async(server: Server) -> None:
    role = unique('finance').replace('-', '_')
    ann_did, ann_token = server.principal('human', [role], name='ann')
    bob_did, bob_token = server.principal('human', [], name='bob')
    _, agent_token = server.principal('agent', [], name='bot')
    async with (
        server.async_client(ann_token) as ann,
        server.async_client(bob_token) as bob,
        server.async_client(agent_token) as agent,
    ):
        d = await ann.create_delegation(bob_did, ends_at=at(1), out_of_office=True, message='away')
        assert isinstance(d, Delegation)
        assert (d.delegator, d.delegate, d.roles, d.state) == (ann_did, bob_did, [role], 'active')
        assert d.out_of_office is True
        assert [x.id for x in await bob.delegations(side='delegate')] == [d.id]

        task = await agent.create_task('Pay invoice 11', human_in_loop={'approverRole': role})
        gate = task.approval_request.id if task.approval_request else ''
        inbox = await bob.inbox()
        item = next(g for g in inbox.items if g.id == gate)
        assert item.on_behalf_of is not None
        assert item.on_behalf_of.delegator == ann_did
        result = await bob.approve(gate)
        assert result.status == 'approved'
        view = await ann.get_approval(gate)
        assert view.decisions[0].principal == bob_did
        assert view.decisions[0].on_behalf_of == ann_did

        changed = await ann.update_delegation(d.id, ends_at=at(2))
        assert changed.ends_at != d.ends_at
        ended = await bob.end_delegation(d.id, reason='back early')
        assert (ended.state, ended.end_reason) == ('ended', 'back early')
        with pytest.raises(ConflictError) as again:
            await ann.end_delegation(d.id)
        assert again.value.code == 'delegation_ended'


def test_refusals_have_stable_codes_sync(server: Server) -> None:
    role = unique('ops').replace('-', '_')
    ann_did, ann_token = server.principal('human', [role], name='ann')
    carl_did, _ = server.principal('human', [role], name='carl')
    agent_did, _ = server.principal('agent', [], name='bot')
    with server.sync_client(ann_token) as ann:
        for delegate, code in [
            (ann_did, 'delegation_to_self'),
            (agent_did, 'delegate_not_human'),
            (carl_did, 'delegate_holds_seat'),
        ]:
            with pytest.raises(HumanOSError) as e:
                ann.create_delegation(delegate, ends_at=at(1))
            assert e.value.code == code
        with pytest.raises(BadRequestError) as long:
            ann.create_delegation(carl_did, ends_at=at(24 * 31))
        assert long.value.code == 'delegation_too_long'
        assert ann.delegations(side='delegator') == []
