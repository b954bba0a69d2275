# ruff: noqa: F811 - the sandbox_server fixture is imported from sandbox_server
"""Sessions survive a restart of the service (`kill -9` and a clean stop): same shell process, same
files, same learner containers, the gateway and the preview work again; sessions whose deadline passed
while the service was down are removed."""

from __future__ import annotations

import shutil
import tempfile
import time

import docker.errors
import pytest
import requests
from realparts import need
from sandbox_server import PROMPT, sandbox_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.docker]


def _gone(docker_client, sid: str, timeout: float = 20) -> bool:
    flt = {"label": f"org.container-atlas.session={sid}"}
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not docker_client.api.containers(all=True, filters=flt):
            return True
        time.sleep(0.2)
    return False


def _shell_id(t) -> str:
    """What only the same shell process answers: its PID, its start time and a variable set in it."""
    out = t.run("echo id=$$-$(cut -d' ' -f22 /proc/$$/stat)-${KEPT:-unset}; KEPT=yes", r"id=\S+")
    return out.split("id=")[-1].split()[0]


def test_shell_session_survives_kill_9_and_clean_restart(sandbox_server, docker_client):
    srv = sandbox_server(config={"pool_size": 1, "profiles": {"docker": {"lifetime": 4}}})
    s, t = srv.shell()
    before = _shell_id(t).replace("-unset", "-yes")  # KEPT is set from now on, in this shell only
    t.run("echo kept > ~/note.txt && echo written", r"written")
    short = srv.session("docker")  # lifetime 4 s: it expires while the service is down (first restart)
    expired = time.monotonic() + 4.5
    instance = srv.instances[0]
    for sig in ("kill", "term"):
        srv.stop(sig=sig, keep_sessions=True)
        if sig == "term":
            t.wait_event("restarting", timeout=30)  # the terminal was told, not "expired"
        t.close()
        time.sleep(max(0.0, expired - time.monotonic()))  # only what is left of its lifetime, once
        srv.start()
        assert srv.instances == [instance], "the instance id changed across the restart"
        t = srv.term(s)
        t.wait_for(PROMPT, timeout=30)
        assert _shell_id(t) == before, "not the same shell process after the restart"
        assert "kept" in t.run("cat ~/note.txt", r"kept")
        assert requests.get(f"{srv.url}/api/sessions/{s['id']}", params={"token": s["token"]}, timeout=10).ok
        wrong = requests.get(f"{srv.url}/api/sessions/{s['id']}", params={"token": "x" * 43}, timeout=10)
        assert wrong.status_code == 403  # the token hash was adopted, not any token
    gone = requests.get(f"{srv.url}/api/sessions/{short['id']}", params={"token": short["token"]}, timeout=10)
    assert gone.status_code == 404 and _gone(docker_client, short["id"])
    t.close()
    srv.stop()  # and stop + remove (as ./atlas down) leaves nothing
    assert _gone(docker_client, s["id"]) and not srv.containers()


def test_docker_session_restart(sandbox_server, docker_client):
    """Containers, published ports and the preview of a `docker` session work again after restarts."""
    for ref in ("container-atlas/docker:latest", "httpd:latest"):
        try:
            docker_client.images.get(ref)
        except docker.errors.ImageNotFound:
            need(f"image {ref}", False, "run ./atlas setup")
    short = tempfile.mkdtemp(prefix="gw", dir="/tmp")  # Unix socket paths must stay under 108 bytes
    srv = sandbox_server(config={"profiles": {"docker": {"gateway": True}}, "gateway": {"state_dir": short}})
    s, t = srv.shell("docker")
    before = _shell_id(t).replace("-unset", "-yes")  # KEPT is set from now on, in this shell only
    t.run("docker run -d --name web -p 8080:80 httpd >/dev/null && echo started", r"started", timeout=90)
    t.run("curl -s localhost:8080", r"It works", timeout=30)
    for sig in ("kill", "term"):
        srv.stop(sig=sig, keep_sessions=True)
        t.close()
        srv.start()
        t = srv.term(s)
        t.wait_for(PROMPT, timeout=30)
        assert _shell_id(t) == before, "not the same shell process after the restart"
        assert "web" in t.run("docker ps --format 'name={{.Names}}'", r"name=web", timeout=30)
        end = time.monotonic() + 15
        out = ""
        while "It works" not in out and time.monotonic() < end:  # the forwarder reconnects within ~1 s
            out = t.run("curl -s -m 3 localhost:8080; echo done", r"done", timeout=10)
        assert "It works" in out, out
        preview = requests.get(f"{srv.url}/preview/{s['id']}/8080/", params={"token": s["token"]}, timeout=20)
        assert preview.status_code == 200 and "It works" in preview.text
    t.close()
    srv.stop()
    assert _gone(docker_client, s["id"])
    flt = {"label": f"org.container-atlas.session={s['id']}"}
    assert not docker_client.networks.list(filters=flt)
    shutil.rmtree(short, ignore_errors=True)
