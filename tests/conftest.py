"""Shared fixtures for the real parts: the Docker engine, runsc, the local registry, Chromium.

Plain helpers (`need`, `free_port`, `run`, `ROOT`) live in tests/realparts.py; import them from there.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from realparts import IN_CI, OUR_LABEL, ROOT, free_port, need, run  # noqa: F401 - re-exported


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
