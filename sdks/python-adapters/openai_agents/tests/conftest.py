"""Fixtures for the OpenAI Agents adapter's tests against a real HumanOS server.

`npx tsx test-support/sdk-suites.ts python-adapters` starts one server per backend and sets
HUMANOS_TEST_URL, HUMANOS_TEST_ADMIN_TOKEN and HUMANOS_TEST_BACKEND (as for the Python SDK's suite,
sdks/python/tests/conftest.py). Without them these tests are skipped — except under CI=true, where a
missing server is a failure.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from human_sdk import AsyncHumanOSClient, HumanOSClient

# This checkout's adapter (as the other adapters' tests do: not whichever copy pip installed last), and
# the test app module next to this file (importlib mode puts no test folder on sys.path).
sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parent)]

URL = os.environ.get("HUMANOS_TEST_URL")
ADMIN_TOKEN = os.environ.get("HUMANOS_TEST_ADMIN_TOKEN")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class People:
    """An agent and a human approver (with a role of their own), each with a token and a client."""

    url: str
    role: str
    agent_token: str
    agent: AsyncHumanOSClient
    human_did: str
    human: AsyncHumanOSClient


def _principal(kind: str, roles: list[str]) -> tuple[str, str]:
    assert URL and ADMIN_TOKEN
    did = f"did:{kind}:{unique(kind)}"
    with HumanOSClient(URL, ADMIN_TOKEN) as admin:
        p = admin.create_principal(did, roles=roles, kind=kind)
    assert p.token
    return did, p.token


@pytest.fixture
async def people() -> AsyncIterator[People]:
    if not URL or not ADMIN_TOKEN:
        if os.environ.get("CI") == "true":
            pytest.fail("HUMANOS_TEST_URL / HUMANOS_TEST_ADMIN_TOKEN are not set (run via sdk-suites)")
        pytest.skip("no HumanOS server: run via `npx tsx test-support/sdk-suites.ts python-adapters`")
    role = f"finance_{uuid.uuid4().hex[:8]}"
    _, agent_token = _principal("agent", [])
    human_did, human_token = _principal("human", [role])
    agent = AsyncHumanOSClient(URL, agent_token, timeout=15)
    human = AsyncHumanOSClient(URL, human_token, timeout=15)
    yield People(URL, role, agent_token, agent, human_did, human)
    await agent.aclose()
    await human.aclose()
