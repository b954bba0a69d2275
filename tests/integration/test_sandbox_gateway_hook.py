# ruff: noqa: F811 - the sandbox_server fixture is imported from sandbox_server
"""The service's hook for the Docker API gateway: a `docker` session gets its own socket, and loses it."""

from __future__ import annotations

import time

import docker.errors
import pytest
import requests
from realparts import need
from sandbox_server import sandbox_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.docker]


def test_docker_profile_session_talks_to_its_gateway(sandbox_server, docker_client):
    try:
        docker_client.images.get("container-atlas/docker:latest")
    except docker.errors.ImageNotFound:
        need("image container-atlas/docker:latest", False, "run ./atlas setup")
    srv = sandbox_server(config={"profiles": {"docker": {"gateway": True}}})
    s, t = srv.shell("docker")
    try:
        out = t.run("docker version --format 'server={{.Server.Version}}'", r"server=\d+\.\d+", timeout=60)
        assert "server=" in out
        [ctr] = docker_client.containers.list(filters={"label": f"org.container-atlas.session={s['id']}"})
        mounts = {m["Destination"] for m in ctr.attrs["Mounts"]}
        assert "/var/run/docker.sock" in mounts and ctr.attrs["HostConfig"]["CapDrop"] == ["ALL"]
        networks = docker_client.networks.list(filters={"label": f"org.container-atlas.session={s['id']}"})
        assert networks, "the gateway made no per-session network"
    finally:
        t.close()
    r = requests.delete(f"{srv.url}/api/sessions/{s['id']}", params={"token": s["token"]}, timeout=60)
    assert r.status_code == 204
    end = time.monotonic() + 20
    flt = {"label": f"org.container-atlas.session={s['id']}"}
    while time.monotonic() < end and (
        docker_client.api.containers(all=True, filters=flt) or docker_client.networks.list(filters=flt)
    ):
        time.sleep(0.2)
    assert not docker_client.api.containers(all=True, filters=flt)
    assert not docker_client.networks.list(filters=flt)
