"""The agent under test: one payment tool gated by HumanOS, a scripted model, a ledger of tool runs.

Imported by the tests and run as a script by the restart test (``python payments_app.py pause|resume``)
so that the pause and the resume happen in two real processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from agents import Agent, Runner, RunState, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call
from human_sdk import AsyncHumanOSClient
from humanos_openai_agents import HumanOSApprovals

# No network: traces would go to OpenAI's exporter.
set_tracing_disabled(True)


def make_agent(runs_file: Path, approvals: HumanOSApprovals, model: ScriptedModel, **gate: Any) -> Agent[Any]:
    """The payments agent; each run of ``send_payment`` appends its arguments to ``runs_file``."""

    @function_tool
    def send_payment(to: str, amount: int, memo: str = "") -> str:
        """Sends a payment."""
        with runs_file.open("a") as f:
            f.write(json.dumps({"to": to, "amount": amount, "memo": memo}) + "\n")
        return f"paid {amount} to {to}"

    return Agent(
        name="payments", instructions="Pay invoices.", model=model, tools=[approvals.gate(send_payment, **gate)]
    )


def tool_runs(runs_file: Path) -> list[dict[str, Any]]:
    if not runs_file.exists():
        return []
    return [json.loads(line) for line in runs_file.read_text().splitlines()]


def pay_call(call_id: str, **arguments: Any) -> Any:
    return function_call("send_payment", arguments, call_id=call_id)


async def _pause(workdir: Path, call_id: str) -> None:
    """Process 1: runs until the approval, makes its task, saves the state, exits."""
    client = AsyncHumanOSClient(os.environ["HUMANOS_URL"], os.environ["HUMANOS_API_KEY"])
    approvals = HumanOSApprovals(client, approver_role=os.environ["APPROVER_ROLE"])
    model = ScriptedModel([[pay_call(call_id, to="ACME", amount=500, memo="invoice 42")]])
    agent = make_agent(workdir / "runs.jsonl", approvals, model)
    result = await Runner.run(agent, "Pay ACME 500 for invoice 42")
    state = result.to_state()
    pending = await approvals.submit(state)
    (workdir / "state.json").write_text(state.to_string())
    print(json.dumps({"task_ids": [p.task_id for p in pending]}))
    await client.aclose()


async def _resume(workdir: Path) -> None:
    """Process 2: loads the saved state, applies the decision, finishes the run."""
    client = AsyncHumanOSClient(os.environ["HUMANOS_URL"], os.environ["HUMANOS_API_KEY"])
    approvals = HumanOSApprovals(client, approver_role=os.environ["APPROVER_ROLE"])
    model = ScriptedModel([[assistant_message("Paid.")]])
    agent = make_agent(workdir / "runs.jsonl", approvals, model)
    state = await RunState.from_string(agent, (workdir / "state.json").read_text())
    resolutions = await approvals.resolve(state, timeout=20)
    result = await Runner.run(agent, state)
    outputs = [i for i in model.calls[0].input if isinstance(i, dict) and i.get("type") == "function_call_output"]
    print(
        json.dumps(
            {
                "outcomes": [r.outcome for r in resolutions],
                "task_ids": [r.pending.task_id for r in resolutions],
                "final": result.final_output,
                "tool_outputs": [o["output"] for o in outputs],
            }
        )
    )
    await client.aclose()


if __name__ == "__main__":
    step, workdir = sys.argv[1], Path(sys.argv[2])
    if step == "pause":
        asyncio.run(_pause(workdir, sys.argv[3]))
    else:
        asyncio.run(_resume(workdir))
