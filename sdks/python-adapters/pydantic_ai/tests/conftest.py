"""The Pydantic AI adapter's tests run this checkout's adapter (whichever copy pip installed) and import
the scripted agent (pai_agent.py) they share with the restarted process; the server fixtures are in
the adapters' shared conftest.py."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]
