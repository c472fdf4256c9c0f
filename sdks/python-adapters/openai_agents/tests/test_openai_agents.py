"""The OpenAI Agents adapter with the real `openai-agents` package, its ScriptedModel, and a real server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from agents import Agent, Runner, RunState, Tool, function_tool
from agents.testing import ScriptedModel, assistant_message, function_call
from humanos_openai_agents import HumanOSApprovals
from payments_app import make_agent, pay_call, tool_runs

from conftest import People

APP = Path(__file__).resolve().parent / "payments_app.py"


def call_id() -> str:
    """A fresh tool-call id, as the OpenAI API gives each call."""
    return f"call_{uuid.uuid4().hex[:24]}"


async def decide_over_rest(people: People, task_id: str, verdict: str, body: dict[str, Any]) -> dict[str, Any]:
    """The human decides with plain HTTP: reads the gate (its digest), then ``approve``s, ``reject``s or
    answers ``request-changes``."""
    headers = {"authorization": f"Bearer {people.human.config.api_key}"}
    async with httpx.AsyncClient(base_url=f"{people.url}/v1/humanos", headers=headers, timeout=15) as http:
        task = (await http.get(f"/tasks/{task_id}")).json()
        gate = task["approvals"][0]
        view = (await http.get(f"/approvals/{gate['id']}")).json()
        r = await http.post(f"/approvals/{gate['id']}/{verdict}", json={**body, "payloadDigest": view["currentDigest"]})
        assert r.status_code == 200, r.text
        decided: dict[str, Any] = r.json()
        return decided


def function_outputs(model: ScriptedModel) -> list[str]:
    """The tool results the model was sent on its last call."""
    last = model.last_call
    assert last is not None
    return [i["output"] for i in last.input if isinstance(i, dict) and i.get("type") == "function_call_output"]


async def test_pause_approve_with_edit_resume_runs_the_edited_arguments(people: People, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    approvals = HumanOSApprovals(people.agent, approver_role=people.role)
    cid = call_id()
    model = ScriptedModel([[pay_call(cid, to="ACME", amount=500, memo="invoice 42")], [assistant_message("Paid.")]])
    agent = make_agent(runs, approvals, model)

    result = await Runner.run(agent, "Pay ACME 500 for invoice 42")
    assert [i.name for i in result.interruptions] == ["send_payment"]
    assert tool_runs(runs) == []  # paused before the tool
    state = result.to_state()
    [pending] = await approvals.submit(state)
    task = await people.agent.get_task(pending.task_id)
    assert task.status == "awaiting_approval"
    assert task.payload == {
        "function": "send_payment",
        "arguments": {"to": "ACME", "amount": 500, "memo": "invoice 42"},
    }

    await decide_over_rest(
        people, pending.task_id, "approve", {"approvalReason": "ok at 50", "edits": {"arguments": {"amount": 50}}}
    )
    [resolution] = await approvals.resolve(state, timeout=20)
    assert resolution.outcome == "approved"
    assert resolution.approval.approved_by == people.human_did
    result = await Runner.run(agent, state)

    assert tool_runs(runs) == [{"to": "ACME", "amount": 50, "memo": "invoice 42"}]
    assert result.final_output == "Paid."
    [output] = function_outputs(model)
    assert output.startswith("paid 50 to ACME")
    assert "A human edited the arguments" in output and '"amount": 50' in output
    # The run went through HumanOS's execution: the task is completed with the tool's result.
    done = await people.agent.get_task(pending.task_id)
    assert done.status == "completed"
    assert done.result == "paid 50 to ACME"
    model.assert_complete()


async def test_rejection_reaches_the_model_and_the_tool_never_runs(people: People, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    approvals = HumanOSApprovals(people.agent, approver_role=people.role)
    model = ScriptedModel([[pay_call(call_id(), to="ACME", amount=500)], [assistant_message("Not paid.")]])
    agent = make_agent(runs, approvals, model)
    result = await Runner.run(agent, "Pay ACME 500")
    state = result.to_state()
    [pending] = await approvals.submit(state)

    await decide_over_rest(people, pending.task_id, "reject", {"rejectionReason": "ACME was paid yesterday"})
    [resolution] = await approvals.resolve(state, timeout=20)
    assert resolution.outcome == "rejected"
    result = await Runner.run(agent, state)

    assert tool_runs(runs) == []
    assert result.final_output == "Not paid."
    expected = f"send_payment was rejected by {people.human_did}: ACME was paid yesterday"
    assert function_outputs(model) == [expected]
    task = await people.agent.get_task(pending.task_id)
    assert task.status == "rejected"
    assert task.execution is None or not task.execution.get("id")


async def test_a_restart_between_pause_and_resume_loses_nothing(people: People, tmp_path: Path) -> None:
    # The child imports this checkout's SDK and adapter, as this process does.
    path = os.pathsep.join([*(p for p in sys.path if p), os.environ.get("PYTHONPATH", "")])
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "HUMANOS_URL": people.url,
        "HUMANOS_API_KEY": people.agent_token,
        "APPROVER_ROLE": people.role,
    }
    cid = call_id()
    paused = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(APP), "pause", str(tmp_path), cid],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert paused.returncode == 0, paused.stderr
    [task_id] = json.loads(paused.stdout.strip().splitlines()[-1])["task_ids"]
    assert json.loads((tmp_path / "state.json").read_text())  # the run is on disk, the process is gone
    assert tool_runs(tmp_path / "runs.jsonl") == []

    await decide_over_rest(
        people, task_id, "approve", {"approvalReason": "the legal name", "edits": {"arguments": {"to": "ACME GmbH"}}}
    )
    resumed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(APP), "resume", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    out = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert out["task_ids"] == [task_id]  # the new process found the same task
    assert out["outcomes"] == ["approved"]
    assert out["final"] == "Paid."
    assert tool_runs(tmp_path / "runs.jsonl") == [{"to": "ACME GmbH", "amount": 500, "memo": "invoice 42"}]
    assert out["tool_outputs"][0].startswith("paid 500 to ACME GmbH")
    page = await people.agent.list_tasks()
    assert [t.id for t in page.items] == [task_id]


async def test_a_retried_interruption_makes_no_second_task(people: People, tmp_path: Path) -> None:
    cid = call_id()
    model = ScriptedModel([[pay_call(cid, to="ACME", amount=500)]])
    agent = make_agent(tmp_path / "runs.jsonl", HumanOSApprovals(people.agent, approver_role=people.role), model)
    result = await Runner.run(agent, "Pay ACME 500")

    first = await HumanOSApprovals(people.agent, approver_role=people.role).submit(result)
    again = await HumanOSApprovals(people.agent, approver_role=people.role).submit(result)  # a fresh process
    state = result.to_state()
    undecided = await HumanOSApprovals(people.agent, approver_role=people.role).resolve(state, wait=False)

    assert [p.task_id for p in again] == [p.task_id for p in first]
    assert [r.pending.task_id for r in undecided] == [first[0].task_id]
    assert [r.outcome for r in undecided] == ["pending"]
    assert [i.name for i in state.get_interruptions()] == ["send_payment"]  # still waiting
    page = await people.agent.list_tasks()
    assert [t.id for t in page.items] == [first[0].task_id]


async def test_policy_decides_which_calls_need_a_human(people: People, tmp_path: Path) -> None:
    ran: list[str] = []

    @function_tool
    def lookup_invoice(number: int) -> str:
        """Reads an invoice."""
        ran.append(f"lookup_invoice {number}")
        return f"invoice {number}: 500 EUR to ACME"

    @function_tool
    def send_payment(to: str, amount: int) -> str:
        """Sends a payment."""
        ran.append(f"send_payment {to} {amount}")
        return "paid"

    # The agent asks for no human; the policy still gates what it judges high risk (its floor).
    approvals = HumanOSApprovals(people.agent, human_in_loop={"enabled": False})
    model = ScriptedModel(
        [
            [
                function_call("lookup_invoice", {"number": 42}, call_id=call_id()),
                function_call("send_payment", {"to": "ACME", "amount": 500}, call_id=call_id()),
            ]
        ]
    )
    tools: list[Tool] = [approvals.gate(t, needs_approval="policy") for t in (lookup_invoice, send_payment)]
    agent = Agent(name="payments", model=model, tools=tools)
    result = await Runner.run(agent, "Pay invoice 42")

    assert ran == ["lookup_invoice 42"]  # no gate planned: it ran as the model asked
    assert [i.name for i in result.interruptions] == ["send_payment"]
    assert (await people.agent.list_tasks()).items == []  # the dry runs wrote nothing
    [pending] = await approvals.submit(result)
    task = await people.agent.get_task(pending.task_id)
    assert task.status == "awaiting_approval"


async def test_a_run_resumed_twice_from_one_saved_state_runs_the_tool_once(people: People, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    approvals = HumanOSApprovals(people.agent, approver_role=people.role)
    model = ScriptedModel(
        [
            [pay_call(call_id(), to="ACME", amount=500, memo="")],
            [assistant_message("Paid.")],
            [assistant_message("Paid.")],
        ]
    )
    agent = make_agent(runs, approvals, model)
    result = await Runner.run(agent, "Pay ACME 500")
    state = result.to_state()
    [pending] = await approvals.submit(state)
    await decide_over_rest(people, pending.task_id, "approve", {"approvalReason": "ok"})
    await approvals.resolve(state, timeout=20)
    saved = state.to_string()  # approved, not yet run: a crash after the tool ran replays this

    await Runner.run(agent, state)
    replayed = await Runner.run(agent, await RunState.from_string(agent, saved))

    assert tool_runs(runs) == [{"to": "ACME", "amount": 500, "memo": ""}]  # once
    assert replayed.final_output == "Paid."
    assert function_outputs(model) == ["paid 500 to ACME"]  # the recorded result


async def test_a_request_for_changes_reaches_the_model_and_withdraws_the_task(people: People, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    approvals = HumanOSApprovals(people.agent, approver_role=people.role)
    model = ScriptedModel([[pay_call(call_id(), to="ACME", amount=500, memo="")], [assistant_message("Will redo.")]])
    agent = make_agent(runs, approvals, model)
    result = await Runner.run(agent, "Pay ACME 500")
    state = result.to_state()
    [pending] = await approvals.submit(state)

    feedback = {"feedback": "Put the invoice number in the memo"}
    await decide_over_rest(people, pending.task_id, "request-changes", feedback)
    [resolution] = await approvals.resolve(state, timeout=20)
    assert resolution.outcome == "rejected"
    await Runner.run(agent, state)

    assert tool_runs(runs) == []
    [message] = function_outputs(model)
    assert message == (
        f"{people.human_did} asked for changes to send_payment: Put the invoice number in the memo. "
        "Call it again with the changes."
    )
    assert (await people.agent.get_task(pending.task_id)).status == "cancelled"
