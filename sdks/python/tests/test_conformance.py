"""The shared retry and header cases (``sdks/conformance/cases.json``) against both Python clients.

Each case gets its own scripted HTTP server on loopback that answers the case's responses in order;
the TypeScript and Go SDKs run the same file (``packages/sdk/test/conformance.test.ts``,
``sdks/go/humanos/conformance_test.go``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from human_sdk import AsyncHumanOSClient, HumanOSClient, HumanOSError

SPEC: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / 'conformance' / 'cases.json').read_text(encoding='utf-8')
)
CASES = {c['name']: c for c in SPEC['cases']}


class Scripted:
    """A loopback HTTP server answering one case's responses in order; it records each request."""

    def __init__(self, responses: list[dict[str, Any]]) -> None:
        self.responses = responses
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self) -> None:
                length = int(self.headers.get('content-length') or 0)
                if length:
                    self.rfile.read(length)
                outer.requests.append(
                    {
                        'method': self.command,
                        'path': self.path,
                        'headers': {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                spec = outer.responses[min(len(outer.requests), len(outer.responses)) - 1]
                body, ctype = render(spec)
                self.send_response(spec['status'])
                self.send_header('content-type', ctype)
                self.send_header('content-length', str(len(body)))
                for k, v in spec.get('headers', {}).items():
                    self.send_header(k, header_value(v))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = answer

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}'

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def header_value(v: str) -> str:
    m = re.fullmatch(r'@http-date\+(\d+)', v)
    return formatdate(time.time() + int(m.group(1)), usegmt=True) if m else v


def render(spec: dict[str, Any]) -> tuple[bytes, str]:
    if 'problem' in spec:
        code = spec['problem']
        doc = {
            'type': 'about:blank',
            'title': code,
            'status': spec['status'],
            'code': code,
            'detail': f'conformance {code}',
        }
        return json.dumps(doc).encode(), 'application/problem+json'
    if 'text' in spec:
        return spec['text'].encode(), 'text/html'
    return json.dumps(SPEC['bodies'][spec['body']]).encode(), 'application/json'


@pytest.fixture
def scripted(request: pytest.FixtureRequest) -> Iterator[tuple[dict[str, Any], Scripted]]:
    case = CASES[request.param]
    srv = Scripted(case['responses'])
    yield case, srv
    srv.close()


def sync_call(client: HumanOSClient, op: str) -> Any:
    if op == 'get_task':
        return client.get_task('t_conf')
    if op == 'create_task':
        return client.create_task('conformance')
    return client.create_principal('did:agent:conf', roles=['agent'])


async def async_call(client: AsyncHumanOSClient, op: str) -> Any:
    if op == 'get_task':
        return await client.get_task('t_conf')
    if op == 'create_task':
        return await client.create_task('conformance')
    return await client.create_principal('did:agent:conf', roles=['agent'])


def check(case: dict[str, Any], srv: Scripted, outcome: Any, elapsed: float) -> None:
    want = case['expect']
    op = SPEC['ops'][case['op']]
    assert len(srv.requests) == want['requests'], srv.requests
    every = SPEC['everyRequest']
    for r in srv.requests:
        assert (r['method'], r['path']) == (op['method'], op['path'])
        assert re.match(every['userAgentPattern'], r['headers'].get('user-agent', '')), r['headers']
        assert r['headers']['user-agent'].startswith('humanos-sdk-python/')
        assert r['headers'].get('authorization') == every['authorization']
        assert r['headers'].get(every['requestIdHeader'])
    rids = [r['headers'][every['requestIdHeader']] for r in srv.requests]
    assert len(set(rids)) == len(rids), f'request ids not {every["requestIdPerAttempt"]}: {rids}'
    keys = [r['headers'].get('idempotency-key') for r in srv.requests]
    if want.get('idempotencyKey') == 'absent':
        assert keys == [None] * len(keys)
    elif want.get('idempotencyKey') == 'stable':
        assert keys[0] and len(set(keys)) == 1, keys
    if 'minElapsedMs' in want:
        assert elapsed * 1000 >= want['minElapsedMs']
    if want['outcome'] == 'ok':
        assert not isinstance(outcome, BaseException), outcome
        return
    assert isinstance(outcome, HumanOSError), outcome
    err = want['error']
    assert (outcome.code, outcome.status) == (err['code'], err['status'])
    assert outcome.request_id == err['requestId']
    if 'retryAfterSeconds' in err:
        assert outcome.retry_after == err['retryAfterSeconds']


@pytest.mark.parametrize('scripted', list(CASES), indirect=True)
def test_sync_client(scripted: tuple[dict[str, Any], Scripted]) -> None:
    case, srv = scripted
    start = time.monotonic()
    with HumanOSClient(srv.url, SPEC['apiKey'], timeout=5) as client:
        try:
            outcome: Any = sync_call(client, case['op'])
        except HumanOSError as e:
            outcome = e
    check(case, srv, outcome, time.monotonic() - start)


@pytest.mark.parametrize('scripted', list(CASES), indirect=True)
async def test_async_client(scripted: tuple[dict[str, Any], Scripted]) -> None:
    case, srv = scripted
    start = time.monotonic()
    async with AsyncHumanOSClient(srv.url, SPEC['apiKey'], timeout=5) as client:
        try:
            outcome: Any = await async_call(client, case['op'])
        except HumanOSError as e:
            outcome = e
    check(case, srv, outcome, time.monotonic() - start)
