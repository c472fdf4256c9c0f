"""Auto-paging iterators against the real server: ``iter_tasks`` and ``iter_inbox`` on both clients
yield every item across pages, fetch a page only when the loop reaches it, and stop when it breaks.
(``iter_audit_reviews`` / ``iter_audit_review_tasks``: test_audit_reviews.py.)"""

from __future__ import annotations

import httpx

from human_sdk import AsyncHumanOSClient, HumanOSClient

from conftest import Server, unique


class Counting(httpx.HTTPTransport):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path, self.gets = path, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.gets += request.method == 'GET' and request.url.path == self.path
        return super().handle_request(request)


class AsyncCounting(httpx.AsyncHTTPTransport):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path, self.gets = path, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.gets += request.method == 'GET' and request.url.path == self.path
        return await super().handle_async_request(request)


def five_tasks(server: Server) -> tuple[str, str, list[str]]:
    """An agent with five tasks awaiting a fresh role; returns the agent's and the approver's tokens."""
    role = unique('pager')
    _, agent_token = server.principal('agent', [])
    _, approver_token = server.principal('human', [role])
    with HumanOSClient(server.url, agent_token) as agent:
        ids = [agent.create_task(f'page {n}', human_in_loop={'approver_role': role}).id for n in range(5)]
    return agent_token, approver_token, ids


def test_sync_iterators(server: Server) -> None:
    agent_token, approver_token, ids = five_tasks(server)
    counting = Counting('/v1/humanos/tasks')
    with HumanOSClient(server.url, agent_token, transport=counting) as agent:
        got = [t.task_id for t in agent.iter_tasks(page_size=2)]
        assert sorted(got) == sorted(ids)
        assert counting.gets == 3
        counting.gets = 0
        for n, _ in enumerate(agent.iter_tasks(page_size=2), 1):
            if n == 3:
                break
        assert counting.gets == 2
    with HumanOSClient(server.url, approver_token) as approver:
        assert sorted(g.task_id for g in approver.iter_inbox(page_size=2)) == sorted(ids)


async def test_async_iterators(server: Server) -> None:
    agent_token, approver_token, ids = five_tasks(server)
    counting = AsyncCounting('/v1/humanos/tasks')
    async with AsyncHumanOSClient(server.url, agent_token, transport=counting) as agent:
        got = [t.task_id async for t in agent.iter_tasks(page_size=2)]
        assert sorted(got) == sorted(ids)
        assert counting.gets == 3
    async with AsyncHumanOSClient(server.url, approver_token) as approver:
        assert sorted([g.task_id async for g in approver.iter_inbox(page_size=2)]) == sorted(ids)
