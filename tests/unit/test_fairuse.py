"""Fair-use arithmetic (sandbox.fairuse): the sliding minute and its Retry-After, the docker caps with
creations still in flight. The HTTP side runs against the real server in test_sandbox_operate.py."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from sandbox.config import load_config
from sandbox.errors import TooManyRequests
from sandbox.fairuse import FairUse
from sandbox.metrics import Metrics


def _fair(**overrides) -> FairUse:
    cfg = load_config(None, overrides={"profiles": {"docker": {"gateway": True}}, **overrides}, environ={})
    manager = SimpleNamespace(
        lock=threading.Lock(), sessions={}, metrics=Metrics()
    )  # the fields FairUse reads
    return FairUse(cfg, manager)


def test_sliding_minute_and_retry_after():
    fair = _fair(session_creations_per_minute=2)
    fair.admit("a", False, now=100.0)
    fair.admit("a", False, now=110.0)
    with pytest.raises(TooManyRequests) as exc:
        fair.admit("a", False, now=130.0)
    assert exc.value.headers() == {"Retry-After": "30"}  # the creation at 100 leaves the minute at 160
    fair.admit("b", False, now=130.0)  # another client is not affected
    fair.admit("a", False, now=160.5)  # the oldest one left the minute
    assert (
        fair.manager.metrics.get(
            "atlas_sandbox_sessions_rejected_total", status="429", reason="creation_rate"
        )
        == 1
    )


def test_docker_caps_count_creations_in_flight():
    fair = _fair(session_creations_per_minute=0, max_docker_sessions=2, max_docker_sessions_per_client=1)
    fair.admit("a", True)  # still being created: counts already
    with pytest.raises(TooManyRequests, match="already have 1 Docker"):
        fair.admit("a", True)
    fair.admit("a", False)  # a shell is fine
    fair.admit("b", True)
    with pytest.raises(TooManyRequests, match="All 2 Docker sandboxes"):
        fair.admit("c", True)
    fair.release("b")  # b's creation failed: its seat is free again
    fair.admit("c", True)
