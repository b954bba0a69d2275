"""Capacity of one host (issue 16, docs/scaling.md): how many sessions fit, and where echo latency bends.

One run against the real engine, loopback only, the production server (`python -m sandbox.serve`):
  idle     open N sessions with their terminals attached; memory per session (the container's cgroup,
           its containerd shim's PSS, the service's growth) -> idle sessions per GiB
  active   N terminals typing at the same time (one key every `--interval` s each, as a fast typist);
           for each N: echo latency p50/p95 (key -> its echo on the WebSocket), host CPU busy (other
           jobs included), the CPU of the service and of the sandboxes (containers + shims) -> active
           sessions per core; "bends" = first N whose p95 > 3x the N=1 p95

Usage: .venv/bin/python bench/bench_capacity.py [--steps 1,10,25,50] [--interval 0.1] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import docker
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sandbox import Bench, container_mem, drain, mem_available, pct, rss  # noqa: E402 - its helpers


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the host since boot."""
    f = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


def proc_cpu(pids: list[int]) -> float:
    """CPU seconds (user+system) used by `pids` and their children so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def container_cpu(cids: list[str]) -> float:
    """CPU seconds used so far by the containers `cids` (cgroup v1 cpuacct or v2 cpu.stat)."""
    total = 0.0
    for cid in cids:
        for path, scale in ((f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage", 1e-9),
                            (f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/cpu.stat", 1e-6)):  # fmt: skip
            try:
                text = Path(path).read_text()
            except OSError:
                continue
            value = text.split()[1] if text.startswith("usage_usec") else text.split()[0]
            total += int(value) * scale
            break
    return total


def shim_pids(cids: list[str]) -> list[int]:
    """The engine's shim processes of the containers `cids` (`containerd-shim ... -id <cid>`)."""
    want, out = set(cids), []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if not (d / "comm").read_text().startswith("containerd-shim"):
                continue
            args = (d / "cmdline").read_bytes().split(b"\0")
            cid = args[args.index(b"-id") + 1].decode() if b"-id" in args else ""
        except (OSError, ValueError, IndexError):
            continue
        if cid in want:
            out.append(int(d.name))
    return out


def pss(pid: int) -> int:
    """Proportional set size of `pid` (shared pages divided among their users), bytes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def service_pids(master: int) -> list[int]:
    """The server's master and its workers."""
    out = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def wait_prompt(ws: websocket.WebSocket, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        op, data = ws.recv_data()
        if op == websocket.ABNF.OPCODE_BINARY and b"$ " in data:
            return
    raise TimeoutError("no prompt")


def typist(ws: websocket.WebSocket, interval: float, until: float, out: list[float], errors: list) -> None:
    """Type one key every `interval` s until `until`, timing each echo; then erase the line."""
    try:
        ws.settimeout(10)
        while time.monotonic() < until:
            t0 = time.perf_counter()
            ws.send('{"type":"input","data":"x"}')
            while True:
                op, data = ws.recv_data()
                if op == websocket.ABNF.OPCODE_BINARY and b"x" in data:
                    break
            out.append(time.perf_counter() - t0)
            time.sleep(max(0.0, interval - (time.perf_counter() - t0)))
        ws.send('{"type":"input","data":"\\u0015"}')  # Ctrl-U: erase what was typed
    except Exception as exc:  # noqa: BLE001 - counted and reported
        errors.append(exc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", default="1,10,25,50")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args(argv)
    steps = [int(x) for x in args.steps.split(",")]
    top = max(steps)
    print(f"host: {os.cpu_count()} CPU(s), MemAvailable {mem_available() / 2**30:.1f} GiB; steps {steps}, "
          f"one key per {args.interval * 1000:.0f} ms per terminal, {args.seconds:.0f} s each")  # fmt: skip
    bench = Bench("runc", top)
    opened: list[tuple[dict, websocket.WebSocket]] = []
    idle: list[tuple[dict, websocket.WebSocket]] = []  # read by a thread: answers the server's pings
    stop = threading.Event()
    threading.Thread(target=drain, args=(idle, stop), daemon=True).start()
    try:
        pids = service_pids(bench.server.proc.pid)
        svc0 = sum(rss(p) for p in pids)
        for _ in range(top):
            s = bench.session("shell")
            ws = bench.connect(s)
            wait_prompt(ws)
            opened.append((s, ws))
            idle.append((s, ws))
        time.sleep(3)
        api = docker.from_env().api
        label = "org.container-atlas.session="
        cids = [c["Id"] for s, _ in opened for c in api.containers(filters={"label": label + s["id"]})]
        mem = sum(container_mem(c) or 0 for c in cids)
        svc = sum(rss(p) for p in service_pids(bench.server.proc.pid)) - svc0
        shims = shim_pids(cids)
        shim = sum(pss(p) for p in shims)
        per = (mem + svc + shim) / top
        mib = 2**20 * top
        print(f"idle: {top} sessions, {per * top / mib:.1f} MiB each (container {mem / mib:.1f}, shim "
              f"{shim / mib:.1f}, service {svc / mib:.1f}) -> {2**30 / per:.0f} per GiB")  # fmt: skip
        pids = service_pids(bench.server.proc.pid)
        base_p95 = None
        print(f"{'active':>7} {'echo p50':>10} {'echo p95':>10} {'host CPU':>9} {'service':>8} "
              f"{'sandboxes':>10} {'per core':>9} {'errors':>6}")  # fmt: skip
        for n in steps:
            lat: list[float] = []
            errors: list = []
            idle[:] = opened[n:]
            time.sleep(0.5)  # the reader lets go of the terminals that now type
            shims = shim_pids(cids[:n])
            b0, t0, s0, w0 = *cpu_times(), proc_cpu(pids), time.monotonic()
            c0 = container_cpu(cids[:n]) + proc_cpu(shims)
            until = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=typist, args=(ws, args.interval, until, lat, errors))
                for _, ws in opened[:n]
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            b1, t1, s1, w1 = *cpu_times(), proc_cpu(pids), time.monotonic()
            sandboxes = (container_cpu(cids[:n]) + proc_cpu(shims) - c0) / (w1 - w0)
            busy = (b1 - b0) / (t1 - t0) * (os.cpu_count() or 1)  # cores busy on the host
            svc = (s1 - s0) / (w1 - w0)  # cores the service used
            if not lat:
                raise SystemExit(f"no echo at N={n}: {errors[:1]}")
            p50, p95 = pct(lat, 50) * 1000, pct(lat, 95) * 1000
            base_p95 = base_p95 or p95
            bent = "  <- bends (p95 > 3x N=1)" if p95 > 3 * base_p95 else ""
            per_core = n / max(1e-6, svc + sandboxes)
            err = f" ({type(errors[0]).__name__}: {errors[0]})" if errors else ""
            print(f"{n:>7} {p50:>8.1f}ms {p95:>8.1f}ms {busy:>7.2f}c {svc:>7.3f}c {sandboxes:>9.3f}c "
                  f"{per_core:>9.0f} {len(errors):>6}{bent}{err}")  # fmt: skip
            time.sleep(1)
    finally:
        stop.set()
        for _, ws in opened:
            try:
                ws.close()
            except Exception:  # noqa: BLE001
                pass
        bench.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
