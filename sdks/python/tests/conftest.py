"""Fixtures for the suites that run against a real HumanOS server.

`npm test` (test-support/sdk-suites.ts) starts one server per backend and sets HUMANOS_TEST_URL,
HUMANOS_TEST_ADMIN_TOKEN and HUMANOS_TEST_BACKEND. Without them the server tests are skipped — except
under CI=true, where a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from human_sdk import AsyncHumanOSClient, HumanOSClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'examples'))

URL = os.environ.get('HUMANOS_TEST_URL')
ADMIN_TOKEN = os.environ.get('HUMANOS_TEST_ADMIN_TOKEN')


def unique(prefix: str) -> str:
    return f'{prefix}-{uuid.uuid4().hex[:10]}'


@dataclass
class Server:
    url: str
    admin_token: str

    def admin(self) -> HumanOSClient:
        return HumanOSClient(self.url, self.admin_token)

    def principal(
        self, kind: str, roles: list[str], capabilities: list[str] | None = None, name: str | None = None
    ) -> tuple[str, str]:
        """Creates a principal with a unique DID; returns (did, token)."""
        did = f'did:{kind}:{unique(name or kind)}'
        with self.admin() as admin:
            p = admin.create_principal(did, roles=roles, kind=kind, capabilities=capabilities)
        assert p.token
        return did, p.token

    def async_client(self, token: str) -> AsyncHumanOSClient:
        return AsyncHumanOSClient(self.url, token, timeout=15)

    def sync_client(self, token: str) -> HumanOSClient:
        return HumanOSClient(self.url, token, timeout=15)


@pytest.fixture(scope='session')
def server() -> Server:
    if not URL or not ADMIN_TOKEN:
        if os.environ.get('CI') == 'true':
            pytest.fail('HUMANOS_TEST_URL / HUMANOS_TEST_ADMIN_TOKEN are not set (run via npm test)')
        pytest.skip('no HumanOS server: run via `npx tsx test-support/sdk-suites.ts python`')
    return Server(URL, ADMIN_TOKEN)


@dataclass
class Actors:
    """An agent (requester), and humans with roles, each with an async client."""

    agent_did: str
    agent: AsyncHumanOSClient
    humans: dict[str, tuple[str, AsyncHumanOSClient]]

    def human(self, role: str) -> AsyncHumanOSClient:
        return self.humans[role][1]

    def did(self, role: str) -> str:
        return self.humans[role][0]


@pytest.fixture
async def actors(server: Server) -> AsyncIterator[Callable[..., Actors]]:
    made: list[AsyncHumanOSClient] = []

    def make(*roles: str, agent_roles: list[str] | None = None) -> Actors:
        agent_did, agent_token = server.principal('agent', agent_roles or [])
        agent = server.async_client(agent_token)
        made.append(agent)
        humans = {}
        for role in roles:
            did, token = server.principal('human', [role], name=role.replace('_', '-'))
            c = server.async_client(token)
            made.append(c)
            humans[role] = (did, c)
        return Actors(agent_did, agent, humans)

    yield make
    for c in made:
        await c.aclose()


async def eventually(check: Callable[[], Awaitable[object]], timeout: float = 10.0, every: float = 0.05) -> object:
    """Polls ``check`` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError('condition not met in time')
        await asyncio.sleep(every)


@pytest.fixture
def role() -> Callable[[str], str]:
    """Unique role names, so parallel backends and earlier tests never share an inbox."""
    return lambda base: f'{base}_{uuid.uuid4().hex[:8]}'
