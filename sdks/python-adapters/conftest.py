"""Shared by every adapter's tests: the ``actors`` fixture (see adapter_testing.py), and the real
framework packages before the adapter folders.

Some adapter folders are named like their framework's import package (``pydantic_ai/``,
``langgraph/``). pytest's importlib mode imports ``pydantic_ai/tests/conftest.py`` as
``pydantic_ai.tests.conftest`` and, unless a ``pydantic_ai`` module is already loaded, registers the
folder itself as ``pydantic_ai``, hiding the framework from everything imported afterwards. Importing
each such framework first makes pytest hang the folder's tests under the real package instead.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapter_testing import Actors, make_actors

for _folder in sorted(Path(__file__).resolve().parent.iterdir()):
    if not (_folder / "tests").is_dir():
        continue
    _spec = importlib.util.find_spec(_folder.name)
    # A namespace spec (no origin) would be the folder itself: the framework is not installed.
    if _spec is not None and _spec.origin is not None:
        importlib.import_module(_folder.name)


@pytest.fixture
async def actors() -> AsyncIterator[Actors]:
    """An agent principal (its client) and a human approver (REST) with a fresh role."""
    async for a in make_actors():
        yield a
