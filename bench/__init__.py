"""Benchmarks and fault drills (scripts, not tests). Run with ``make bench``.

The drills drive the real ``dialogbot serve`` through the local fake of the Slack Web API
that lives with the tests (``tests/fakes``); its directory is put on ``sys.path`` here so
``import fakes`` works the same way it does for pytest.
"""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent / "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)
