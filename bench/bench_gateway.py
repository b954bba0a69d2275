"""Overhead of the Docker API gateway: the same docker CLI commands through a session's gateway socket
and through the engine's own socket, interleaved in one run.

    .venv/bin/python bench/bench_gateway.py [--runs 20]

Prints p50/p95/mean per command and path, and the ratios (targets: run <= 1.2x, ps <= 1.5x).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker  # noqa: E402

from sandbox.config import gateway_settings  # noqa: E402
from sandbox.gateway import GatewayManager  # noqa: E402

ENGINE = "unix:///var/run/docker.sock"
COMMANDS = {"run": ["run", "--rm", "busybox", "true"], "ps": ["ps"]}
TARGETS = {"run": 1.2, "ps": 1.5}


def timed(host: str, args: list[str]) -> float:
    """Seconds one docker CLI invocation takes (it must succeed)."""
    start = time.perf_counter()
    proc = subprocess.run(["docker", "-H", host, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"docker {' '.join(args)} via {host} failed: {proc.stderr.strip()}")
    return elapsed


def summary(values: list[float]) -> str:
    """p50 / p95 / mean in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"mean {statistics.fmean(ordered) * 1000:7.1f} ms"
    )


def main() -> int:
    """Run the benchmark; exit 1 when a ratio misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="measured runs per command and path")
    opts = parser.parse_args()
    if shutil.which("docker") is None:
        print("bench_gateway: the docker CLI is needed", file=sys.stderr)
        return 2
    client = docker.from_env()
    state = tempfile.mkdtemp(prefix="atlas-bench-gateway-")
    settings, limits = gateway_settings({"state_dir": state}, instance="bench")
    manager = GatewayManager(client, settings, limits)
    sid = "bench" + secrets.token_hex(4)
    manager.open(sid)
    gateway = f"unix://{state}/{sid}/docker.sock"
    failed = False
    try:
        for args in COMMANDS.values():  # warm-up: caches, first network use
            timed(ENGINE, args), timed(gateway, args)
        results = {name: {"engine": [], "gateway": []} for name in COMMANDS}
        # What the policy itself costs (not the proxy): the engine, same network and limits as the gateway.
        same = [
            "run",
            "--rm",
            "--network",
            f"atlas-{sid}",
            "-m",
            str(limits.memory),
            "--memory-swap",
            str(limits.memory),
            "--cpus",
            str(limits.cpu),
            "--pids-limit",
            str(limits.pids),
            "busybox",
            "true",
        ]
        results["run"]["engine+policy"] = []
        for _ in range(opts.runs):
            for name, args in COMMANDS.items():
                results[name]["engine"].append(timed(ENGINE, args))
                results[name]["gateway"].append(timed(gateway, args))
            results["run"]["engine+policy"].append(timed(ENGINE, same))
        print(f"docker CLI through the gateway vs the engine socket, {opts.runs} interleaved runs each")
        for name, paths in results.items():
            ratio = statistics.median(paths["gateway"]) / statistics.median(paths["engine"])
            verdict = "ok" if ratio <= TARGETS[name] else "OVER TARGET"
            failed |= ratio > TARGETS[name]
            print(f"  {' '.join(COMMANDS[name]):24} engine  {summary(paths['engine'])}")
            print(f"  {'':24} gateway {summary(paths['gateway'])}")
            if "engine+policy" in paths:
                alike = statistics.median(paths["gateway"]) / statistics.median(paths["engine+policy"])
                print(
                    f"  {'':24} engine, same network and limits as the gateway forces "
                    f"{summary(paths['engine+policy'])}  (gateway / this: {alike:.3f})"
                )
            print(f"  {'':24} ratio (p50) {ratio:.3f}  target <= {TARGETS[name]}  {verdict}")
    finally:
        manager.shutdown()
        shutil.rmtree(state, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
