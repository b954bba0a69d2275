"""The one "start a server subprocess on a free port, poll it until ready, stop it" helper.

Used by the sandbox service tests (sandbox_server.py), the browser tests (e2e/test_tutorials.py)
and the benches (bench_tutorial.py, bench_sandbox.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from realparts import ROOT, free_port


class ServerProcess:
    """`cmd` (where "{port}" becomes a free port) run with its output in `log`, from `cwd`."""

    def __init__(self, cmd: list[str], log: Path, env: dict | None = None, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self.cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    def start(self, ready: str | Callable[[], bool], timeout: float = 90) -> bool:
        """Start, then poll `ready` (a path that must answer 200, or a function that may raise)
        every 0.1 s; True once ready, False when the process exits or `timeout` passes."""
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                self.cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        probe = self._http_ok(ready) if isinstance(ready, str) else ready
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if probe():
                    return True
            except Exception:  # noqa: BLE001 - not ready yet (connection refused, bad JSON, ...)
                pass
            time.sleep(0.1)
        return False

    def _http_ok(self, path: str) -> Callable[[], bool]:
        def probe() -> bool:
            with urllib.request.urlopen(self.url + path, timeout=2) as r:
                return r.status == 200

        return probe

    @property
    def exited(self) -> bool:
        """True when the process has ended (or never started)."""
        return self.proc is None or self.proc.poll() is not None

    def output(self, lines: int = 40) -> str:
        """The last `lines` lines the server printed."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, kill: bool = False, timeout: float = 20, keep_sessions: bool = False) -> None:
        """terminate -> wait -> kill (or SIGKILL at once with `kill`). A stopped service keeps its
        sandbox sessions for the next start; unless `keep_sessions`, they are then removed too (as
        `./atlas down` does)."""
        self._stop(kill, timeout)
        if not keep_sessions:
            self.remove_sessions()

    def remove_sessions(self) -> None:
        """Remove the sessions a stopped sandbox service left in its state folder (sandbox.teardown)."""
        state = self.env.get("ATLAS_STATE_DIR")
        if not state or not any((Path(state) / "sandbox-sessions").rglob("*.json")):
            return
        config = self.cmd[self.cmd.index("--config") + 1] if "--config" in self.cmd else ""
        cmd = [sys.executable, "-m", "sandbox.teardown"] + ([config] if config else [])
        with open(self.log, "a") as out:
            subprocess.run(cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT, timeout=120)

    def _stop(self, kill: bool, timeout: float) -> None:
        if self.exited:
            return
        assert self.proc is not None
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
