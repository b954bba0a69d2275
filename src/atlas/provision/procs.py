"""Background daemons we start ourselves (dockerd, the registry): start, wait until ready, stop.

A daemon runs in its own session with its output appended to a log file and its pid in a pid
file, so it outlives `./atlas` and `./atlas down` can stop it. A daemon that exits early or does
not answer in time is stopped again and the pid file removed, and the error carries its log tail.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from atlas.errors import SetupError
from atlas.provision.state import pid_alive, read_pid
from atlas.provision.steps import log_tail


def wait_ready(
    ready: Callable[[], bool],
    alive: Callable[[], bool],
    timeout: float,
    interval: float = 0.2,
) -> str:
    """Poll `ready` until it is true; return "" on success, or "exited" / "timeout" otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return ""
        if not alive():
            return "exited" if not ready() else ""
        if time.monotonic() >= deadline:
            return "timeout"
        time.sleep(interval)


def start_daemon(
    cmd: list[str],
    *,
    step: str,
    log: Path,
    pid_file: Path,
    ready: Callable[[], bool],
    timeout: float,
    env: dict[str, str] | None = None,
    hint: str = "",
) -> int:
    """Start `cmd` in the background, record its pid, and wait until `ready()`; return the pid.

    Raises SetupError (step, command, log tail) when it exits or times out; the process is then
    stopped and its pid file removed, so the next run starts clean.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    command = shlex.join(cmd)
    with open(log, "ab") as fh:
        fh.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} $ {command}\n".encode())
        fh.flush()
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
                cwd="/",
                close_fds=True,
            )
        except OSError as exc:
            raise SetupError(step, command, str(exc), hint) from None
    pid_file.write_text(f"{proc.pid}\n")
    outcome = wait_ready(ready, lambda: proc.poll() is None, timeout)
    if not outcome:
        # The daemon outlives us on purpose: Popen must not track it (no "still running" warning
        # when the handle is collected); stop_pid() reaps it if this process stops it.
        proc.returncode = 0
        return proc.pid
    if outcome == "timeout":
        stop_pid(proc.pid, grace=10)
        why = f"did not answer within {timeout:.0f}s"
    else:
        why = f"exited with code {proc.returncode}"
    proc.poll()
    pid_file.unlink(missing_ok=True)
    raise SetupError(step, f"{command} ({why}; log: {log})", log_tail(log), hint)


def stop_pid(pid: int, grace: float = 20.0) -> bool:
    """Send SIGTERM, wait up to `grace` seconds, then SIGKILL; return True if it was running."""
    if not pid_alive(pid):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    for _ in range(50):
        _reap(pid)
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our child (so it does not linger as a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_daemon(pid_file: Path, grace: float = 20.0) -> bool:
    """Stop the daemon recorded in `pid_file` (if alive) and remove the file; True if one was stopped."""
    pid = read_pid(pid_file)
    stopped = stop_pid(pid, grace) if pid else False
    pid_file.unlink(missing_ok=True)
    return stopped
