"""The restarted agent process of test_pydantic_ai.py: loads the saved message history and deferred
requests, asks HumanOS for the decisions, resumes the run and prints what the tool ran with."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[2] / "python" / "src"), str(HERE.parent / "src"), str(HERE)]

from human_sdk import AsyncHumanOSClient  # noqa: E402
from humanos_pydantic_ai import HumanOSApproval  # noqa: E402
from pai_agent import build, script  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402
from pydantic_ai.messages import ModelMessagesTypeAdapter  # noqa: E402

from pydantic_ai import DeferredToolRequests  # noqa: E402


async def main() -> None:
    saved = Path(os.environ["STATE_DIR"])
    history = ModelMessagesTypeAdapter.validate_json((saved / "messages.json").read_bytes())
    requests = TypeAdapter(DeferredToolRequests).validate_json((saved / "requests.json").read_bytes())
    async with AsyncHumanOSClient(os.environ["HUMANOS_URL"], os.environ["HUMANOS_API_KEY"]) as client:
        approval = HumanOSApproval.create(client, human_in_loop={"approver_role": os.environ["APPROVER_ROLE"]})
        ran: list[dict[str, Any]] = []
        results = await approval.results(requests, timeout=20)
        assert results is not None, "no decision"
        result = await build(approval, ran).run(
            model=script("unused"), message_history=history, deferred_tool_results=results
        )
    print(json.dumps({"ran": ran, "output": result.output}))


asyncio.run(main())
