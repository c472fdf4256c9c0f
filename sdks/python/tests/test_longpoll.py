"""No polling (issue 27): an idle Worker waits on the claim long-poll (one request per 30 s, however
long it idles), and ``execute_task`` without a handler waits on the task long-poll (two reads — the
check and one long-poll — however long the workers take). Requests are counted, as they start, by a
proxy in front of the server.
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from human_sdk import AsyncHumanOSClient, Worker

from conftest import Actors, Server

CLAIM = '/v1/humanos/executions/claim'


class CountingProxy:
    """Forwards every request to the server as is and records ``METHOD /path?query`` as it starts."""

    def __init__(self, target: str) -> None:
        self.seen: list[str] = []
        to = urlsplit(target)
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                seen.append(f'{self.command} {self.path}')
                length = int(self.headers.get('content-length') or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(to.hostname or '127.0.0.1', to.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != 'connection'}
                upstream.request(self.command, self.path, body=body, headers=headers)
                res = upstream.getresponse()
                data = res.read()
                self.send_response(res.status)
                for k, v in res.getheaders():
                    if k.lower() not in ('transfer-encoding', 'connection', 'content-length'):
                        self.send_header(k, v)
                self.send_header('content-length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requests(self, method: str, path: str) -> list[str]:
        """The recorded requests with this method and path (percent-decoded; any query)."""
        return [
            s for s in self.seen if s.split(' ', 1)[0] == method and unquote(s.split(' ', 1)[1].split('?')[0]) == path
        ]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(server: Server) -> Iterator[CountingProxy]:
    p = CountingProxy(server.url)
    yield p
    p.close()


async def test_an_idle_worker_makes_one_claim_in_26_seconds_and_runs_new_work_at_once(
    server: Server, proxy: CountingProxy, actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver, cap = role('ops'), role('recon')
    a = actors(approver)
    _, token = server.principal('agent', ['executor'])
    ran: list[object] = []

    def handler(payload: object, ctx: object) -> dict[str, bool]:
        ran.append(payload)
        return {'ok': True}

    async with AsyncHumanOSClient(proxy.url, token, timeout=15) as wc:
        worker = Worker(wc, capabilities=[cap], handler=handler)
        async with worker:
            await asyncio.sleep(26)
            claims = proxy.requests('POST', CLAIM)
            assert len(claims) == 1
            assert claims[0].endswith('?wait=30')
            # The claim waiting since then answers the approval: no second request needed to see it.
            task = await a.agent.create_task(
                'Reconcile', required_capabilities=[cap], payload={'n': 1}, human_in_loop={'approver_role': approver}
            )
            assert task.approval_request is not None
            await a.human(approver).approve(task.approval_request.id, approval_reason='go')
            done = await asyncio.wait_for(a.agent.execute_task(task.id, timeout=20), 25)
            assert done.status == 'completed' and ran == [{'n': 1}]
            assert len(proxy.requests('POST', CLAIM)) <= 2


async def test_execute_task_without_handler_reads_twice_and_returns_on_completion(
    server: Server, proxy: CountingProxy, actors: Callable[..., Actors], role: Callable[[str], str]
) -> None:
    approver, cap = role('ops'), role('recon')
    a = actors(approver)
    _, agent_token = server.principal('agent', [])
    _, worker_token = server.principal('agent', ['executor'])

    async with (
        AsyncHumanOSClient(proxy.url, agent_token, timeout=15) as agent,
        server.async_client(worker_token) as worker,
    ):
        task = await agent.create_task(
            'Reconcile', required_capabilities=[cap], human_in_loop={'approver_role': approver}
        )
        assert task.approval_request is not None
        await a.human(approver).approve(task.approval_request.id, approval_reason='go')
        returned_at: list[float] = []

        async def wait() -> object:
            done = await agent.execute_task(task.id, timeout=30)
            returned_at.append(time.monotonic())
            return done

        waiting = asyncio.ensure_future(wait())
        [execution] = await worker.claim([cap])
        # Longer than the old SDK's event-stream rounds; a poller would have read several times.
        await asyncio.sleep(3)
        await worker.heartbeat(task.id, execution.lease_id, progress='half way')
        await asyncio.sleep(0.5)
        await worker.complete_task(task.id, {'rows': 7}, lease_id=execution.lease_id)
        completed_at = time.monotonic()
        done = await asyncio.wait_for(waiting, 20)
    delay_ms = (returned_at[0] - completed_at) * 1000
    print(f'completion → execute_task returned: {delay_ms:.0f} ms')
    assert done.status == 'completed' and done.result == {'rows': 7}  # type: ignore[attr-defined]
    reads = proxy.requests('GET', f'/v1/humanos/tasks/{task.id}')
    assert len(reads) == 2 and '?' not in reads[0] and '?wait=' in reads[1]
    # Woken by the completion, not by the server's own look (every 4–6 s): generous on a loaded
    # machine, and still tells the two apart.
    assert delay_ms < 4000
