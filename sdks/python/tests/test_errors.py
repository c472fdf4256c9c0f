"""Typed errors with the server's problem codes and request ids; a retried create makes one task."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from human_sdk import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HumanOSClient,
    HumanOSError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
)

from conftest import Actors, Server


def test_problem_codes_map_to_typed_errors(server: Server) -> None:
    with HumanOSClient(server.url, 'not-a-real-token') as stranger, pytest.raises(AuthenticationError) as e401:
        stranger.get_task('task:human:000000000000000000000000')
    assert e401.value.code == 'unauthorized' and e401.value.status == 401
    assert e401.value.request_id and e401.value.request_id.startswith('req_')
    assert e401.value.method == 'GET' and 'unauthorized' in str(e401.value)

    _, token = server.principal('agent', [])
    with server.sync_client(token) as agent:
        with pytest.raises(BadRequestError) as e400:
            agent.create_task('x', human_in_loop={'approval_required': 'whenever'})
        assert e400.value.code == 'validation_failed' and e400.value.problem is not None
        with pytest.raises(BadRequestError) as bad_id:
            agent.get_task('not-an-id')
        assert bad_id.value.code == 'invalid_id'
        with pytest.raises(NotFoundError) as e404:
            agent.get_task('task:human:000000000000000000000000')
        assert e404.value.code == 'not_found' and e404.value.status == 404
        task = agent.create_task('Archive logs', human_in_loop={'approver_role': 'ops_' + uuid.uuid4().hex[:6]})
        assert task.approval_request is not None
        with pytest.raises(PermissionDeniedError) as e403:
            agent.approve(task.approval_request.id, approval_reason='I approve myself')
        assert e403.value.code == 'agent_cannot_decide'


async def test_decision_conflicts(actors: Callable[..., Actors], role: Callable[[str], str]) -> None:
    r = role('dba_lead')
    a = actors(r)
    task = await a.agent.create_task('Drop index', human_in_loop={'approver_role': r})
    assert task.approval_request is not None
    first = await a.human(r).approve(task.approval_request.id, approval_reason='ok', idempotency_key='py-approve-1')
    # The same decision retried with its key (an answer lost on the way) gets the first answer back.
    again = await a.human(r).approve(task.approval_request.id, approval_reason='ok', idempotency_key='py-approve-1')
    assert again == first
    with pytest.raises(ConflictError) as reused:
        await a.human(r).approve(task.approval_request.id, approval_reason='other', idempotency_key='py-approve-1')
    assert reused.value.code == 'idempotency_key_reused'
    with pytest.raises(ConflictError) as e409:
        await a.human(r).reject(task.approval_request.id, rejection_reason='changed my mind')
    assert e409.value.code in ('already_decided', 'already_seated')
    with pytest.raises(PermissionDeniedError) as mismatch:
        await a.human(r).approve(task.approval_request.id, approved_by='did:human:someone-else')
    assert mismatch.value.code in ('approved_by_mismatch', 'already_decided')


class DropFirstCreateAnswer(httpx.BaseTransport):
    """Forwards every request, but loses the answer to the first create: the server made the task,
    the client saw a network error, and must retry with the same idempotency key."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.create_keys: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == 'POST' and request.url.path.endswith('/tasks'):
            self.create_keys.append(request.headers['idempotency-key'])
            if len(self.create_keys) == 1:
                response.read()
                response.close()
                raise httpx.ReadError('connection reset after the server answered', request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_retried_create_does_not_duplicate(server: Server) -> None:
    _, token = server.principal('agent', [])
    transport = DropFirstCreateAnswer()
    description = f'Pay invoice {uuid.uuid4().hex[:8]}'
    with HumanOSClient(server.url, token, transport=transport) as agent:
        task = agent.create_task(description, payload={'amount': 5000})
        assert len(transport.create_keys) == 2
        assert transport.create_keys[0] == transport.create_keys[1]
        mine = [t for t in agent.list_tasks(limit=200).items if t.description == description]
        assert [t.task_id for t in mine] == [task.id]

        # Same key, another body: refused, nothing created.
        with pytest.raises(ConflictError) as reused:
            agent.create_task(description + ' (changed)', idempotency_key=transport.create_keys[0])
        assert reused.value.code == 'idempotency_key_reused'


def test_network_errors_are_typed_and_not_retried_forever() -> None:
    with HumanOSClient('http://127.0.0.1:9', 'x', retries=1, timeout=2) as nowhere, pytest.raises(NetworkError) as e:
        nowhere.get_task('task:human:000000000000000000000000')
    assert isinstance(e.value, HumanOSError) and e.value.code == 'network_error' and e.value.status == 0


def test_environment_configures_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('HUMANOS_URL', 'http://example.invalid:1234/')
    monkeypatch.setenv('HUMANOS_API_KEY', 'k-123')
    with HumanOSClient() as c:
        assert c.base_url == 'http://example.invalid:1234'
        assert c.config.api_key == 'k-123'
