"""What every adapter's tests share: a real HumanOS server's actors, and the agent restarted.

test-support/sdk-suites.ts starts one HumanOS server per backend and sets HUMANOS_TEST_URL and
HUMANOS_TEST_ADMIN_TOKEN; conftest.py's ``actors`` fixture makes, for each test, an agent principal
and a human approver (deciding over the REST API) with a fresh role. Without a server the tests are
skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from human_sdk import AsyncHumanOSClient, HumanOSClient

URL = os.environ.get("HUMANOS_TEST_URL")
ADMIN_TOKEN = os.environ.get("HUMANOS_TEST_ADMIN_TOKEN")


@dataclass
class Actors:
    url: str
    role: str
    agent_token: str
    agent: AsyncHumanOSClient
    #: The approver, deciding over the REST API.
    human: httpx.AsyncClient

    async def gate(self) -> dict[str, Any]:
        """The approver's view of the one gate in their inbox."""
        inbox = (await self.human.get("/approvals")).raise_for_status().json()
        assert len(inbox["items"]) == 1, inbox
        view: dict[str, Any] = (await self.human.get(f"/approvals/{inbox['items'][0]['id']}")).raise_for_status().json()
        return view

    async def approve(self, gate_id: str, **body: Any) -> None:
        (await self.human.post(f"/approvals/{gate_id}/approve", json=body)).raise_for_status()

    async def reject(self, gate_id: str, reason: str) -> None:
        (await self.human.post(f"/approvals/{gate_id}/reject", json={"rejectionReason": reason})).raise_for_status()


async def make_actors() -> AsyncIterator[Actors]:
    if not URL or not ADMIN_TOKEN:
        if os.environ.get("CI") == "true":
            pytest.fail("HUMANOS_TEST_URL / HUMANOS_TEST_ADMIN_TOKEN are not set (run via npm test)")
        pytest.skip("no HumanOS server: run via `npx tsx test-support/sdk-suites.ts python-adapters`")
    role = f"comms_lead_{uuid.uuid4().hex[:8]}"
    with HumanOSClient(URL, ADMIN_TOKEN) as admin:
        agent = admin.create_principal(f"did:agent:bot-{uuid.uuid4().hex[:8]}", roles=[], kind="agent")
        human = admin.create_principal(f"did:human:lee-{uuid.uuid4().hex[:8]}", roles=[role], kind="human")
    assert agent.token and human.token
    client = AsyncHumanOSClient(URL, agent.token, timeout=15)
    rest = httpx.AsyncClient(base_url=f"{URL}/v1/humanos", headers={"authorization": f"Bearer {human.token}"})
    yield Actors(URL, role, agent.token, client, rest)
    await client.aclose()
    await rest.aclose()


async def run_process(script: Path, actors: Actors, **env: str) -> Any:
    """Runs ``script`` as a new process (the agent, restarted) and returns the JSON it printed last.

    Its environment names the server (HUMANOS_URL), the agent's token (HUMANOS_API_KEY) and the
    approver role (APPROVER_ROLE), plus ``env``.
    """
    base = {"HUMANOS_URL": actors.url, "HUMANOS_API_KEY": actors.agent_token, "APPROVER_ROLE": actors.role}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        env={**os.environ, **base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])
