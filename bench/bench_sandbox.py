"""Benchmark of the sandbox service (issue 4, "Performance"); prints numbers and ratios.

Measured in one run against the real engine, loopback only:
  baseline       `docker run --rm busybox true` (the engine's own CLI), p50/p95
  cold start     POST /api/sessions -> first prompt byte on the WebSocket, pool empty, p50/p95
  warm start     the same with a warm pool, p50/p95
  echo           keystroke -> its echo on the WebSocket, p50/p95
  throughput     10 MiB through the terminal (the per-session cap raised for this run)
  idle sessions  open N idle sessions (terminal attached), memory per session, how many fit
Targets: warm p50 < 150 ms; cold p50 <= 1.5x baseline; echo p50 < 10 ms; >= 100 idle sessions.

Usage: .venv/bin/python bench/bench_sandbox.py [--samples 50] [--idle 100] [--runtime runc|runsc]
"""

from __future__ import annotations

import argparse
import json
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import requests
import websocket
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from server_process import ServerProcess  # noqa: E402 - the tests' own helper, after the path above


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, 50) * 1000:7.1f} ms   p95 {pct(values, 95) * 1000:7.1f} ms   (n={len(values)})"


def mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def shim_rss() -> int:
    """Total RSS of the engine's per-container shim processes (containerd-shim*)."""
    total = 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if (d / "comm").read_text().startswith("containerd-shim"):
                total += rss(int(d.name))
        except (OSError, ValueError):
            continue
    return total


def container_mem(cid: str) -> int | None:
    for p in (f"/sys/fs/cgroup/memory/docker/{cid}/memory.usage_in_bytes",
              f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/memory.current"):  # fmt: skip
        try:
            return int(Path(p).read_text())
        except OSError:
            continue
    return None


class Bench:
    def __init__(self, runtime: str, idle: int) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
        (self.tmp / "site").mkdir()
        (self.tmp / "site" / "index.html").write_text("<h1>bench</h1>")
        shell = {"runtime": runtime, "pool_size": 0}
        cfg = {
            "max_sessions": idle + 20,
            "max_sessions_per_client": idle + 20,
            "session_creations_per_minute": 0,  # the bench creates many sessions from one address
            "idle_timeout": 3600,
            "output_rate": 1 << 30,
            "output_burst": 1 << 24,
            "docs_dir": str(self.tmp / "docs"),
            "profiles": {"shell": shell, "warm": {**shell, "pool_size": 3}, "docker": {"gateway": False}},
        }
        defaults = yaml.safe_load((ROOT / "sandbox" / "config.yaml").read_text())["profiles"]["shell"]
        cfg["profiles"]["warm"] = {**defaults, **cfg["profiles"]["warm"]}
        (self.tmp / "config.yaml").write_text(yaml.safe_dump(cfg))
        cmd = [sys.executable, "-m", "sandbox.serve", "--port", "{port}",
               "--site", str(self.tmp / "site"), "--config", str(self.tmp / "config.yaml")]  # fmt: skip
        self.server = ServerProcess(
            cmd, self.tmp / "server.log", {"ATLAS_STATE_DIR": str(self.tmp / "state")}
        )
        self.port, self.url = self.server.port, self.server.url
        if not self.server.start(
            lambda: bool(requests.get(self.url + "/healthz", timeout=2).json()["instance"])
        ):
            raise SystemExit("server did not start:\n" + self.server.output(200))
        self.instance = requests.get(self.url + "/healthz", timeout=5).json()["instance"]
        self.http = requests.Session()

    def pool_ready(self, profile: str) -> int:
        return requests.get(self.url + "/healthz", timeout=5).json()["pool"][profile]

    def session(self, profile: str) -> dict:
        r = self.http.post(self.url + "/api/sessions", json={"profile": profile}, timeout=60)
        r.raise_for_status()
        return r.json()

    def connect(self, s: dict) -> websocket.WebSocket:
        return websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/sessions/{s['id']}/terminal?token={s['token']}", timeout=30
        )

    def delete(self, s: dict) -> None:
        self.http.delete(f"{self.url}/api/sessions/{s['id']}", params={"token": s["token"]}, timeout=60)

    def first_prompt(self, profile: str) -> float:
        t0 = time.perf_counter()
        s = self.session(profile)
        ws = self.connect(s)
        while True:
            op, data = ws.recv_data()
            if op == websocket.ABNF.OPCODE_BINARY and b"$" in data:
                break
        dt = time.perf_counter() - t0
        ws.close()
        self.delete(s)
        return dt

    def stop(self) -> None:
        self.server.stop(timeout=60)
        client = docker.from_env()
        for c in client.containers.list(
            all=True, filters={"label": f"org.container-atlas.instance={self.instance}"}
        ):
            c.remove(force=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def read_until(ws: websocket.WebSocket, marker: bytes, limit: float = 60) -> int:
    got, tail, end = 0, b"", time.monotonic() + limit
    while time.monotonic() < end:
        op, data = ws.recv_data()
        if op != websocket.ABNF.OPCODE_BINARY:
            continue
        got += len(data)
        tail = (tail + data)[-256:]
        if marker in tail:
            return got
    raise TimeoutError(marker)


def drain(opened: list, stop: threading.Event) -> None:
    """Read idle terminals (this also answers the server's WebSocket pings, as a browser does)."""
    while not stop.is_set():
        socks = {w.sock: w for _, w in list(opened) if w.sock}
        if not socks:
            time.sleep(0.1)
            continue
        ready, _, _ = select.select(list(socks), [], [], 0.2)
        for sock in ready:
            try:
                socks[sock].recv_data(control_frame=True)
            except Exception:  # noqa: BLE001
                pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--idle", type=int, default=100)
    ap.add_argument("--runtime", default="runc")
    args = ap.parse_args(argv)

    print(f"sandbox benchmark: {args.samples} samples, {args.idle} idle sessions, runtime {args.runtime}")
    base = []
    for _ in range(max(10, args.samples // 5)):
        t0 = time.perf_counter()
        subprocess.run(["docker", "run", "--rm", "--network", "none", "busybox", "true"], check=True,
                       capture_output=True)  # fmt: skip
        base.append(time.perf_counter() - t0)
    print(f"baseline  docker run --rm busybox true   {fmt(base)}")

    b = Bench(args.runtime, args.idle)
    try:
        cold = [b.first_prompt("shell") for _ in range(args.samples)]
        ratio = pct(cold, 50) / pct(base, 50)
        print(f"cold      POST -> first prompt byte      {fmt(cold)}   ratio p50 {ratio:.2f}x baseline")
        warm = []
        for _ in range(args.samples):
            end = time.monotonic() + 30
            while b.pool_ready("warm") < 1 and time.monotonic() < end:
                time.sleep(0.02)
            warm.append(b.first_prompt("warm"))
        ratio = pct(warm, 50) / pct(base, 50)
        print(f"warm      POST -> first prompt byte      {fmt(warm)}   ratio p50 {ratio:.2f}x baseline")

        s = b.session("shell")
        ws = b.connect(s)
        read_until(ws, b"$ ")
        echo = []
        for i in range(200):
            ch = "x" if i % 2 == 0 else "\x7f"
            t0 = time.perf_counter()
            ws.send(json.dumps({"type": "input", "data": ch}))
            while True:
                op, data = ws.recv_data()
                if op == websocket.ABNF.OPCODE_BINARY:
                    break
            echo.append(time.perf_counter() - t0)
        print(f"echo      keystroke -> echo               {fmt(echo)}")
        size = 10 * 1024 * 1024
        cmd = f"clear; head -c {size} /dev/zero | tr '\\0' a; echo; echo END-$((6*7))\r"
        ws.send(json.dumps({"type": "input", "data": cmd}))
        read_until(ws, b"\x1b[H")  # 'clear' done
        t0 = time.perf_counter()
        got = read_until(ws, b"END-42", limit=300)
        dt = time.perf_counter() - t0
        print(
            f"throughput 10 MiB through the terminal   {got / dt / 1e6:7.1f} MB/s "
            f"({got / 1e6:.1f} MB in {dt:.2f} s; the default per-session cap is output_rate = 4 MiB/s)"
        )
        ws.close()
        b.delete(s)

        avail0, rss0, shim0 = mem_available(), rss(b.proc.pid), shim_rss()
        opened: list[tuple[dict, websocket.WebSocket]] = []

        def open_one(_: int):
            s = b.session("shell")
            w = b.connect(s)
            read_until(w, b"$ ")
            return s, w

        stop_drain = threading.Event()
        threading.Thread(target=drain, args=(opened, stop_drain), daemon=True).start()
        t0 = time.perf_counter()
        failed = 0
        with ThreadPoolExecutor(max_workers=4) as ex:
            for fut in [ex.submit(open_one, i) for i in range(args.idle)]:
                try:
                    opened.append(fut.result())
                except Exception as exc:  # noqa: BLE001
                    failed += 1
                    print(f"  idle session failed: {exc}")
        took = time.perf_counter() - t0
        time.sleep(3)
        n = len(opened)
        alive = 0
        stop_drain.set()
        time.sleep(0.3)
        for _s, w in opened[:: max(1, n // 10)]:
            w.send(json.dumps({"type": "input", "data": "echo ok-$((2+3))\r"}))
            read_until(w, b"ok-5", limit=30)
            alive += 1
        ctr = [container_mem(c.id) for c in docker.from_env().containers.list(
            filters={"label": f"org.container-atlas.instance={b.instance}"})]  # fmt: skip
        ctr = [m for m in ctr if m is not None]
        per_host = (avail0 - mem_available()) / max(1, n)
        per_srv = (rss(b.proc.pid) - rss0) / max(1, n)
        per_shim = (shim_rss() - shim0) / max(1, n)
        per_ctr = statistics.mean(ctr) if ctr else float("nan")
        print(f"idle      {n} idle sessions open ({failed} failed) in {took:.1f} s; {alive} sampled answered")
        print(
            f"memory    per idle session: container cgroup {per_ctr / 2**20:.1f} MiB, "
            f"server {per_srv / 2**20:.2f} MiB, engine shim {per_shim / 2**20:.1f} MiB; "
            f"host MemAvailable drop {per_host / 2**20:.1f} MiB (noisy on a shared machine)"
        )
        per = per_ctr + per_srv + per_shim
        if per > 0:
            fit = int(mem_available() / per) + n
            print(
                f"capacity  MemAvailable {mem_available() / 2**30:.1f} GiB left -> about {fit} "
                "idle sessions by memory (an idle session uses no CPU)"
            )
        print()
        print("targets:")
        w50, e50 = pct(warm, 50), pct(echo, 50)
        print(f"  warm p50 < 150 ms ............ {w50 * 1000:.1f} ms  {'OK' if w50 < 0.15 else 'MISSED'}")
        r = pct(cold, 50) / pct(base, 50)
        print(f"  cold p50 <= 1.5x baseline .... {r:.2f}x  {'OK' if r <= 1.5 else 'MISSED'}")
        print(f"  echo p50 < 10 ms ............. {e50 * 1000:.2f} ms  {'OK' if e50 < 0.01 else 'MISSED'}")
        print(f"  >= 100 idle sessions ......... {n}  {'OK' if n >= 100 else 'MISSED'}")
        for _, w in opened:
            w.close()
    finally:
        b.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
