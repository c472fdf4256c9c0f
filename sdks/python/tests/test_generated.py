"""The blocking client is generated from the async one: regenerating it must change nothing."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from human_sdk import AsyncHumanOSClient, HumanOSClient

ROOT = Path(__file__).resolve().parents[1]


def test_sync_client_is_what_unasync_generates() -> None:
    res = subprocess.run(
        [sys.executable, 'scripts/unasync_clients.py', '--check'], cwd=ROOT, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_both_clients_have_the_same_calls_and_signatures() -> None:
    def public(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(fn).parameters)
            for name, fn in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith('_')
        }

    sync, asyn = public(HumanOSClient), public(AsyncHumanOSClient)
    assert sync.pop('close') == asyn.pop('aclose')
    assert sync == asyn
    assert not any(inspect.iscoroutinefunction(getattr(HumanOSClient, n)) for n in sync)
