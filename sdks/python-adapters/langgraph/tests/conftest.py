"""Fixtures of the LangGraph adapter's tests: a real HumanOS server (started by
``npx tsx test-support/sdk-suites.ts python-adapters``: HUMANOS_TEST_URL, HUMANOS_TEST_ADMIN_TOKEN,
HUMANOS_TEST_BACKEND), principals made per test, a scripted chat model, durable checkpointers."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
# The adapter's source in this checkout, whichever copy pip installed.
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(1, str(HERE.parents[2] / "python" / "src"))  # and the SDK's, as its own suite does
sys.path.insert(0, str(HERE))

from human_sdk import AsyncHumanOSClient, HumanOSClient  # noqa: E402
from humanos_langgraph import HumanOSApprovals  # noqa: E402

URL = os.environ.get("HUMANOS_TEST_URL")
ADMIN_TOKEN = os.environ.get("HUMANOS_TEST_ADMIN_TOKEN")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
API = "/v1/humanos"


@dataclass
class Humans:
    """An agent and a human approver (with a role of their own), as made on the test server."""

    url: str
    admin_token: str
    role: str
    agent_token: str
    agent_did: str
    human_token: str
    human_did: str

    def agent(self) -> AsyncHumanOSClient:
        return AsyncHumanOSClient(self.url, self.agent_token, timeout=15)

    def rest(self, token: str | None = None) -> httpx.Client:
        """Plain REST as the human (or another token): how an approver's tool talks to the server."""
        return httpx.Client(
            base_url=self.url + API, headers={"authorization": f"Bearer {token or self.human_token}"}, timeout=15
        )


@pytest.fixture(scope="session")
def server() -> tuple[str, str]:
    if not URL or not ADMIN_TOKEN:
        if os.environ.get("CI") == "true":
            pytest.fail("HUMANOS_TEST_URL / HUMANOS_TEST_ADMIN_TOKEN are not set (run via npm test)")
        pytest.skip("no HumanOS server: run via `npx tsx test-support/sdk-suites.ts python-adapters`")
    return URL, ADMIN_TOKEN


@pytest.fixture
def humans(server: tuple[str, str]) -> Humans:
    url, admin_token = server
    role = f"payments_{uuid.uuid4().hex[:8]}"
    with HumanOSClient(url, admin_token) as admin:
        agent = admin.create_principal(f"did:agent:lg-{role}", roles=[], kind="agent")
        human = admin.create_principal(f"did:human:lg-{role}", roles=[role], kind="human")
    assert agent.token and human.token
    return Humans(url, admin_token, role, agent.token, agent.id, human.token, human.id)


@pytest.fixture
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL database of this test's own (for the PostgreSQL checkpointer), dropped after."""
    import psycopg

    name = f"lg_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def agent_client(humans: Humans) -> AsyncIterator[AsyncHumanOSClient]:
    async with humans.agent() as c:
        yield c


@pytest.fixture
def approvals(humans: Humans, agent_client: AsyncHumanOSClient) -> HumanOSApprovals:
    """The adapter as the agent uses it: tasks for the humans' role."""
    return HumanOSApprovals(agent_client, approver_role=humans.role)


def approve_over_rest(humans: Humans, approval_id: str, edits: dict[str, Any] | None, reason: str) -> dict[str, Any]:
    """The human reads the request (its current digest) and approves it, with edits, over REST."""
    with humans.rest() as http:
        view = http.get(f"/approvals/{approval_id}").raise_for_status().json()
        body: dict[str, Any] = {"payloadDigest": view["currentDigest"], "approvalReason": reason}
        if edits is not None:
            body["edits"] = edits
        res = http.post(f"/approvals/{approval_id}/approve", json=body)
        assert res.status_code == 200, res.text
        decided: dict[str, Any] = res.json()
        return decided


def reject_over_rest(humans: Humans, approval_id: str, reason: str) -> dict[str, Any]:
    with humans.rest() as http:
        view = http.get(f"/approvals/{approval_id}").raise_for_status().json()
        res = http.post(
            f"/approvals/{approval_id}/reject", json={"payloadDigest": view["currentDigest"], "rejectionReason": reason}
        )
        assert res.status_code == 200, res.text
        rejected: dict[str, Any] = res.json()
        return rejected
