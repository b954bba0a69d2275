"""Nothing a session created exists after it ends: containers, images of every kind (tagged, untagged,
committed, the layers of a FAILED build), volumes, networks, its cgroup and its state folder.

The engine is shared with other tests running at the same time, so "the session's objects" are found
by what only this session can have made: its labels, its engine-side names (`atlas-<id>.`), and random
markers written into its build steps (found in every image's history).
"""

from __future__ import annotations

import secrets

import docker.errors
import pytest
from gateway_harness import leftovers, make_manager, start_sandbox

from sandbox.gateway import cgroups

pytestmark = [pytest.mark.docker]


def _ok(box, cmd: str) -> str:
    code, out = box.sh(cmd, 300)
    assert code == 0, f"{cmd}: {out}"
    return out


def _images_with(api, markers: list[str]) -> dict[str, list[str]]:
    """Image ids (any image in the engine) whose history contains one of `markers`."""
    found: dict[str, list[str]] = {}
    for img in api.images(all=True):
        try:
            history = api.history(img["Id"])
        except docker.errors.NotFound:
            continue
        text = " ".join(h.get("CreatedBy") or "" for h in history)
        hits = [m for m in markers if m in text]
        if hits:
            found[img["Id"]] = hits
    return found


def _named(api, sid: str) -> list[str]:
    """Engine objects whose names carry the session's prefix."""
    prefix = f"atlas-{sid}"
    names = [n for c in api.containers(all=True) for n in c.get("Names") or [] if prefix in n]
    names += [n["Name"] for n in api.networks() if prefix in n["Name"]]
    names += [v["Name"] for v in api.volumes().get("Volumes") or [] if prefix in v["Name"]]
    return names


def test_a_session_leaves_nothing_behind(docker_client, tmp_path_factory):
    api = docker_client.api
    manager = make_manager(docker_client, tmp_path_factory)
    box = start_sandbox(docker_client, manager, "l" + secrets.token_hex(5))
    markers = [secrets.token_hex(8) for _ in range(4)]
    tagged, untagged, failed, later = markers
    try:
        _ok(box, "docker run --rm busybox true")
        _ok(box, "docker run --name done busybox sh -c 'echo data > /f'")
        _ok(box, "docker commit done committed")
        _ok(box, "docker tag busybox mybusybox")
        # A compose-like application: its own network and volume, two services talking.
        _ok(box, "docker network create app && docker volume create dbdata")
        _ok(box, "docker run -d --name db --network app -v dbdata:/data busybox sleep 600")
        _ok(box, "docker run -d --name web --network app -p 8086:80 busybox sleep 600")
        _ok(box, "docker run --rm -v dbdata:/data busybox sh -c 'echo row > /data/table'")
        for name, steps in (
            ("good", f"RUN echo {tagged} > /m"),
            ("anon", f"RUN echo {untagged} > /m"),
            ("bad", f"RUN echo {failed} > /ok\nRUN echo {later} && false"),
        ):
            _ok(box, f"mkdir -p /tmp/{name} && printf 'FROM busybox\\n{steps}\\n' > /tmp/{name}/Dockerfile")
        _ok(box, "docker build -t good /tmp/good")
        _ok(box, "docker build -q /tmp/anon")
        code, out = box.sh("docker build -t bad /tmp/bad", 300)
        assert code != 0, f"the failing build must fail: {out}"
        made = _images_with(api, markers)
        assert {m for hits in made.values() for m in hits} >= {tagged, untagged, failed}, made
        assert len(leftovers(docker_client, box.sid)) >= 6, "control: the session's objects exist"
        assert (
            any(d.exists() for d in cgroups.SessionCgroup(box.sid, 0, 0, 0).dirs()) or manager.cgroup_problem
        )
    finally:
        try:
            box.container.remove(force=True)
        except docker.errors.NotFound:
            pass
        manager.close(box.sid)
        manager.shutdown()
    assert leftovers(docker_client, box.sid) == []
    assert _named(api, box.sid) == []
    assert _images_with(api, markers) == {}, "images (also untagged and of the failed build) are left"
    assert [d for d in cgroups.SessionCgroup(box.sid, 0, 0, 0).dirs() if d.exists()] == []
    assert not (manager.state_dir / box.sid).exists()
    docker_client.images.get("busybox")  # shared images stay


def test_a_crashed_server_leaves_nothing_behind_after_the_next_start(docker_client, tmp_path_factory):
    """The server dies (no close): the next one, on the same state folder, removes the session's objects
    and its cgroup at start-up."""
    api = docker_client.api
    first = make_manager(docker_client, tmp_path_factory)
    first.instance = "crash-" + secrets.token_hex(4)  # the second server cleans up this one's only
    box = start_sandbox(docker_client, first, "k" + secrets.token_hex(5))
    _ok(box, "docker volume create kept && docker run -d --name orphan -v kept:/k busybox sleep 600")
    assert any(d.exists() for d in cgroups.SessionCgroup(box.sid, 0, 0, 0).dirs()) or first.cgroup_problem
    first.disk.stop()  # the "crash": the first server's sessions are never closed, its sockets die
    first.acceptor.stop()
    for sock in first.sessions[box.sid].listeners:
        sock.close()
    box.container.remove(force=True)  # the service removes its dead instance's sandboxes first
    second = make_manager(docker_client, tmp_path_factory, state_dir=str(first.state_dir))
    second.instance = first.instance
    try:
        second.cleanup_orphans(set())
    finally:
        second.shutdown()
    assert leftovers(docker_client, box.sid) == []
    assert _named(api, box.sid) == []
    assert [d for d in cgroups.SessionCgroup(box.sid, 0, 0, 0).dirs() if d.exists()] == []
    assert not (first.state_dir / box.sid).exists()
