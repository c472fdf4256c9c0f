"""Fixtures of the Google ADK adapter's tests: a real HumanOS server (started by
test-support/sdk-suites.ts, which sets HUMANOS_TEST_URL and HUMANOS_TEST_ADMIN_TOKEN), an agent
principal and a human approver per test, each with a fresh role.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

# This checkout's adapter (whichever copy pip installed) and the scripted agent shared with the
# restarted process (tests/adk_agent.py).
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

from adk_agent import Actors  # noqa: E402
from human_sdk import AsyncHumanOSClient, HumanOSClient  # noqa: E402

URL = os.environ.get("HUMANOS_TEST_URL")
ADMIN_TOKEN = os.environ.get("HUMANOS_TEST_ADMIN_TOKEN")


@pytest.fixture
async def actors() -> AsyncIterator[Actors]:
    if not URL or not ADMIN_TOKEN:
        if os.environ.get("CI") == "true":
            pytest.fail("HUMANOS_TEST_URL / HUMANOS_TEST_ADMIN_TOKEN are not set (run via npm test)")
        pytest.skip("no HumanOS server: run via `npx tsx test-support/sdk-suites.ts python-adapters`")
    role = f"comms_lead_{uuid.uuid4().hex[:8]}"
    with HumanOSClient(URL, ADMIN_TOKEN) as admin:
        agent = admin.create_principal(f"did:agent:adk-{uuid.uuid4().hex[:8]}", roles=[], kind="agent")
        human = admin.create_principal(f"did:human:lee-{uuid.uuid4().hex[:8]}", roles=[role], kind="human")
    assert agent.token and human.token
    client = AsyncHumanOSClient(URL, agent.token, timeout=15)
    rest = httpx.AsyncClient(base_url=f"{URL}/v1/humanos", headers={"authorization": f"Bearer {human.token}"})
    yield Actors(URL, role, agent.token, client, rest)
    await client.aclose()
    await rest.aclose()
