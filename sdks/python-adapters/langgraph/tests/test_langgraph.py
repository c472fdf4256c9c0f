"""The LangGraph adapter against a real HumanOS server, with LangGraph's prebuilt ReAct agent, a scripted
fake chat model and durable checkpointers (a SQLite file; a PostgreSQL database)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Annotated, Any, ClassVar

import httpx
import pytest
from agent_app import agent, call_wire, make_wire, model, saver
from human_sdk import AsyncHumanOSClient, ConflictError, HumanOSClient, HumanOSError
from humanos_langgraph import Decision, HumanOSApprovals, request_approval
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode
from langgraph.types import Command
from typing_extensions import NotRequired, TypedDict

from conftest import Humans, approve_over_rest, reject_over_rest

HERE = Path(__file__).resolve().parent


def config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


async def approve_and_resume(h: Humans, approvals: HumanOSApprovals, graph: Any, thread: str, gate: str | None) -> Any:
    """The human approves the call as proposed, over REST; the thread is resumed with the decision."""
    approve_over_rest(h, gate or "", None, "ok")
    return await approvals.resume(graph, config(thread))


async def agent_tasks(client: AsyncHumanOSClient) -> list[Any]:
    return [t async for t in client.iter_tasks()]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_approved_with_an_edit_after_the_process_was_killed(
    kind: str, humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = str(tmp_path / "checkpoints.sqlite") if kind == "sqlite" else request.getfixturevalue("pg_dsn")
    thread, child_log = f"thread-{uuid.uuid4().hex[:8]}", tmp_path / "child-wire.jsonl"
    # Process 1 runs the agent until the tool call pauses it, makes the task, and waits for the human.
    args = [humans.url, humans.agent_token, humans.role, kind, where, thread, str(child_log)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "agent_app.py"), *args, stdout=asyncio.subprocess.PIPE, cwd=HERE
    )
    try:
        assert proc.stdout is not None
        [first] = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))
    finally:
        proc.send_signal(signal.SIGKILL)  # dies while it waits: nothing of it survives but what it saved
        await proc.wait()
    task = await agent_client.get_task(first["task"])
    assert task.status == "awaiting_approval"
    assert task.payload == {
        "tool": "wire",
        "arguments": {"amount": 5000, "to": "ACME"},
        "langgraph": {"thread_id": thread, "tool_call_id": "call_wire_1"},
    }
    assert task.ai_proposal is not None and task.ai_proposal.reasoning == "Paying ACME as the invoice says."

    # The human lowers the amount and approves, over REST, while no agent process runs.
    decided = approve_over_rest(humans, first["approval"], {"arguments": {"amount": 4000}}, "half now, half in May")
    assert decided["status"] == "approved"

    # Process 2 (this one): a fresh graph over the same checkpoints picks the thread up.
    ran: list[dict[str, Any]] = []
    async with saver(kind, where) as s:
        approvals = HumanOSApprovals(agent_client, approver_role=humans.role)
        m = model(AIMessage(content="Paid 4000 to ACME."))
        graph = agent(m, approvals, make_wire(ran), s)
        [again] = await approvals.pending(graph, config(thread))
        assert again.task_id == first["task"]  # found again, not made twice
        result = await approvals.resume(graph, config(thread))

    assert ran == [{"amount": 4000, "to": "ACME"}]  # exactly the approved, edited arguments
    assert not child_log.exists()  # the killed process never ran the tool
    tool_msg = next(msg for msg in result["messages"] if isinstance(msg, ToolMessage))
    assert tool_msg.content == "wired 4000 to ACME" and tool_msg.status == "success"
    assert result["messages"][-1].content == "Paid 4000 to ACME."
    assert "__interrupt__" not in result
    done = await agent_client.get_task(first["task"])
    assert done.status == "completed"
    assert done.result == {"content": "wired 4000 to ACME"}
    assert done.payload["arguments"] == {"amount": 4000, "to": "ACME"}
    assert [t.task_id for t in await agent_tasks(agent_client)] == [first["task"]]


async def test_a_rejection_reaches_the_model_and_the_tool_never_runs(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    ran: list[dict[str, Any]] = []
    m = model(call_wire(90000, "Mallory Ltd"), AIMessage(content="I will not pay Mallory."))
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(m, approvals, make_wire(ran), s)
        paused = await graph.ainvoke({"messages": [("user", "Pay Mallory")]}, config("t-reject"))
        assert paused["__interrupt__"][0].value["tool"] == "wire"
        [pending] = await approvals.pending(graph, config("t-reject"))
        reject_over_rest(humans, pending.approval_id or "", "Mallory is not a vendor of ours")
        result = await approvals.resume(graph, config("t-reject"))

    assert ran == []
    rejection = m.seen[-1][-1]  # what the model was shown last
    assert isinstance(rejection, ToolMessage)
    assert rejection.status == "error" and rejection.tool_call_id == "call_wire_1"
    assert rejection.content == f"wire was rejected by {humans.human_did}: Mallory is not a vendor of ours"
    assert result["messages"][-1].content == "I will not pay Mallory."
    task = await agent_client.get_task(pending.task_id)
    assert task.status == "rejected" and task.execution is None


async def test_after_an_escalation_the_pending_approval_names_the_new_gate(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path
) -> None:
    # The suite's server runs its own clock (the JS test moves a test clock instead): the first gate
    # times out after 3 s and escalates to the same role. The new gate inherits the 3 s and escalates
    # on along the ladder, so the test accepts any gate opened after the first — never the first.
    hitl = {"approval_timeout": 3, "escalation_policy": "auto", "escalate_to": humans.role}
    approvals = HumanOSApprovals(agent_client, approver_role=humans.role, human_in_loop=hitl)
    m = model(call_wire(120, "ACME"), AIMessage(content="paid"))
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(m, approvals, make_wire([]), s)
        await graph.ainvoke({"messages": [("user", "pay ACME")]}, config("t-escalate"))
        [first] = await approvals.pending(graph, config("t-escalate"))
        assert first.approval_id is not None

        async def gates() -> list[Any]:
            return list((await agent_client.get_task(first.task_id)).approvals)

        for _ in range(300):
            if any(g.id == first.approval_id and g.status == "escalated" for g in await gates()):
                break
            await asyncio.sleep(0.05)
        [again] = await approvals.pending(graph, config("t-escalate"))

    later = {g.id for g in await gates() if g.id != first.approval_id and g.status in ("pending", "escalated")}
    assert again.task_id == first.task_id
    assert again.approval_id in later
    assert [t.task_id for t in await agent_tasks(agent_client)] == [first.task_id]


async def test_the_same_tool_call_asked_again_makes_no_second_task(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(model(call_wire(10, "ACME")), approvals, make_wire(), s)
        await graph.ainvoke({"messages": [("user", "pay")]}, config("t-retry"))
        first = await approvals.pending(graph, config("t-retry"))
        # Another driver (another process, a retry after a lost answer) asks for the same call.
        second = await HumanOSApprovals(agent_client, approver_role=humans.role).pending(graph, config("t-retry"))
        assert [p.task_id for p in second] == [p.task_id for p in first]
        # Not waiting leaves the thread paused and the task as it was.
        assert await approvals.resume(graph, config("t-retry"), wait=False) is None
        # The same call id in another thread is another approval.
        other = agent(model(call_wire(10, "ACME")), approvals, make_wire(), s)
        await other.ainvoke({"messages": [("user", "pay")]}, config("t-retry-2"))
        third = await approvals.pending(other, config("t-retry-2"))
    assert third[0].task_id != first[0].task_id
    tasks = await agent_tasks(agent_client)
    assert sorted(t.task_id for t in tasks) == sorted([first[0].task_id, third[0].task_id])
    assert all(t.status == "awaiting_approval" for t in tasks)


async def delivery_for(task_id: str) -> tuple[bytes, dict[str, str]]:
    """The first delivery the receiver got about the task (waits up to 10 s)."""
    for _ in range(200):
        for body, headers in _Receiver.got:
            if json.loads(body)["data"]["event"].get("taskId") == task_id:
                return body, headers
        await asyncio.sleep(0.05)
    raise AssertionError(f"no delivery for {task_id}")


class _Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[bytes, dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).got.append((body, dict(self.headers.items())))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


async def test_a_webhook_delivery_resumes_the_thread(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path
) -> None:
    _Receiver.got = []
    http = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    admin = httpx.AsyncClient(
        base_url=humans.url + "/v1/humanos", headers={"authorization": f"Bearer {humans.admin_token}"}
    )
    hook = await admin.post(
        "/webhooks", json={"url": f"http://127.0.0.1:{http.server_port}/hooks", "events": ["approval.decided"]}
    )
    assert hook.status_code == 201, hook.text
    ran: list[dict[str, Any]] = []
    try:
        async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
            approvals = HumanOSApprovals(agent_client, approver_role=humans.role)
            graph = agent(model(call_wire(700, "ACME"), AIMessage(content="done")), approvals, make_wire(ran), s)
            await graph.ainvoke({"messages": [("user", "pay")]}, config("t-hook"))
            [p] = await approvals.pending(graph, config("t-hook"))
            approve_over_rest(humans, p.approval_id or "", {"arguments": {"to": "ACME GmbH"}}, "the legal name")

            body, headers = await delivery_for(p.task_id)
            with pytest.raises(ValueError, match="does not verify"):
                await approvals.handle_webhook(graph, body, headers, "whsec_" + "QUJD" * 8)
            assert ran == []
            result = await approvals.handle_webhook(graph, body, headers, hook.json()["secret"])
            assert ran == [{"amount": 700, "to": "ACME GmbH"}]
            assert result["messages"][-1].content == "done"
            # The same delivery again (at least once): nothing is pending, nothing runs twice.
            assert await approvals.handle_webhook(graph, body, headers, hook.json()["secret"]) is None
            assert ran == [{"amount": 700, "to": "ACME GmbH"}]
            # Another agent's task (a subscription receives every task's events): not ours, nothing happens.
            with HumanOSClient(humans.url, humans.admin_token) as admin_sdk:
                stranger = admin_sdk.create_principal(f"did:agent:lg-stranger-{humans.role}", roles=[], kind="agent")
            async with AsyncHumanOSClient(humans.url, stranger.token) as sc:
                foreign = await sc.create_task("Restart the cache", human_in_loop={"approver_role": humans.role})
            assert foreign.approval_request is not None
            approve_over_rest(humans, foreign.approval_request.id, None, "ok")
            body, headers = await delivery_for(foreign.task_id)
            assert await approvals.handle_webhook(graph, body, headers, hook.json()["secret"]) is None
    finally:
        await admin.delete(f"/webhooks/{hook.json()['id']}")
        await admin.aclose()
        http.shutdown()


def test_child_script_is_importable() -> None:
    # The restart test runs agent_app.py as a process of its own; it must not need this test's path.
    out = subprocess.run(
        [sys.executable, "-c", "import agent_app"], cwd=HERE, capture_output=True, text=True, env=os.environ.copy()
    )
    assert out.returncode == 0, out.stderr


async def test_changes_requested_reach_the_model_which_calls_again(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    ran: list[dict[str, Any]] = []
    m = model(call_wire(300, "ACME"), call_wire(300, "ACME Ltd", "call_wire_2"), AIMessage(content="paid"))
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(m, approvals, make_wire(ran), s)
        await graph.ainvoke({"messages": [("user", "pay")]}, config("t-changes"))
        [first] = await approvals.pending(graph, config("t-changes"))
        with humans.rest() as http:
            view = http.get(f"/approvals/{first.approval_id}").raise_for_status().json()
            res = http.post(
                f"/approvals/{first.approval_id}/request-changes",
                json={"payloadDigest": view["currentDigest"], "feedback": "use the legal name"},
            )
            assert res.status_code == 200, res.text
        paused = await approvals.resume(graph, config("t-changes"))
        feedback = m.seen[-1][-1]
        assert isinstance(feedback, ToolMessage) and feedback.status == "error"
        assert (
            feedback.content
            == f"{humans.human_did} asked for changes to wire: use the legal name. Call it again with the changes."
        )
        assert ran == []
        assert (await agent_client.get_task(first.task_id)).status == "cancelled"  # it will never run
        # The model's new call is a new task.
        assert paused["__interrupt__"][0].value["tool_call_id"] == "call_wire_2"
        [second] = await approvals.pending(graph, config("t-changes"))
        assert second.task_id != first.task_id
        result = await approve_and_resume(humans, approvals, graph, "t-changes", second.approval_id)
    assert ran == [{"amount": 300, "to": "ACME Ltd"}]
    assert result["messages"][-1].content == "paid"


async def test_a_resume_value_without_a_human_approval_runs_nothing(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    ran: list[dict[str, Any]] = []
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(model(call_wire(1, "ACME"), AIMessage(content="?")), approvals, make_wire(ran), s)
        await graph.ainvoke({"messages": [("user", "pay")]}, config("t-forged"))
        [p] = await approvals.pending(graph, config("t-forged"))
        forged = Decision(
            status="approved", task_id=p.task_id, payload={"tool": "wire", "arguments": {"amount": 10**6}}
        )
        with pytest.raises(ConflictError, match="only an approved task can execute"):
            await graph.ainvoke(Command(resume={p.interrupt.id: forged.to_resume()}), config("t-forged"))
        assert ran == []  # HumanOS grants no execution of an undecided task
        # The thread still waits for the real decision, on the same task.
        assert [q.task_id for q in await approvals.pending(graph, config("t-forged"))] == [p.task_id]
        result = await approve_and_resume(humans, approvals, graph, "t-forged", p.approval_id)
    assert ran == [{"amount": 1, "to": "ACME"}]
    assert result["messages"][-1].content == "?"
    assert (await agent_client.get_task(p.task_id)).status == "completed"


async def test_any_node_asks_with_request_approval_and_a_tool_node_gates_every_call(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path
) -> None:
    """A hand-built graph: a node asks for a payload of its own (``request_approval``), and a
    ``ToolNode`` with ``awrap_tool_call`` gates the tool calls it runs."""
    ran: list[dict[str, Any]] = []
    approvals = HumanOSApprovals(agent_client, approver_role=humans.role)

    class State(TypedDict):
        messages: Annotated[list[Any], add_messages]
        refund: NotRequired[dict[str, Any]]  # set by plan, not part of the input

    def plan(state: State) -> dict[str, Any]:
        d = request_approval(
            "Refund order 42", {"order": 42, "amount": 120}, reasoning="damaged in transit", confidence=0.9
        )
        assert d.approved
        return {"refund": d.payload, "messages": [call_wire(d.payload["amount"] if d.payload else 0, "customer")]}

    builder = StateGraph(State)
    builder.add_node("plan", plan)
    builder.add_node("tools", ToolNode([make_wire(ran)], awrap_tool_call=approvals.awrap_tool_call))
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "tools")
    builder.add_edge("tools", END)
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = builder.compile(checkpointer=s)
        await graph.ainvoke({"messages": [("user", "refund 42")]}, config("t-node"))
        [ask] = await approvals.pending(graph, config("t-node"))
        task = await agent_client.get_task(ask.task_id)
        assert task.description == "Refund order 42"
        assert task.payload == {
            "order": 42,
            "amount": 120,
            "langgraph": {"thread_id": "t-node", "interrupt_id": ask.interrupt.id},
        }
        assert task.ai_proposal is not None and task.ai_proposal.confidence == 0.9
        approve_over_rest(humans, ask.approval_id or "", {"amount": 100}, "partial refund")
        paused = await approvals.resume(graph, config("t-node"))
        assert paused["refund"]["amount"] == 100
        [call] = await approvals.pending(graph, config("t-node"))
        assert (await agent_client.get_task(call.task_id)).payload["arguments"] == {"amount": 100, "to": "customer"}
        result = await approve_and_resume(humans, approvals, graph, "t-node", call.approval_id)
    assert ran == [{"amount": 100, "to": "customer"}]
    assert result["messages"][-1].content == "wired 100 to customer"


async def test_a_resume_value_naming_another_threads_approved_task_runs_nothing_and_spends_nothing(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    ran: list[dict[str, Any]] = []
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        a = agent(model(call_wire(5, "ACME"), AIMessage(content="a done")), approvals, make_wire(ran), s)
        b = agent(model(call_wire(5, "ACME"), AIMessage(content="b done")), approvals, make_wire(ran), s)
        await a.ainvoke({"messages": [("user", "pay")]}, config("t-a"))
        await b.ainvoke({"messages": [("user", "pay")]}, config("t-b"))
        [pa] = await approvals.pending(a, config("t-a"))
        [pb] = await approvals.pending(b, config("t-b"))
        approve_over_rest(humans, pa.approval_id or "", None, "a only")
        # Thread b is resumed with thread a's approval (same tool, same call id, other thread).
        stolen = Decision(status="approved", task_id=pa.task_id)
        with pytest.raises(HumanOSError, match=r"is not the call"):
            await b.ainvoke(Command(resume={pb.interrupt.id: stolen.to_resume()}), config("t-b"))
        assert ran == []
        assert (await agent_client.get_task(pa.task_id)).status == "approved"  # not spent, not failed
        result = await approvals.resume(a, config("t-a"))
    assert ran == [{"amount": 5, "to": "ACME"}]
    assert result["messages"][-1].content == "a done"


async def test_a_call_that_ran_before_a_crash_is_answered_from_its_record_not_run_again(
    humans: Humans, agent_client: AsyncHumanOSClient, tmp_path: Path, approvals: HumanOSApprovals
) -> None:
    ran: list[dict[str, Any]] = []
    async with saver("sqlite", str(tmp_path / "c.sqlite")) as s:
        graph = agent(model(call_wire(8, "ACME"), AIMessage(content="done")), approvals, make_wire(ran), s)
        await graph.ainvoke({"messages": [("user", "pay")]}, config("t-crash"))
        [p] = await approvals.pending(graph, config("t-crash"))
        approve_over_rest(humans, p.approval_id or "", None, "ok")
        # A process ran the tool inside its HumanOS execution and died before the graph saved that.
        await agent_client.execute_task(p.task_id, handler=lambda payload, ctx: {"content": "wired 8 to ACME"})
        result = await approvals.resume(graph, config("t-crash"))
    assert ran == []  # not a second time
    tool_msg = next(msg for msg in result["messages"] if isinstance(msg, ToolMessage))
    assert tool_msg.content == "wired 8 to ACME"
    assert result["messages"][-1].content == "done"
