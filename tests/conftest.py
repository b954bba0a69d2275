"""Shared test plumbing.

`need(what, ok, reason)` is how a test asks for a real part (engine, registry, browser, runsc):
in CI (CI=true) a missing part is a failure, locally it is a skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
OUR_LABEL = "org.container-atlas.managed"


def need(what: str, ok: bool, reason: str = "") -> None:
    """Fail (in CI) or skip (locally) the calling test unless `ok`."""
    if ok:
        return
    msg = f"{what} is not available" + (f": {reason}" if reason else "")
    if IN_CI:
        pytest.fail(f"CI=true and {msg}", pytrace=False)
    pytest.skip(msg)


def _docker_client():
    try:
        import docker

        client = docker.from_env(timeout=30)
        client.ping()
        return client, ""
    except Exception as exc:  # noqa: BLE001 - any failure means "no engine"
        return None, str(exc)


@pytest.fixture(scope="session")
def docker_client():
    """A Docker SDK client for the real engine (fails in CI, skips locally when absent)."""
    client, why = _docker_client()
    need("Docker engine", client is not None, why)
    yield client
    client.close()


@pytest.fixture(scope="session")
def runsc_available(docker_client) -> bool:
    """True when the engine has the gVisor runtime `runsc` registered."""
    runtimes = docker_client.info().get("Runtimes", {})
    need("gVisor runtime (runsc)", "runsc" in runtimes, f"engine runtimes: {sorted(runtimes)}")
    return True


@pytest.fixture(scope="session")
def local_registry() -> str:
    """The address of the local registry mirror (127.0.0.1:5000)."""
    try:
        with socket.create_connection(("127.0.0.1", 5000), timeout=2):
            ok, why = True, ""
    except OSError as exc:
        ok, why = False, str(exc)
    need("local registry on 127.0.0.1:5000", ok, why)
    return "127.0.0.1:5000"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium for Playwright."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    need("Chromium", Path(path).exists(), "apt-get install chromium")
    return path


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Run a command, capture text output, never raise on exit code."""
    return subprocess.run(cmd, capture_output=True, text=True, **kw)
