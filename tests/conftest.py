"""Shared fixtures for the real parts: the Docker engine, runsc, the local registry, Chromium.

Test support code lives in tests/support/ (no tests there), which is put on sys.path here, so test
modules import it by module name: `from realparts import need`, `from gateway_harness import ...`,
`from sandbox_server import Server`, `from server_process import ServerProcess`, `from site_fixture
import write_kb`, `from tutorial_pages import load_tutorials`, `from pyexamples import ...`,
`from browser_pool import BrowserPool` (browser cases a few at a time), `from tutorial_browser
import press_run` (▶, Check and the terminal of a tutorial page). Plain
helpers (`need`, `free_port`, `run`, `ROOT`) live in support/realparts.py.
"""

from __future__ import annotations

import importlib
import shutil
import socket
import sys
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

import pytest  # noqa: E402 - after the path above
from realparts import IN_CI, OUR_LABEL, ROOT, free_port, need, run  # noqa: E402, F401 - re-exported

# The harnesses' former module names (tests/integration/test_*.py held no tests), for test modules
# written against them; new code imports the support modules' own names.
# (A support module that fails to import fails only the tests that import it, not every test.)
for _old, _new in (("test_gateway_harness", "gateway_harness"), ("test_sandbox_support", "sandbox_server")):
    try:
        sys.modules.setdefault(_old, importlib.import_module(_new))
    except Exception:  # noqa: BLE001, S110 - the importing test reports the real error
        pass


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
def fixture_site(tmp_path_factory) -> dict[str, Path]:
    """The site built once per session from the small fixture KB and docs (tests/support/site_fixture.py).

    {"kb", "docs", "out", "root"}: read-only for every user; write own files under a tmp_path.
    """
    from site_fixture import build_fixture_site

    return build_fixture_site(tmp_path_factory.mktemp("fixture-site"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium for Playwright."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    need("Chromium", Path(path).exists(), "apt-get install chromium")
    return path
