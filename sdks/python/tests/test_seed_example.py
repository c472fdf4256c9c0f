"""The seed's Python example (examples/seed_email.py), unchanged but for its two documented changes,
against a real server: a human approves, approves with edits, or rejects; a worker sends the email."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from human_sdk import ApprovalRequest, AsyncHumanOSClient, HumanOS, Task

import email_worker
import seed_email
from conftest import Server, eventually


@pytest.fixture
async def seed_env(server: Server) -> AsyncIterator[dict[str, Any]]:
    """HumanOS configured as the example expects (an agent's key), an approver, and a running worker."""
    _, agent_token = server.principal('agent', [])
    HumanOS.configure(server.url, agent_token)
    approver_did, approver_token = server.principal('human', ['communications_lead'], name='comms-lead')
    _, worker_token = server.principal('agent', ['executor'], name='mailer')
    approver = server.async_client(approver_token)
    worker_client = server.async_client(worker_token)
    worker = email_worker.make_worker(worker_client, poll_interval=0.1, concurrency=2)
    worker.start()
    try:
        yield {'approver': approver, 'approver_did': approver_did}
    finally:
        await worker.stop()
        await worker_client.aclose()
        await approver.aclose()
        await HumanOS.client().aclose()
        HumanOS.configure()


def _draft() -> tuple[dict[str, Any], str]:
    recipient = f'client-{uuid.uuid4().hex[:8]}@example.com'
    return {'to': recipient, 'subject': 'Q4 Performance Review', 'body': 'AI-generated email content...'}, recipient


async def _gate_for(approver: AsyncHumanOSClient, recipient: str) -> ApprovalRequest:
    async def find() -> ApprovalRequest | None:
        for req in (await approver.inbox(limit=200)).items:
            if req.task.get('description') == f'Send email to {recipient}':
                return req
        return None

    gate = await eventually(find)
    assert isinstance(gate, ApprovalRequest)
    return gate


async def test_approved_email_is_sent_by_the_worker(
    seed_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    draft, recipient = _draft()
    run = asyncio.ensure_future(seed_email.process_email_with_approval(dict(draft), recipient))
    gate = await _gate_for(seed_env['approver'], recipient)
    decision = await seed_env['approver'].approve(gate.id, approval_reason='Tone and facts checked')
    assert decision.status == 'approved'
    assert decision.provenance is not None and decision.provenance.approval_signature.startswith('0x')

    result = await asyncio.wait_for(run, 30)
    assert isinstance(result, Task)
    assert result.status == 'completed'
    assert result.result['to'] == recipient
    assert result.result['subject'] == draft['subject']
    assert any(m['to'] == recipient for m in email_worker.outbox)
    out = capsys.readouterr().out
    assert f'To: {recipient}' in out
    assert 'Subject: Q4 Performance Review' in out
    assert f'Email approved by {seed_env["approver_did"]}' in out


async def test_edited_email_sends_the_edits(seed_env: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    draft, recipient = _draft()
    run = asyncio.ensure_future(seed_email.process_email_with_approval(dict(draft), recipient))
    gate = await _gate_for(seed_env['approver'], recipient)
    edits = {'subject': 'Your Q4 review', 'body': 'Dear client, here is your Q4 review.'}
    await seed_env['approver'].approve(gate.id, approval_reason='Softer subject', edits=edits)

    result = await asyncio.wait_for(run, 30)
    assert isinstance(result, Task)
    assert result.status == 'completed'
    assert result.result['subject'] == 'Your Q4 review'
    assert result.result['body'] == 'Dear client, here is your Q4 review.'
    assert result.approved_payload == {**draft, **edits}
    sent = [m for m in email_worker.outbox if m['to'] == recipient]
    assert sent and sent[-1]['subject'] == 'Your Q4 review'
    assert 'Human made 2 edits' in capsys.readouterr().out


async def test_rejected_email_is_never_sent(seed_env: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    draft, recipient = _draft()
    run = asyncio.ensure_future(seed_email.process_email_with_approval(dict(draft), recipient))
    gate = await _gate_for(seed_env['approver'], recipient)
    await seed_env['approver'].reject(gate.id, rejection_reason='Wrong recipient list')

    assert await asyncio.wait_for(run, 30) is None
    out = capsys.readouterr().out
    assert f'Email rejected by {seed_env["approver_did"]}' in out
    assert 'Reason: Wrong recipient list' in out
    assert not any(m['to'] == recipient for m in email_worker.outbox)
    # The task stays rejected: nothing executed it.
    assert (await seed_env['approver'].get_task(gate.task_id)).status == 'rejected'
