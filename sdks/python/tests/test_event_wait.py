"""The one wait for a task's server-sent events, in both clients (it drifted when they were two copies:
the async one slept again after its budget ran out, the blocking one bounded each read instead).

The rule: the budget is the whole wait's; no event in time returns at the deadline with no extra
sleep; an event of the task returns at once with its index; a refused stream waits out at most half a
second so a polling caller stays gentle. Against a scripted event stream on loopback.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from human_sdk import AsyncHumanOSClient, HumanOSClient
from human_sdk._async import flows as async_flows
from human_sdk._io import AsyncIO, SyncIO
from human_sdk._sync import flows as sync_flows

THE_TASKS_EVENT = b'id: 8\nevent: task.approved\ndata: ' + json.dumps({'taskId': 't1'}).encode() + b'\n\n'


def stream_server(mode: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if mode == 'refuse':
                self.send_response(503)
                self.send_header('content-length', '0')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header('content-type', 'text/event-stream')
            self.end_headers()
            try:
                for n in range(40):
                    time.sleep(0.2)
                    if mode == 'event' and n == 1:
                        self.wfile.write(b'id: 7\nevent: other\ndata: {"taskId": "t_other"}\n\n')
                        self.wfile.write(
                            b'id: 8\nevent: task.approved\ndata: ' + json.dumps({'taskId': 't1'}).encode() + b'\n\n'
                        )
                    else:
                        self.wfile.write(b': keep-alive\n\n')
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records the flows' sleeps (both forms) instead of sleeping."""
    got: list[float] = []

    async def asleep(s: float) -> None:
        got.append(s)

    monkeypatch.setattr(AsyncIO, 'sleep', staticmethod(asleep))
    monkeypatch.setattr(SyncIO, 'sleep', staticmethod(got.append))
    return got


def url(srv: ThreadingHTTPServer) -> str:
    return f'http://127.0.0.1:{srv.server_address[1]}'


@pytest.mark.parametrize('mode', ['quiet', 'event', 'refuse'])
async def test_both_clients_wait_alike(mode: str, sleeps: list[float]) -> None:
    srv = stream_server(mode)
    try:
        budget = 1.2
        outcomes = []
        with HumanOSClient(url(srv), 'k') as client:
            start = time.monotonic()
            outcomes.append((sync_flows.wait_task_event(client, 't1', 3, budget), time.monotonic() - start))
        sync_sleeps = list(sleeps)
        sleeps.clear()
        async with AsyncHumanOSClient(url(srv), 'k') as aclient:
            start = time.monotonic()
            outcomes.append((await async_flows.wait_task_event(aclient, 't1', 3, budget), time.monotonic() - start))
        assert sync_sleeps == sleeps, 'the two clients slept differently'
    finally:
        srv.shutdown()
        srv.server_close()
    for last, elapsed in outcomes:
        if mode == 'quiet':
            # No event: the whole budget is waited, then it returns without sleeping again.
            assert last == 3 and elapsed >= budget and sleeps == []
        elif mode == 'event':
            # The task's event ends the wait at once (the other task's event does not).
            assert last == 8 and elapsed < budget
        else:
            # A refused stream: at most half a second of pause before the caller re-reads the task.
            assert last == 3 and len(sleeps) == 1 and 0 < sleeps[0] <= 0.5
