"""Defense in depth: a container that DID get host binds (made directly on the engine, bypassing the
gateway, as a policy bug would allow) still cannot read a root-only host file, write the host's /etc,
or connect to the engine socket, because the engine remaps user namespaces (container root is an
unprivileged host uid).

The engine is the one DOCKER_HOST names (the default socket): point DOCKER_HOST at a second dockerd
started with --userns-remap=default to try it before the main engine is switched. In CI the engine must
run with remapping at all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import docker.errors
import pytest
from realparts import need

pytestmark = [pytest.mark.docker]
IMAGE = "debian:bookworm"  # has perl (Essential), which can open a Unix socket
CONNECT = (
    'use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => "/s"); '
    'print $s ? "connected\\n" : "refused: $!\\n";'
)


def _remapped(client) -> bool:
    return any("name=userns" in o for o in client.info().get("SecurityOptions") or [])


@pytest.fixture(scope="module")
def remapped_engine(docker_client):
    """The engine, which must run with userns-remap (a failure in CI, a skip locally)."""
    need("an engine with userns-remap", _remapped(docker_client), 'daemon.json: "userns-remap": "default"')
    try:
        docker_client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        need(f"image {IMAGE}", False, "run ./atlas setup")
    return docker_client


def _engine_socket() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return host.removeprefix("unix://") if host.startswith("unix://") else "/var/run/docker.sock"


def _run(client, script: str, binds: dict, user: str | None = None, runtime: str | None = None) -> str:
    """Run `script` in a container with host `binds`, created directly on the engine; its output."""
    ctr = client.containers.create(
        IMAGE,
        ["sh", "-c", script],
        volumes=binds,
        network_mode="none",
        user=user,
        runtime=runtime,
        name=f"atlas-test-userns-{secrets.token_hex(4)}",
        labels={"org.container-atlas.test": "userns"},
    )
    try:
        ctr.start()
        ctr.wait(timeout=60)
        return ctr.logs().decode()
    finally:
        ctr.remove(force=True)


def test_engine_runs_with_user_namespace_remapping(remapped_engine):
    out = _run(remapped_engine, "cat /proc/self/uid_map", {})
    inside, outside, _count = out.split()[:3]
    assert inside == "0" and outside != "0", f"container root is host uid {outside}: {out}"


def test_a_host_bind_of_etc_cannot_read_shadow_or_write(remapped_engine):
    marker = f"atlas-userns-{secrets.token_hex(4)}"
    script = (
        "cat /h/shadow >/dev/null 2>&1 && echo READ-SHADOW; "
        f"touch /h/{marker} 2>/dev/null && echo WROTE-ETC; "
        # the shell reports a failed redirection itself, on stderr, which may arrive after the stat
        "{ echo x >> /h/hostname; } 2>/dev/null && echo APPENDED; "
        "head -c 5 /h/hostname >/dev/null && echo READ-PUBLIC; "
        "stat -c '%u' /h/shadow"
    )
    out = _run(remapped_engine, script, {"/etc": {"bind": "/h", "mode": "rw"}})
    assert "READ-PUBLIC" in out, f"control: world-readable files must stay readable: {out}"
    assert "READ-SHADOW" not in out and "WROTE-ETC" not in out and "APPENDED" not in out, out
    assert out.split()[-1] == "65534", f"host root must look like nobody inside: {out}"
    assert not Path("/etc", marker).exists()


def test_a_bind_of_the_engine_socket_cannot_be_connected(remapped_engine):
    sock = _engine_socket()
    out = _run(remapped_engine, f"perl -e '{CONNECT}'", {sock: {"bind": "/s", "mode": "rw"}})
    assert out.startswith("refused: Permission denied"), out


def test_the_learners_uid_cannot_either(remapped_engine):
    out = _run(
        remapped_engine,
        f"cat /h/shadow >/dev/null 2>&1 && echo READ-SHADOW; perl -e '{CONNECT}'",
        {"/etc": {"bind": "/h", "mode": "ro"}, _engine_socket(): {"bind": "/s", "mode": "rw"}},
        user="1000:1000",
    )
    assert "READ-SHADOW" not in out and "refused: Permission denied" in out, out


def test_gvisor_under_remapping_cannot_either(remapped_engine, runsc_available):
    script = (
        "cat /h/shadow >/dev/null 2>&1 && echo READ-SHADOW; "
        "touch /h/atlas-userns-x 2>/dev/null && echo WROTE; "
        "head -c 5 /h/hostname >/dev/null && echo READ-PUBLIC"
    )
    out = _run(remapped_engine, script, {"/etc": {"bind": "/h", "mode": "rw"}}, runtime="runsc")
    assert "READ-PUBLIC" in out and "READ-SHADOW" not in out and "WROTE" not in out, out
    try:  # gVisor's gofer, remapped, cannot even open the engine socket to mount it
        out = _run(
            remapped_engine, f"perl -e '{CONNECT}'", {_engine_socket(): {"bind": "/s"}}, runtime="runsc"
        )
    except docker.errors.APIError as exc:
        assert "/s" in str(exc) and "not permitted" in str(exc), exc
    else:
        assert out.startswith("refused"), out


def test_the_sandbox_user_reaches_its_own_gateway_socket_and_no_one_else_may(
    remapped_engine, tmp_path_factory
):
    from gateway_harness import make_manager

    manager = make_manager(remapped_engine, tmp_path_factory, engine_socket=_engine_socket())
    sid = "u" + secrets.token_hex(5)
    try:
        opened = manager.open(sid)
        folder = manager.state_dir / sid
        sock = folder / "docker.sock"
        assert oct(sock.stat().st_mode & 0o777) == "0o660", "the socket must not be world-writable"
        assert oct(folder.stat().st_mode & 0o777) == "0o750"
        assert sock.stat().st_gid == manager.socket_gid() != 1000, "the group is the remapped learner's"
        ping = (
            'use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => "/var/run/docker.sock") '
            'or die "refused: $!\\n"; '
            'print $s "GET /_ping HTTP/1.1\\r\\nHost: d\\r\\nConnection: close\\r\\n\\r\\n"; print <$s>;'
        )
        outs = {}
        for user in ("1000:1000", "2000:2000"):  # the learner, and any other user in a container
            ctr = remapped_engine.containers.run(
                IMAGE,
                ["perl", "-e", ping],
                detach=True,
                user=user,
                network_mode="none",
                mounts=opened["mounts"],
                cgroup_parent=opened.get("cgroup_parent"),
                labels={"org.container-atlas.test": "userns"},
            )
            try:
                ctr.wait(timeout=30)
                outs[user] = ctr.logs().decode()
            finally:
                ctr.remove(force=True)
        assert "200 OK" in outs["1000:1000"] and outs["1000:1000"].rstrip().endswith("OK"), outs
        assert outs["2000:2000"].startswith("refused: Permission denied"), outs
    finally:
        manager.close(sid)
        manager.shutdown()
