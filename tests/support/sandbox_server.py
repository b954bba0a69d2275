"""Support for the sandbox service tests (no tests here): the real server as a subprocess, a WebSocket client.

Test modules import `sandbox_server` (fixture), `Server`, `Term`, `PROMPT` from here.

Every container a test's servers create carries their instance label; teardown removes all of them
(pass or fail), plus any the server left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import websocket
import yaml
from server_process import ServerProcess

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
PROMPT = "learner@sandbox"


def plain(text: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return ANSI.sub("", text)


class Term:
    """A terminal WebSocket client: collects output (binary frames) and events (JSON text frames)."""

    def __init__(self, url: str, origin: str | None = None) -> None:
        kw = {"origin": origin} if origin else {}
        self.ws = websocket.create_connection(url, timeout=30, **kw)
        self.buf = bytearray()
        self.events: list[dict] = []
        self.closed = False

    def _pump(self, timeout: float) -> None:
        self.ws.settimeout(max(0.01, timeout))
        try:
            op, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            self.closed = True
            return
        if op == websocket.ABNF.OPCODE_BINARY:
            self.buf += data
        elif op == websocket.ABNF.OPCODE_TEXT:
            self.events.append(json.loads(data))
        elif op == websocket.ABNF.OPCODE_CLOSE:
            self.closed = True

    @property
    def text(self) -> str:
        """Everything received so far, as plain text."""
        return plain(self.buf.decode("utf-8", "replace"))

    def wait_for(self, pattern: str, timeout: float = 15) -> re.Match:
        """Read until `pattern` (regex) appears in the plain text; fail with what was seen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.text)
            if m:
                return m
            if self.closed:
                break
            self._pump(end - time.monotonic())
        raise AssertionError(f"{pattern!r} not seen; got {self.text[-2000:]!r}, events {self.events}")

    def wait_event(self, kind: str, timeout: float = 15) -> dict:
        """Read until a JSON event of `kind` arrives."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ev in self.events:
                if ev.get("type") == kind:
                    return ev
            if self.closed:
                break
            self._pump(end - time.monotonic())
        raise AssertionError(f"no {kind!r} event; events {self.events}, output {self.text[-500:]!r}")

    def drain(self, seconds: float) -> None:
        """Read for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.closed:
            self._pump(end - time.monotonic())

    def send(self, data: str) -> None:
        """Type `data`."""
        self.ws.send(json.dumps({"type": "input", "data": data}))

    def run(self, command: str, marker: str, timeout: float = 15) -> str:
        """Type `command`, wait for `marker` (regex) in the output after the echoed command line."""
        start = len(self.text)
        self.send(command + "\n")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            after = self.text[start:]
            out = "\n" + after.split("\n", 1)[1] if "\n" in after else ""
            if re.search(marker, out):
                return out
            if self.closed:
                break
            self._pump(min(0.5, end - time.monotonic()))
        raise AssertionError(f"{marker!r} not seen after {command!r}; got {self.text[start:][-2000:]!r}")

    def resize(self, cols: int, rows: int) -> None:
        """Send a resize frame."""
        self.ws.send(json.dumps({"type": "resize", "cols": cols, "rows": rows}))

    def close(self) -> None:
        """Close the WebSocket."""
        try:
            self.ws.close(timeout=1)
        except Exception:  # noqa: BLE001
            pass
        self.ws.shutdown()


class Server:
    """`python -m sandbox.serve` on a free port with a tiny site and a test configuration."""

    def __init__(self, workdir: Path, docker_client, config: dict, env: dict | None = None) -> None:
        self.workdir, self.docker = workdir, docker_client
        self.site = workdir / "site"
        self.site.mkdir(exist_ok=True)
        (self.site / "index.html").write_text("<!doctype html><title>test site</title><h1>home</h1>")
        (self.site / "404.html").write_text("<!doctype html><title>404</title><h1>custom not found</h1>")
        base = {
            "pool_size": 1,
            "reap_interval": 0.5,
            "max_sessions": 40,
            "max_sessions_per_client": 40,
            "docs_dir": str(workdir / "docs"),
            "profiles": {"docker": {"gateway": False}},
        }
        for key, value in config.items():
            if key == "profiles":
                for name, prof in value.items():
                    base["profiles"][name] = {**base["profiles"].get(name, {}), **prof}
            else:
                base[key] = value
        self.config_path = workdir / f"config-{os.getpid()}-{time.monotonic_ns()}.yaml"
        self.config_path.write_text(yaml.safe_dump(base))
        self.env = {**os.environ, "ATLAS_STATE_DIR": str(workdir / "state"), **(env or {})}
        self.instances: list[str] = []
        self.server: ServerProcess | None = None
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log = workdir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_pool: bool = True) -> Server:
        """Start on a new free port and wait until /healthz answers (and the warm pool is full)."""
        cmd = [sys.executable, "-m", "sandbox.serve", "--port", "{port}", "--site", str(self.site),
               "--config", str(self.config_path)]  # fmt: skip
        self.server = ServerProcess(cmd, self.log, self.env)
        self.port = self.server.port

        def ready() -> bool:
            h = requests.get(self.url + "/healthz", timeout=2).json()
            if h["instance"] not in self.instances:
                self.instances.append(h["instance"])
            return not wait_pool or all(n >= self.pool_target(p) for p, n in h["pool"].items())

        if not self.server.start(ready, timeout=60):
            code = self.server.proc.poll() if self.server.proc else None
            why = f"server exited with {code}" if code is not None else "server did not become ready"
            pytest.fail(f"{why}:\n{self.output()}")
        self.proc = self.server.proc
        return self

    def pool_target(self, profile: str) -> int:
        for line in requests.get(self.url + "/metrics", timeout=5).text.splitlines():
            if line.startswith(f'atlas_sandbox_pool_target{{profile="{profile}"}}'):
                return int(float(line.split()[-1]))
        return 0

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, sig: str = "term", keep_sessions: bool = False) -> None:
        """terminate -> wait -> kill (or kill -9 at once with sig='kill', which also kills the worker);
        then the sessions it kept are removed unless `keep_sessions` (a restart test)."""
        if self.server is None:
            return
        if sig == "kill" and self.proc is not None and self.proc.poll() is None:
            for child in children(self.proc.pid):  # a crash of the whole service, not only gunicorn's master
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        self.server.stop(kill=sig == "kill", timeout=30, keep_sessions=keep_sessions or sig == "kill")

    def containers(self, instance: str | None = None) -> list:
        """Containers labelled with this server's instance(s) (also those only its state dir knows)."""
        out = []
        known = set(self.instances)
        locks = self.workdir / "state" / "sandbox-instances"
        if locks.is_dir():
            known |= {p.stem for p in locks.glob("*.lock")}
        for inst in [instance] if instance else sorted(known):
            out += self.docker.containers.list(
                all=True, filters={"label": f"org.container-atlas.instance={inst}"}
            )
        return out

    def session(self, profile: str = "shell", **kw) -> dict:
        r = requests.post(self.url + "/api/sessions", json={"profile": profile}, timeout=60, **kw)
        assert r.status_code == 201, (r.status_code, r.text)
        return r.json()

    def term(self, s: dict, origin: str | None = None) -> Term:
        ws_url = f"ws://127.0.0.1:{self.port}/api/sessions/{s['id']}/terminal?token={s['token']}"
        return Term(ws_url, origin=origin)

    def shell(self, profile: str = "shell") -> tuple[dict, Term]:
        """A new session with its terminal, at the first prompt."""
        s = self.session(profile)
        t = self.term(s)
        t.wait_for(PROMPT)
        return s, t


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid`."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
    return out


def _servers(workdir: Path, docker_client):
    servers: list[Server] = []

    def make(config: dict | None = None, env: dict | None = None, start: bool = True) -> Server:
        srv = Server(workdir, docker_client, config or {}, env)
        servers.append(srv)
        return srv.start() if start else srv

    return servers, make


def _cleanup(servers: list[Server]) -> None:
    for srv in servers:
        srv.stop()
        # Shown by pytest only when the test failed.
        print(f"--- server output ({srv.url}) ---\n{srv.output()[-6000:]}")
        for c in srv.containers():
            try:
                c.remove(force=True)
            except Exception:  # noqa: BLE001
                pass


@pytest.fixture
def sandbox_server(tmp_path, docker_client):
    """Factory: `sandbox_server(config={...}, env={...})` -> started Server; all cleaned up afterwards."""
    servers, make = _servers(tmp_path, docker_client)
    yield make
    _cleanup(servers)


@pytest.fixture(scope="module")
def module_sandbox_server(tmp_path_factory, docker_client):
    """Like `sandbox_server`, shared by the tests of a module (servers stop when the module ends)."""
    servers, make = _servers(tmp_path_factory.mktemp("sandbox"), docker_client)
    yield make
    _cleanup(servers)
