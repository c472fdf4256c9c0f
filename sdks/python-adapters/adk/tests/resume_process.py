"""The restarted agent process of test_adk.py: opens the same session store (a SQLite file or a
PostgreSQL database), asks HumanOS for the decisions, resumes the paused run and prints what the tool
ran with and the model's answer."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[2] / "python" / "src"), str(HERE.parent / "src"), str(HERE)]

from adk_agent import APP, USER, final_text, run, runner  # noqa: E402
from google.adk.sessions.database_session_service import DatabaseSessionService  # noqa: E402
from google.adk.sessions.sqlite_session_service import SqliteSessionService  # noqa: E402
from human_sdk import AsyncHumanOSClient  # noqa: E402
from humanos_adk import HumanOSConfirmation  # noqa: E402


async def main() -> None:
    store = os.environ["SESSION_STORE"]
    sessions = DatabaseSessionService(store) if store.startswith("postgresql") else SqliteSessionService(store)
    session_id = os.environ["SESSION_ID"]
    async with AsyncHumanOSClient(os.environ["HUMANOS_URL"], os.environ["HUMANOS_API_KEY"]) as client:
        plugin = HumanOSConfirmation.create(client, human_in_loop={"approver_role": os.environ["APPROVER_ROLE"]})
        ran: list[dict[str, Any]] = []
        session = await sessions.get_session(app_name=APP, user_id=USER, session_id=session_id)
        assert session is not None, "the session is gone"
        answer = await plugin.responses(session, timeout=20)
        assert answer is not None, "no decision"
        events = await run(runner(plugin, sessions, ran), session_id, answer)
    print(json.dumps({"ran": ran, "answer": final_text(events)}))


asyncio.run(main())
