"""Helpers every test may import (`from realparts import need, free_port, run, ROOT`).

They live here, not in conftest.py, because tests/ has more than one conftest.py and
`from realparts import ...` would resolve to whichever pytest loaded last.
`need(what, ok, reason)` is how a test asks for a real part (engine, registry, browser, runsc):
in CI (CI=true) a missing part is a failure, locally it is a skip with the reason.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from atlas.localports import free_port  # noqa: F401 - tests import it from here

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
OUR_LABEL = "org.container-atlas.managed"
#: Flags for Debian's Chromium under Playwright (tests and benchmarks): no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need(what: str, ok: bool, reason: str = "") -> None:
    """Fail (in CI) or skip (locally) the calling test unless `ok`."""
    if ok:
        return
    msg = f"{what} is not available" + (f": {reason}" if reason else "")
    if IN_CI:
        pytest.fail(f"CI=true and {msg}", pytrace=False)
    pytest.skip(msg)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Run a command, capture text output, never raise on exit code."""
    return subprocess.run(cmd, capture_output=True, text=True, **kw)
