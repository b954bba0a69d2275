"""Counters and gauges of the sandbox service, rendered in the Prometheus text format."""

from __future__ import annotations

import threading
from collections import defaultdict


class Metrics:
    """Thread-safe counters; gauges are read from the session manager when rendering."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counters: dict[tuple[str, tuple], float] = defaultdict(float)

    def inc(self, name: str, value: float = 1, **labels: str) -> None:
        """Add `value` to counter `name` with `labels`."""
        with self.lock:
            self.counters[(name, tuple(sorted(labels.items())))] += value

    def get(self, name: str, **labels: str) -> float:
        """Current value of a counter."""
        with self.lock:
            return self.counters.get((name, tuple(sorted(labels.items()))), 0)


HELP = {
    "atlas_sandbox_sessions_created_total": ("counter", "Sessions created."),
    "atlas_sandbox_sessions_ended_total": ("counter", "Sessions ended, by reason."),
    "atlas_sandbox_sessions_rejected_total": (
        "counter",
        "Session requests refused, by HTTP status (and fair-use reason, sandbox/fairuse.py).",
    ),
    "atlas_sandbox_pool_hits_total": ("counter", "Sessions served from the warm pool."),
    "atlas_sandbox_pool_misses_total": ("counter", "Sessions that had to start a container."),
    "atlas_sandbox_bytes_out_total": ("counter", "Terminal bytes sent to browsers."),
    "atlas_sandbox_bytes_in_total": ("counter", "Terminal bytes typed by browsers."),
    "atlas_sandbox_throttled_seconds_total": ("counter", "Seconds terminal readers paused by the rate cap."),
    "atlas_sandbox_verify_total": ("counter", "Verify checks run, by result."),
    "atlas_sandbox_session_start_seconds_total": ("counter", "Total seconds spent creating sessions."),
    "atlas_sandbox_sessions_active": ("gauge", "Sessions alive now, by profile."),
    "atlas_sandbox_terminals_active": ("gauge", "Terminal WebSockets open now."),
    "atlas_sandbox_pool_ready": ("gauge", "Warm containers ready, by profile."),
    "atlas_sandbox_pool_target": ("gauge", "Configured warm pool size, by profile."),
}


def _fmt_labels(labels: tuple) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{str(v)}"' for k, v in labels)
    return "{" + inner + "}"


def render(metrics: Metrics, gauges: dict[tuple[str, tuple], float]) -> str:
    """Prometheus exposition text of every counter plus the given gauges."""
    with metrics.lock:
        values = dict(metrics.counters)
    values.update(gauges)
    by_name: dict[str, list] = defaultdict(list)
    for (name, labels), v in values.items():
        by_name[name].append((labels, v))
    lines = []
    for name in sorted(set(by_name) | set(HELP)):
        kind, text = HELP.get(name, ("untyped", name))
        lines.append(f"# HELP {name} {text}")
        lines.append(f"# TYPE {name} {kind}")
        series = by_name.get(name) or [((), 0)]
        for labels, v in sorted(series):
            num = int(v) if float(v).is_integer() else round(v, 6)
            lines.append(f"{name}{_fmt_labels(labels)} {num}")
    return "\n".join(lines) + "\n"
