"""When a session ends (or its server died), everything it created goes; shared images stay."""

from __future__ import annotations

import secrets

import docker.errors
import pytest
from gateway_harness import leftovers, make_manager, start_sandbox

pytestmark = [pytest.mark.docker]
MAKE_EVERYTHING = [
    "docker network create tnet",
    "docker volume create tvol",
    "docker run -d --name tweb --network tnet -p 8082:80 -v tvol:/v busybox sleep 600",
    "docker run --name tdone busybox true",
    "docker tag busybox tagged-{sid}",
    "docker commit tdone committed-{sid}",
    "mkdir -p /tmp/b && printf 'FROM busybox\\nRUN echo x > /x\\n' > /tmp/b/Dockerfile",
    "docker build -t built-{sid} /tmp/b",
]


def _populate(box) -> list[str]:
    for cmd in MAKE_EVERYTHING:
        code, out = box.sh(cmd.format(sid=box.sid))
        assert code == 0, f"{cmd}: {out}"
    return [f"{kind}-{box.sid}:latest" for kind in ("tagged", "committed", "built")]


def _gone(client, tags: list[str]) -> list[str]:
    """Names (as the learner gave them, or as the engine holds them) still present."""
    left = []
    for tag in tags:
        for name in (tag, f"atlas-{tag.split('-', 1)[1].split(':')[0]}.{tag}"):
            try:
                client.images.get(name)
                left.append(name)
            except docker.errors.ImageNotFound:
                pass
    return left


def test_close_removes_everything_and_keeps_shared_images(docker_client, tmp_path_factory):
    manager = make_manager(docker_client, tmp_path_factory)
    box = start_sandbox(docker_client, manager, "c" + secrets.token_hex(5))
    try:
        tags = _populate(box)
        assert len(leftovers(docker_client, box.sid)) >= 5
        assert len(_gone(docker_client, tags)) == 3, "control: the session's images exist while it runs"
    finally:
        box.container.remove(force=True)
        manager.close(box.sid)
        manager.shutdown()
    assert leftovers(docker_client, box.sid) == []
    assert _gone(docker_client, tags) == []
    docker_client.images.get("busybox")
    assert not (manager.state_dir / box.sid).exists()


def test_orphans_of_a_dead_server_are_removed(docker_client, tmp_path_factory):
    first = make_manager(docker_client, tmp_path_factory)
    box = start_sandbox(docker_client, first, "o" + secrets.token_hex(5))
    try:
        tags = _populate(box)
    finally:
        box.container.remove(force=True)
    # The server "dies" without closing the session; a new one starts on the same state folder.
    second = make_manager(docker_client, tmp_path_factory, state_dir=str(first.state_dir))
    try:
        second.cleanup_orphans(set())
        assert leftovers(docker_client, box.sid) == []
        assert _gone(docker_client, tags) == []
        docker_client.images.get("busybox")
    finally:
        second.shutdown()
        first.shutdown()  # only releases the dead server's sockets: its objects are already gone
