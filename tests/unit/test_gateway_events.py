"""Which engine events a session sees (event_filters.session_event): its own objects' only.

Containers named in these events are either known to the session or already known to be foreign, so
the rule is decided without asking the engine (the engine paths are in the integration tests)."""

from __future__ import annotations

import pytest

from sandbox.gateway.event_filters import session_event
from sandbox.gateway.policy import LABEL_ORIGIN, LABEL_SESSION
from sandbox.gateway.session import Session

MINE, THEIRS = "c" * 64, "d" * 64
NET_ID = "e" * 64


def _session() -> Session:
    sess = Session(id="s1", instance="", dir=None, network="atlas-s1", network_id=NET_ID)  # type: ignore[arg-type]
    sess.containers.add(MINE)
    return sess


def _event(kind: str, oid: str, **attrs: str) -> dict:
    return {"Type": kind, "Action": "x", "Actor": {"ID": oid, "Attributes": attrs}}


OURS = {LABEL_SESSION: "s1", LABEL_ORIGIN: "gateway"}
SEEN = [
    _event("container", MINE, name="atlas-s1.web", **OURS),
    _event("image", "sha256:" + "a" * 64, name="atlas-s1.mine:latest", **OURS),
    _event("network", NET_ID, name="atlas-s1", type="bridge"),
    _event("network", "f" * 64, name="atlas-s1.mynet", type="bridge"),
    _event("network", NET_ID, name="atlas-s1", container=MINE),
    _event("volume", "atlas-s1.data", driver="local"),
    _event("volume", "b" * 64, container=MINE, destination="/anon"),
]
HIDDEN = [
    _event("container", THEIRS, name="atlas-s2.web", **{LABEL_SESSION: "s2", LABEL_ORIGIN: "gateway"}),
    _event("container", THEIRS, name="atlas-test-sbx-s1", **{LABEL_SESSION: "s1"}),  # the sandbox itself
    _event("image", "sha256:" + "a" * 64, name="busybox:latest"),
    _event("network", "f" * 64, name="atlas-s10.mynet", type="bridge"),
    _event("network", "f" * 64, name="atlas-s1x", type="bridge"),
    _event("network", NET_ID, name="atlas-s1", container=THEIRS),
    _event("network", "0" * 64, name="none", container=MINE),
    _event("volume", "atlas-s2.data", driver="local"),
    _event("volume", "b" * 64, driver="local"),
    _event("volume", "b" * 64, container=THEIRS, destination="/anon"),
    _event("volume", "", reclaimed="0"),
    _event("daemon", "x", name="engine"),
    {"Type": "network", "Actor": "not an object"},
    {},
]


@pytest.mark.parametrize("ev", SEEN)
def test_the_session_sees_its_own_objects_events(ev):
    assert session_event(ev, _session(), None, set())


@pytest.mark.parametrize("ev", HIDDEN)
def test_no_other_event_reaches_the_session(ev):
    assert not session_event(ev, _session(), None, {THEIRS})
