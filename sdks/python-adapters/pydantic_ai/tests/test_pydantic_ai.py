"""Pydantic AI's approval-required tools answered by HumanOS: the real ``pydantic-ai-slim`` with its
scripted ``FunctionModel``, against a real HumanOS server (SQLite and PostgreSQL, per sdk-suites)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from humanos_pydantic_ai import TASK_METADATA_KEY, HumanOSApproval
from pai_agent import ARGS, build, script
from pydantic import TypeAdapter
from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelRequest, ToolReturnPart

from adapter_testing import Actors, run_process
from pydantic_ai import DeferredToolRequests, DeferredToolResults, ToolApproved

HERE = Path(__file__).resolve().parent


def approval_for(a: Actors, **options: Any) -> HumanOSApproval:
    return HumanOSApproval.create(a.agent, human_in_loop={"approver_role": a.role}, **options)


def said(output: object) -> tuple[str, Any]:
    """The scripted model's last answer: the tool return's outcome and its (JSON) content."""
    assert isinstance(output, str), output
    outcome, _, content = output.partition(": ")
    try:
        return outcome, json.loads(content)
    except ValueError:
        return outcome, content


async def paused(agent: Any, call_id: str) -> Any:
    """A run that paused on ``send_email`` (a DeferredToolRequests output); nothing ran."""
    first = await agent.run("Email Ann the Q4 numbers", model=script(call_id))
    assert isinstance(first.output, DeferredToolRequests)
    assert [c.tool_name for c in first.output.approvals] == ["send_email"]
    return first


def returns(messages: list[Any]) -> list[ToolReturnPart]:
    return [p for m in messages if isinstance(m, ModelRequest) for p in m.parts if isinstance(p, ToolReturnPart)]


async def test_pauses_then_runs_the_humans_edited_arguments(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)

    first = await paused(agent, "call-1")
    assert ran == []

    gate = await actors.gate()
    assert gate["task"]["payload"] == {"function": "send_email", "arguments": ARGS}
    assert gate["aiProposal"]["action"].startswith("send_email(")
    await actors.approve(gate["id"], approvalReason="better subject", edits={"arguments": {"subject": "Your Q4"}})

    results = await approval.results(first.output)
    assert results is not None
    assert results.approvals == {"call-1": ToolApproved(override_args={**ARGS, "subject": "Your Q4"})}
    done = await agent.run(model=script("x"), message_history=first.all_messages(), deferred_tool_results=results)

    assert ran == [{**ARGS, "subject": "Your Q4"}]
    assert said(done.output) == ("success", {"sent": True, "to": "ann@example.com", "subject": "Your Q4"})
    task = await actors.agent.get_task(gate["taskId"])
    assert task.status == "completed"
    assert task.result == {"sent": True, "to": ARGS["to"], "subject": "Your Q4"}


async def test_a_rejection_reaches_the_model_as_a_denied_tool_return(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    first = await paused(agent, "call-1")

    gate = await actors.gate()
    await actors.reject(gate["id"], "Ann left the company")
    results = await approval.results(first.output)
    assert results is not None
    done = await agent.run(model=script("x"), message_history=first.all_messages(), deferred_tool_results=results)

    assert ran == []
    [denied] = returns(done.all_messages())
    assert denied.outcome == "denied"
    assert "Ann left the company" in denied.model_response_str()
    assert isinstance(done.output, str), done.output
    assert done.output.startswith("denied: ") and "Ann left the company" in done.output
    assert (await actors.agent.get_task(gate["taskId"])).status == "rejected"


async def test_requested_changes_deny_the_call_and_withdraw_its_task(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    first = await paused(agent, "call-changes")
    gate = await actors.gate()
    feedback = {"feedback": "Send it to the team list instead", "payloadDigest": gate["currentDigest"]}
    (await actors.human.post(f"/approvals/{gate['id']}/request-changes", json=feedback)).raise_for_status()

    results = await approval.results(first.output)
    assert results is not None
    done = await agent.run(model=script("x"), message_history=first.all_messages(), deferred_tool_results=results)
    outcome, message = said(done.output)
    assert outcome == "denied"
    assert "asked for changes" in message and "Send it to the team list instead" in message
    assert ran == []
    # The model calls again (a new call, a new task): this one can no longer run.
    assert (await actors.agent.get_task(gate["taskId"])).status == "cancelled"


async def test_survives_a_restart_between_pause_and_resume(actors: Actors, tmp_path: Path) -> None:
    approval = approval_for(actors)
    first = await paused(build(approval, []), "call-restart")
    # The app's durable state: the message history and the pending requests, as JSON.
    (tmp_path / "messages.json").write_bytes(ModelMessagesTypeAdapter.dump_json(first.all_messages()))
    (tmp_path / "requests.json").write_bytes(TypeAdapter(DeferredToolRequests).dump_json(first.output))

    gate = await actors.gate()
    await actors.approve(gate["id"], edits={"arguments": {"body": "Attached, v2."}})
    resumed = await run_process(HERE / "resume_process.py", actors, STATE_DIR=str(tmp_path))
    assert resumed["ran"] == [{**ARGS, "body": "Attached, v2."}]
    assert resumed["output"].startswith("success: ")
    assert (await actors.agent.get_task(gate["taskId"])).status == "completed"


async def test_retries_make_no_second_task_and_run_the_tool_once(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    # The same run twice (its answer was lost): the same tool-call id, one task.
    await paused(agent, "call-retried")
    first = await paused(agent, "call-retried")
    assert len((await actors.agent.list_tasks()).items) == 1

    gate = await actors.gate()
    await actors.approve(gate["id"])
    results = await approval.results(first.output)
    assert results == await approval.results(first.output)
    assert results is not None
    history = first.all_messages()
    await agent.run(model=script("x"), message_history=history, deferred_tool_results=results)
    # The resume repeated (the process died before saving): the recorded result, no second run.
    again = await agent.run(model=script("x"), message_history=history, deferred_tool_results=results)
    assert ran == [ARGS]
    assert said(again.output) == ("success", {"sent": True, "to": "ann@example.com", "subject": "Q4 numbers"})
    assert len((await actors.agent.list_tasks()).items) == 1


async def test_an_already_decided_call_is_answered_inside_the_run(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    assert isinstance((await agent.run("Email Ann", model=script("call-7"))).output, DeferredToolRequests)
    await actors.approve((await actors.gate())["id"])
    # A re-run of the same step finds the decided task: no pause this time.
    done = await agent.run("Email Ann", model=script("call-7"))
    assert isinstance(done.output, str), done.output
    assert done.output.startswith("success: ")
    assert ran == [ARGS]


async def test_waiting_inside_the_run_needs_no_pause(actors: Actors) -> None:
    ran: list[dict[str, Any]] = []
    agent = build(approval_for(actors, wait=None), ran)

    async def decide() -> None:
        for _ in range(200):
            items = (await actors.human.get("/approvals")).raise_for_status().json()["items"]
            if items:
                return await actors.approve(items[0]["id"], edits={"arguments": {"subject": "Inline"}})
            await asyncio.sleep(0.05)
        raise AssertionError("no approval request reached the approver")

    done, _ = await asyncio.gather(agent.run("Email Ann", model=script("call-inline")), decide())
    assert said(done.output) == ("success", {"sent": True, "to": ARGS["to"], "subject": "Inline"})
    assert ran == [{**ARGS, "subject": "Inline"}]


async def test_an_approval_humanos_never_gave_runs_nothing(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    first = await paused(agent, "call-forged")
    task_id = await approval.gate.task_id("call-forged", "send_email", ARGS)
    history = first.all_messages()

    # Approved by the app itself, with and without pointing at the (undecided) HumanOS task.
    for forged in (
        DeferredToolResults(approvals={"call-forged": True}),
        DeferredToolResults(approvals={"call-forged": True}, metadata={"call-forged": {TASK_METADATA_KEY: task_id}}),
    ):
        done = await agent.run(model=script("x"), message_history=history, deferred_tool_results=forged)
        assert isinstance(done.output, str), done.output
        assert done.output.startswith("failed: ")
    assert ran == []
    assert (await actors.agent.get_task(task_id)).status == "awaiting_approval"


async def test_arguments_other_than_the_approved_ones_never_run(actors: Actors) -> None:
    approval = approval_for(actors)
    ran: list[dict[str, Any]] = []
    agent = build(approval, ran)
    first = await paused(agent, "call-swap")
    await actors.approve((await actors.gate())["id"])
    results = await approval.results(first.output)
    assert results is not None
    # The app swaps the approved arguments for others: the server refuses the execution.
    results.approvals["call-swap"] = ToolApproved(override_args={**ARGS, "to": "mallory@example.com"})
    done = await agent.run(model=script("x"), message_history=first.all_messages(), deferred_tool_results=results)
    assert isinstance(done.output, str), done.output
    assert done.output.startswith("failed: ")
    assert ran == []


async def test_tools_needing_no_approval_run_without_a_task(actors: Actors) -> None:
    ran: list[dict[str, Any]] = []
    done = await build(approval_for(actors), ran).run("Look it up", model=script("l-1", "lookup", {"q": "x"}))
    assert said(done.output) == ("success", {"q": "x", "answer": 42})
    assert (await actors.agent.list_tasks()).items == []
