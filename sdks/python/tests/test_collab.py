"""Comments, claims and assignment (issue 26) through both Python clients, against a real server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from human_sdk import HumanOSError

from conftest import Server


async def test_async_comments_claims_assignment(server: Server, role: Callable[[str], str]) -> None:
    r = role('finance')
    _, agent_t = server.principal('agent', [])
    ann_did, ann_t = server.principal('human', [r], name='ann')
    bob_did, bob_t = server.principal('human', [r], name='bob')
    _, lead_t = server.principal('human', [r, 'approval_lead'], name='lead')
    with server.sync_client(agent_t) as agent:
        task = agent.create_task('Pay invoice 3', payload={'amount': 3}, human_in_loop={'approverRole': r})
    assert task.approval_request is not None
    gate = task.approval_request.id
    async with server.async_client(ann_t) as ann, server.async_client(bob_t) as bob:
        c = await ann.comment(gate, f'**ok** <b>x</b> @{bob_did}')
        assert c.author == ann_did and c.mentions == [bob_did]
        assert '&lt;b&gt;x&lt;/b&gt;' in (c.html or '')
        assert [x.id for x in await bob.comments(gate)] == [c.id]
        with pytest.raises(HumanOSError) as refused:
            await ann.comment(gate, '@did:human:nobody')
        assert refused.value.code == 'mention_not_allowed'
        assert (await ann.claim_approval(gate)).claimed_by == ann_did
        with pytest.raises(HumanOSError) as held:
            await bob.claim_approval(gate)
        assert held.value.code == 'claim_held'
        assert (await ann.release_claim(gate)).claimed_by is None
    with server.sync_client(lead_t) as lead, server.sync_client(ann_t) as ann_sync:
        with pytest.raises(HumanOSError) as not_lead:
            ann_sync.assign_approval(gate, bob_did)
        assert not_lead.value.code == 'lead_required'
        assert lead.assign_approval(gate, bob_did).assignee == bob_did
        assert ann_sync.comments(gate)[0].body == f'**ok** <b>x</b> @{bob_did}'
