"""Production server (gunicorn, one gthread worker) vs the old Werkzeug development server, side by side.

Measured in one run against the real engine, loopback only, bounded loops, with the same app (CORS,
fair use, trusted proxies) and the same configuration under both servers, both running, measured in
alternating rounds (A B B A ...) so that the load of the machine hits both alike:
  healthz        GET /healthz: requests/s with `--clients` concurrent keep-alive clients, p50/p95
  sessions       POST /api/sessions (shell, warm pool full) + DELETE, sequential cycles: p50/p95 of each
  echo x N       N concurrent active terminals (default 50); each types one key at a time and times
                 its echo (keystroke -> echoed byte on the WebSocket), p50/p95 over all keys
The Werkzeug server is started only here (`--werkzeug-child`), the way `./atlas serve` ran before.

Usage: .venv/bin/python bench/bench_server.py [--requests 2000] [--clients 8] [--cycles 20]
       [--terminals 50] [--keys 20]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import websocket
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(ROOT))
from server_process import ServerProcess  # noqa: E402 - the tests' own helper, after the path above


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values` in milliseconds."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


def werkzeug_child(port: int, site: str, config: str) -> int:
    """The old way: Werkzeug's threaded development server around the same app (bench only)."""
    from werkzeug.serving import make_server

    from sandbox.config import load_config
    from sandbox.serve import build_app

    cfg = load_config(config)
    app = build_app(cfg, Path(site))
    server = make_server("127.0.0.1", port, app, threaded=True)
    server.daemon_threads = True
    manager = app.extensions["atlas_sessions"]
    manager.start()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        manager.shutdown()
        server.server_close()
    return 0


class Bench:
    """One server under test: start, measure, stop."""

    def __init__(self, kind: str, tmp: Path, args: argparse.Namespace) -> None:
        self.kind, self.args = kind, args
        cfg = {
            "max_sessions": args.terminals + 10,
            "max_sessions_per_client": args.terminals + 10,
            "session_creations_per_minute": 0,
            "max_docker_sessions": 0,
            "max_docker_sessions_per_client": 0,
            "pool_size": 2,
            "idle_timeout": 3600,
            "docs_dir": str(tmp / "docs"),
            "profiles": {"docker": {"gateway": False}},
        }
        (tmp / "site").mkdir(exist_ok=True)
        (tmp / "site" / "index.html").write_text("<h1>bench</h1>")
        (tmp / f"{kind}.yaml").write_text(yaml.safe_dump(cfg))
        conf, site = str(tmp / f"{kind}.yaml"), str(tmp / "site")
        if kind == "gunicorn":
            cmd = [sys.executable, "-m", "sandbox.serve", "--port", "{port}", "--site", site]
            cmd += ["--config", conf]
        else:
            cmd = [sys.executable, __file__, "--werkzeug-child", "{port}", site, conf]
        env = {"ATLAS_STATE_DIR": str(tmp / f"state-{kind}")}
        self.server = ServerProcess(cmd, tmp / f"{kind}.log", env, cwd=ROOT)

    def start(self) -> None:
        """Start and wait for a full warm pool."""

        def ready() -> bool:
            h = requests.get(self.server.url + "/healthz", timeout=2).json()
            return h["pool"]["shell"] >= 2

        if not self.server.start(ready, timeout=120):
            raise SystemExit(f"{self.kind} did not start:\n{self.server.output()}")

    def healthz(self, n: int) -> tuple[list[float], float]:
        """GET /healthz `n` times from `--clients` concurrent keep-alive clients: latencies, wall time."""
        clients = self.args.clients
        lat: list[float] = []
        lock = threading.Lock()

        def client(_: int) -> None:
            mine = []
            with requests.Session() as http:
                for _ in range(n // clients):
                    t0 = time.perf_counter()
                    r = http.get(self.server.url + "/healthz", timeout=10)
                    mine.append(time.perf_counter() - t0)
                    assert r.status_code == 200, r.text
            with lock:
                lat.extend(mine)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as ex:
            list(ex.map(client, range(clients)))
        return lat, time.perf_counter() - t0

    def wait_pool(self, timeout: float = 30) -> None:
        """Wait until the warm pool is full again (not measured), as between learners."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if requests.get(self.server.url + "/healthz", timeout=5).json()["pool"]["shell"] >= 2:
                return
            time.sleep(0.05)

    def session_cycle(self) -> tuple[float, float]:
        """POST then DELETE one shell session (warm pool full before): the two latencies."""
        self.wait_pool()
        t0 = time.perf_counter()
        r = requests.post(self.server.url + "/api/sessions", json={"profile": "shell"}, timeout=60)
        post = time.perf_counter() - t0
        assert r.status_code == 201, r.text
        s = r.json()
        t0 = time.perf_counter()
        r = requests.delete(f"{self.server.url}/api/sessions/{s['id']}",
                            headers={"Authorization": f"Bearer {s['token']}"}, timeout=60)  # fmt: skip
        assert r.status_code == 204, r.text
        return post, time.perf_counter() - t0

    def open_terminals(self) -> None:
        """`--terminals` sessions with their terminal WebSockets, each at its prompt and quiet."""
        with ThreadPoolExecutor(8) as ex:
            self.made = list(ex.map(lambda _: self._session(), range(self.args.terminals)))
        self.conns = []
        for s in self.made:
            url = f"ws://127.0.0.1:{self.server.port}/api/sessions/{s['id']}/terminal?token={s['token']}"
            self.conns.append(websocket.create_connection(url, timeout=30))
        for ws in self.conns:
            _read_until(ws, b"$ ", 30)
        for ws in self.conns:
            _drain(ws, 0.3)

    def type_round(self, keys: int) -> list[float]:
        """Every terminal at once types `keys` keys, one at a time, timing each echo."""
        lat: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(self.conns))

        def typist(ws) -> None:
            mine = []
            barrier.wait()
            for i in range(keys):
                ch = "xqzXQZ"[i % 6]  # letters no prompt shows
                t0 = time.perf_counter()
                ws.send(json.dumps({"type": "input", "data": ch}))
                _read_until(ws, ch.encode(), 10)
                mine.append(time.perf_counter() - t0)
            ws.send(json.dumps({"type": "input", "data": "\x15"}))  # Ctrl-U: clear the line
            with lock:
                lat.extend(mine)

        with ThreadPoolExecutor(len(self.conns)) as ex:
            list(ex.map(typist, self.conns))
        for ws in self.conns:
            _drain(ws, 0.05)
        return lat

    def close_terminals(self) -> None:
        """Close the WebSockets and end the sessions."""
        for ws in self.conns:
            ws.close()
        for s in self.made:
            requests.delete(f"{self.server.url}/api/sessions/{s['id']}",
                            headers={"Authorization": f"Bearer {s['token']}"}, timeout=60)  # fmt: skip

    def _session(self) -> dict:
        r = requests.post(self.server.url + "/api/sessions", json={"profile": "shell"}, timeout=120)
        assert r.status_code == 201, r.text
        return r.json()

    def stop(self) -> None:
        """SIGTERM, wait."""
        self.server.stop(timeout=60)


def _read_until(ws, want: bytes, timeout: float) -> None:
    end = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < end:
        ws.settimeout(max(0.01, end - time.monotonic()))
        op, data = ws.recv_data()
        if op == websocket.ABNF.OPCODE_BINARY:
            buf += data
            if want in buf:
                return
    raise TimeoutError(f"{want!r} not echoed within {timeout} s (got {buf[-200:]!r})")


def _drain(ws, quiet: float) -> None:
    while True:
        ws.settimeout(quiet)
        try:
            ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return


def main() -> int:
    """Start both servers, measure them in alternating rounds, print the table."""
    if len(sys.argv) == 5 and sys.argv[1] == "--werkzeug-child":
        return werkzeug_child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--cycles", type=int, default=20)
    ap.add_argument("--terminals", type=int, default=50)
    ap.add_argument("--keys", type=int, default=20)
    args = ap.parse_args()
    kinds = ("werkzeug", "gunicorn")
    data = {k: {"lat": [], "wall": 0.0, "post": [], "delete": [], "echo": []} for k in kinds}

    def alternating(rounds: int):
        """ABBA order: each server goes first as often as the other (load drift cancels out)."""
        for r in range(rounds):
            yield from (kinds if r % 2 == 0 else kinds[::-1])

    with tempfile.TemporaryDirectory(prefix="atlas-bench-server-") as tmp:
        benches = {k: Bench(k, Path(tmp), args) for k in kinds}
        try:
            for b in benches.values():
                b.start()
            say = functools.partial(print, file=sys.stderr, flush=True)
            say("healthz ...")
            for kind in alternating(4):
                lat, wall = benches[kind].healthz(args.requests // 4)
                data[kind]["lat"] += lat
                data[kind]["wall"] += wall
            say("sessions ...")
            for kind in alternating(args.cycles):
                post, delete = benches[kind].session_cycle()
                data[kind]["post"].append(post)
                data[kind]["delete"].append(delete)
            say(f"{args.terminals} terminals per server ...")
            for b in benches.values():
                b.open_terminals()
            for kind in alternating(4):
                data[kind]["echo"] += benches[kind].type_round(max(1, args.keys // 4))
            for b in benches.values():
                b.close_terminals()
        finally:
            for b in benches.values():
                b.stop()
    results = {
        k: {
            "rps": len(d["lat"]) / d["wall"],
            "p50": pct(d["lat"], 50),
            "p95": pct(d["lat"], 95),
            "post_p50": pct(d["post"], 50),
            "post_p95": pct(d["post"], 95),
            "del_p50": pct(d["delete"], 50),
            "del_p95": pct(d["delete"], 95),
            "echo_p50": pct(d["echo"], 50),
            "echo_p95": pct(d["echo"], 95),
            "keys": len(d["echo"]),
        }  # fmt: skip
        for k, d in data.items()
    }
    rows = [
        ("GET /healthz requests/s", "rps", "{:.0f}"),
        ("GET /healthz p50 ms", "p50", "{:.1f}"),
        ("GET /healthz p95 ms", "p95", "{:.1f}"),
        ("POST /api/sessions p50 ms", "post_p50", "{:.0f}"),
        ("POST /api/sessions p95 ms", "post_p95", "{:.0f}"),
        ("DELETE session p50 ms", "del_p50", "{:.0f}"),
        ("DELETE session p95 ms", "del_p95", "{:.0f}"),
        (f"echo p50 ms ({args.terminals} active terminals)", "echo_p50", "{:.1f}"),
        (f"echo p95 ms ({args.terminals} active terminals)", "echo_p95", "{:.1f}"),
    ]
    w, g = results["werkzeug"], results["gunicorn"]
    print(f"\n{'':44} {'werkzeug (dev)':>16} {'gunicorn gthread':>16}")
    for label, key, fmt in rows:
        print(f"{label:44} {fmt.format(w[key]):>16} {fmt.format(g[key]):>16}")
    print(f"(healthz: {args.requests} requests by {args.clients} clients; sessions: {args.cycles} cycles; "
          f"echo: {w['keys']} / {g['keys']} keys)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
