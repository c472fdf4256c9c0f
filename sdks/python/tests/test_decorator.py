"""@require_approval gates a real function: approve, approve with edits, reject (return or raise)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from human_sdk import (
    ApprovalRejectedError,
    ApprovalRequest,
    AsyncHumanOSClient,
    HumanOSClient,
    Proposal,
    ToolCall,
    require_approval,
)

from conftest import Server, eventually


class Approver:
    """A human that decides the next gate of its role from a thread, as a person in the inbox would."""

    def __init__(self, server: Server, role: str) -> None:
        self.did, token = server.principal('human', [role], name='reviewer')
        self.client = server.sync_client(token)
        self.seen: list[ApprovalRequest] = []

    def decide_next(self, verdict: str, **body: Any) -> threading.Thread:
        def run() -> None:
            import time

            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                items = self.client.inbox().items
                if items:
                    gate = self.client.get_approval(items[0].id)
                    self.seen.append(gate)
                    if verdict == 'approve':
                        self.client.approve(gate.id, **body)
                    else:
                        self.client.reject(gate.id, **body)
                    return
                time.sleep(0.05)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


def test_sync_function_runs_only_after_approval_with_edited_arguments(
    server: Server, role: Callable[[str], str]
) -> None:
    r = role('comms_lead')
    approver = Approver(server, r)
    _, agent_token = server.principal('agent', [])
    sent: list[tuple[str, str]] = []

    def why(call: ToolCall) -> Proposal:
        return Proposal(reasoning=f'the customer asked for {call.arguments["subject"]}', confidence=0.82)

    with HumanOSClient(server.url, agent_token) as agent:

        @require_approval(client=agent, approver_role=r, proposal=why)
        def send_email(to: str, subject: str, *, urgent: bool = False) -> str:
            sent.append((to, subject))
            return f'sent {subject!r} to {to}'

        t = approver.decide_next('approve', approval_reason='fine')
        assert send_email('a@example.com', 'Q4 report') == "sent 'Q4 report' to a@example.com"
        t.join()
        gate = approver.seen[0]
        assert gate.payload == {
            'function': 'send_email',
            'arguments': {'to': 'a@example.com', 'subject': 'Q4 report', 'urgent': False},
        }
        assert gate.ai_proposal.confidence == 0.82
        assert gate.ai_proposal.reasoning == 'the customer asked for Q4 report'
        assert gate.ai_proposal.action == 'send_email(to="a@example.com", subject="Q4 report", urgent=false)'

        t = approver.decide_next('approve', approval_reason='fix', edits={'arguments': {'subject': 'Q4 review'}})
        assert send_email('b@example.com', 'typo') == "sent 'Q4 review' to b@example.com"
        t.join()
        assert sent == [('a@example.com', 'Q4 report'), ('b@example.com', 'Q4 review')]
        task = agent.get_task(approver.seen[1].task_id)
        assert task.status == 'completed' and task.result == "sent 'Q4 review' to b@example.com"

        t = approver.decide_next('reject', rejection_reason='do not email this customer')
        message = send_email('c@example.com', 'spam')
        t.join()
        assert message == f'send_email was rejected by {approver.did}: do not email this customer'
        assert len(sent) == 2
    approver.client.close()


async def test_async_function_raises_on_reject_when_asked(server: Server, role: Callable[[str], str]) -> None:
    r = role('payments_lead')
    approver = Approver(server, r)
    _, agent_token = server.principal('agent', [])
    paid: list[int] = []
    async with AsyncHumanOSClient(server.url, agent_token) as agent:

        @require_approval(client=agent, approver_role=r, on_reject='raise', confidence=0.4)
        async def pay(amount: int, vendor: str) -> dict[str, Any]:
            paid.append(amount)
            await asyncio.sleep(0)
            return {'paid': amount, 'vendor': vendor}

        t = approver.decide_next('approve', approval_reason='ok', edits={'arguments': {'amount': 900}})
        assert await pay(1000, 'ACME') == {'paid': 900, 'vendor': 'ACME'}
        await asyncio.to_thread(t.join)

        t = approver.decide_next('reject', rejection_reason='duplicate invoice')
        with pytest.raises(ApprovalRejectedError) as err:
            await pay(5000, 'ACME')
        await asyncio.to_thread(t.join)
        assert err.value.reason == 'duplicate invoice' and err.value.code == 'rejected'
        assert err.value.approval is not None and err.value.approval.rejected_by == approver.did
        assert paid == [900]

        # No decision in time: the task is withdrawn and the call treated as rejected.
        with pytest.raises(ApprovalRejectedError) as late:
            await require_approval(client=agent, approver_role=r, on_reject='raise', timeout=0.3)(pay)(1, 'X')
        assert late.value.code == 'timed_out'
        assert late.value.approval is not None
        assert (await agent.get_task(late.value.approval.task_id)).status == 'cancelled'
        assert paid == [900]
    approver.client.close()


async def test_arguments_without_json_form_are_refused_before_anything_is_created(server: Server) -> None:
    _, agent_token = server.principal('agent', [])
    async with AsyncHumanOSClient(server.url, agent_token) as agent:

        @require_approval(client=agent)
        async def f(x: object) -> None:
            return None

        with pytest.raises(TypeError, match='no JSON form'):
            await f(object())
        assert (await agent.list_tasks()).items == []
        await eventually(lambda: asyncio.sleep(0, True))
