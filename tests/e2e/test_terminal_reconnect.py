"""In Chromium: the terminal reconnects by itself after the service restarts, to the same shell."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time

import pytest
from realparts import need
from sandbox_server import children
from server_process import ServerProcess

pytestmark = [pytest.mark.playwright]


def _type(page, line: str) -> None:
    page.locator(".xterm-helper-textarea").first.focus()
    page.keyboard.type(line)
    page.keyboard.press("Enter")


def _wait_text(page, pattern: str, timeout: float = 60) -> None:
    end, text = time.monotonic() + timeout, ""
    while time.monotonic() < end:
        text = page.evaluate("() => window.atlasTerminal.text()") or ""
        if re.search(pattern, text, re.M):
            return
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} not in the terminal; it ends with {text[-800:]!r}")


def test_terminal_reconnects_after_restart(built_site, docker_client, tmp_path, browser) -> None:
    """One learner's terminal through a clean stop (SIGTERM) and then a crash (SIGKILL of master and
    worker): each time it reconnects by itself to the same shell process (a variable set before both)."""
    cmd = [sys.executable, "-m", "atlas.cli", "serve", "--site", str(built_site), "--port", "{port}"]
    srv = ServerProcess(cmd, tmp_path / "server.log", {"ATLAS_STATE_DIR": str(tmp_path / "state")})
    need("the sandbox service (atlas serve)", srv.start("/healthz"), srv.output())
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    ctx.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(str(exc))))
    try:
        page = ctx.new_page()
        page.goto(f"{srv.url}/tutorials/containers/")
        page.locator("[data-atlas-run] button", has_text=re.compile("▶|Run")).first.click()
        page.wait_for_selector('.atlas-term[data-state="ok"]', timeout=120_000)
        value = f"kept{os.getpid()}"  # a shell variable: only the same shell process still has it
        _type(page, f"V={value}; echo set-$V")
        _wait_text(page, rf"^set-{value}")
        for sig in ("term", "kill"):
            if sig == "kill":  # the whole service dies at once: master and worker
                for child in children(srv.proc.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGKILL)
            srv.stop(kill=sig == "kill", timeout=60, keep_sessions=True)
            page.wait_for_selector('.atlas-term[data-state="busy"], .atlas-term[data-state="error"]')
            assert srv.start("/healthz"), srv.output()
            page.wait_for_selector('.atlas-term[data-state="ok"]', timeout=60_000)  # reconnected by itself
            _type(page, f"echo got-{sig}-$V")  # the learner's next command, typed after the reconnect
            _wait_text(page, rf"^got-{sig}-{value}")
    finally:
        ctx.close()
        srv.stop(timeout=60)
        print(srv.output())
    assert not errors, errors
