"""A decision counts only for the payload version its maker saw (issue 22), against a real server.

Ann reads a 2-of-N payment (IBAN DE…); Mal approves it with the IBAN changed to GB…; Ann's approval
of the view she read raises StalePayloadError (with the current payload and the diff) and changes
nothing; with the current digest it counts. Both clients (async and sync) are exercised.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
import pytest

from human_sdk import (
    ApprovalRequest,
    HumanOSClient,
    PayloadDigestRequiredError,
    StalePayloadError,
)

from conftest import Server

DE = 'DE89370400440532013000'
GB = 'GB33BUKB20201555555555'


def _people(server: Server, r: str) -> tuple[str, str, str, str]:
    """Tokens of an agent, Ann, Mal (all of role ``r``) and Ann's DID."""
    _, agent = server.principal('agent', [])
    ann_did, ann = server.principal('human', [r], name='ann')
    _, mal = server.principal('human', [r], name='mal')
    return agent, ann, mal, ann_did


def _payment(agent: HumanOSClient, r: str) -> str:
    task = agent.create_task(
        f'Pay supplier invoice {uuid.uuid4().hex[:6]}',
        approval_policy={'type': 'threshold', 'required': 2, 'eligible': [r]},
        payload={'iban': DE, 'amount': 5000},
    )
    assert task.approval_request is not None
    return task.approval_request.id


def _state(admin: HumanOSClient, gate_id: str) -> ApprovalRequest:
    return admin.get_approval(gate_id)


async def test_async_stale_view_raises_and_changes_nothing_then_current_counts(
    server: Server, role: Callable[[str], str]
) -> None:
    r = role('treasury')
    agent_t, ann_t, mal_t, ann_did = _people(server, r)
    with server.sync_client(agent_t) as agent:
        gate_id = _payment(agent, r)
    async with server.async_client(ann_t) as ann, server.async_client(mal_t) as mal:
        seen = await ann.get_approval(gate_id)
        assert seen.current_digest and seen.current_digest.startswith('sha256:')
        assert seen.payload['iban'] == DE
        edit = await mal.approve(await mal.get_approval(gate_id), approval_reason='moved banks', edits={'iban': GB})
        assert edit.status == 'pending'
        with server.admin() as admin:
            before = _state(admin, gate_id)
            with pytest.raises(StalePayloadError) as e:
                await ann.approve(seen, approval_reason='IBAN checked')
            after = _state(admin, gate_id)
        err = e.value
        assert err.code == 'stale_payload' and err.status == 409
        assert err.seen_digest == seen.current_digest
        assert err.current_digest == before.current_digest != seen.current_digest
        assert err.current_payload == {'iban': GB, 'amount': 5000}
        assert err.diff == [{'path': '/iban', 'from': DE, 'to': GB}]
        # Nothing was written: the gate is as it was, Ann has no decision.
        assert after.approvals == before.approvals == 1 and after.status == 'pending'
        assert [d.principal for d in after.decisions] == [d.principal for d in before.decisions]
        assert ann_did not in [d.principal for d in after.decisions]
        # With the digest of the version she has now been shown, it counts.
        ok = await ann.approve(gate_id, approval_reason='new IBAN confirmed', payload_digest=err.current_digest)
        assert ok.status == 'approved' and ok.payload_digest == err.current_digest
        with server.admin() as admin:
            done = _state(admin, gate_id)
        assert done.approvals == 2 and done.status == 'approved'


def test_sync_required_and_stale_reject_then_inbox_view_counts(server: Server, role: Callable[[str], str]) -> None:
    r = role('treasury')
    agent_t, ann_t, mal_t, _ = _people(server, r)
    with (
        server.sync_client(agent_t) as agent,
        server.sync_client(ann_t) as ann,
        server.sync_client(mal_t) as mal,
        server.admin() as admin,
    ):
        gate_id = _payment(agent, r)
        old = ann.get_approval(gate_id).current_digest
        # The payload's only version so far: no digest needed.
        mal.approve(gate_id, approval_reason='moved banks', edits={'iban': GB})
        before = _state(admin, gate_id)
        # By id, naming no version, once the payload was edited: refused, nothing written.
        with pytest.raises(PayloadDigestRequiredError) as req:
            ann.approve(gate_id, approval_reason='ok')
        assert req.value.code == 'payload_digest_required' and req.value.status == 428
        # A rejection of a version that is gone: refused too.
        with pytest.raises(StalePayloadError) as rej:
            ann.reject(gate_id, rejection_reason='wrong IBAN', payload_digest=old)
        assert rej.value.current_payload['iban'] == GB
        after = _state(admin, gate_id)
        assert after.approvals == before.approvals and after.status == before.status == 'pending'
        assert len(after.decisions) == len(before.decisions)
        # The inbox item is a view too: approving it sends the version it lists.
        item = next(i for i in ann.inbox().items if i.id == gate_id)
        assert item.current_digest == before.current_digest
        done = ann.approve(item, approval_reason='checked the new IBAN')
        assert done.status == 'approved' and done.payload_digest == before.current_digest


def test_view_digest_is_sent_and_stale_answer_is_typed_without_a_server() -> None:
    """The wire, with a mock transport: what approve/reject send, and how a 409 stale_payload reads."""
    sent: list[dict[str, object]] = []
    seen, now = 'sha256:' + 'a' * 64, 'sha256:' + 'b' * 64

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        if len(sent) < 3:
            return httpx.Response(200, json={'approvalId': 'g', 'status': 'approved', 'taskId': 't'})
        problem = {
            'type': 'urn:humanos:problem:stale_payload',
            'title': 'stale',
            'status': 409,
            'code': 'stale_payload',
            'detail': 'the payload changed',
            'seenDigest': seen,
            'currentDigest': now,
            'currentPayload': {'iban': GB},
            'diff': [{'path': '/iban', 'from': DE, 'to': GB}, {'path': '/memo', 'to': 'x'}],
        }
        return httpx.Response(409, json=problem, headers={'content-type': 'application/problem+json'})

    view = ApprovalRequest.model_validate(
        {'id': 'approval:human:x', 'taskId': 't', 'status': 'pending', 'currentDigest': seen}
    )
    with HumanOSClient('http://h.test', 'k', transport=httpx.MockTransport(answer), retries=0) as c:
        c.approve(view, approval_reason='ok')
        c.reject(view, rejection_reason='no', payload_digest=now)
        with pytest.raises(StalePayloadError) as e:
            c.approve('approval:human:x', payload_digest=seen)
    assert sent[0] == {'payloadDigest': seen, 'approvalReason': 'ok'}
    assert sent[1] == {'payloadDigest': now, 'rejectionReason': 'no'}
    assert sent[2] == {'payloadDigest': seen}
    assert (e.value.seen_digest, e.value.current_digest, e.value.current_payload) == (seen, now, {'iban': GB})
    assert e.value.diff == [{'path': '/iban', 'from': DE, 'to': GB}, {'path': '/memo', 'to': 'x'}]
