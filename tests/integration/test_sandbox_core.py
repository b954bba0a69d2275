# ruff: noqa: F811 - the sandbox_server fixture is imported from sandbox_server
"""The sandbox service against the real engine: terminal, hardening, limits — under runc and runsc."""

from __future__ import annotations

import re
import time

import pytest
import requests
from sandbox_server import module_sandbox_server  # noqa: F401 - fixture

from sandbox.config import load_config

pytestmark = [pytest.mark.docker]


@pytest.fixture(scope="module", params=["runc", "runsc"])
def runtime_server(request, module_sandbox_server, docker_client):
    """A server (one per runtime, shared by this module's tests) whose shell profile uses that runtime."""
    if request.param == "runsc":
        request.getfixturevalue("runsc_available")
    return module_sandbox_server(config={"pool_size": 2, "profiles": {"shell": {"runtime": request.param}}})


def test_echo_resize_and_identity(runtime_server):
    srv = runtime_server
    s, t = srv.shell()
    try:
        assert "42" in t.run("echo $((6*7))", r"\n42\n")
        t.resize(100, 37)
        assert re.search(r"\n37 100\n", t.run("stty size", r"\n\d+ \d+\n"))
        out = t.run(
            'id -u; id -un; awk \'$2=="/"{print "root:" $4}\' /proc/mounts; touch /etc/x 2>&1; '
            "touch ~/ok && echo home-$((2*3))",
            r"home-6\n",
        )
        assert "\n1000\nlearner\n" in out
        assert re.search(r"root:ro[,\n]", out)
        assert re.search("Read-only file system|Permission denied", out)
        ctr = srv.docker.containers.get(_cid(srv, s))
        hc = ctr.attrs["HostConfig"]
        limits = load_config(None).limits  # the server runs with the declared limits
        assert hc["ReadonlyRootfs"] and hc["CapDrop"] == ["ALL"] and hc["PidsLimit"] == limits.pids
        assert hc["Memory"] == hc["MemorySwap"] == limits.memory and hc["NanoCpus"] == limits.nano_cpus
        assert hc["NetworkMode"] == "none" and "no-new-privileges" in hc["SecurityOpt"]
        assert not hc.get("Binds") and not ctr.attrs.get("Mounts")
        assert ctr.attrs["Config"]["Labels"]["org.container-atlas.session"] == s["id"]
    finally:
        t.close()


def _cid(srv, s) -> str:
    [c] = srv.docker.containers.list(filters={"label": f"org.container-atlas.session={s['id']}"})
    return c.id


def test_no_network_inside(runtime_server):
    s, t = runtime_server.shell()
    try:
        out = t.run(
            "ip -o link | grep -cv ' lo:'; curl -sS -m 3 http://127.0.0.1:5000/ 2>&1; "
            "curl -sS -m 3 http://1.1.1.1/ 2>&1; echo net-$((2*3))",
            r"net-6\n",
            timeout=20,
        )
        assert "\n0\n" in out  # no interface but loopback
        assert "Failed to connect" in out or "Couldn't connect" in out
        assert "<html" not in out.lower()
    finally:
        t.close()


def test_fork_bomb_contained_and_server_responsive(runtime_server):
    srv = runtime_server
    s, t = srv.shell()
    s2, t2 = srv.shell()
    try:
        t.send(":(){ :|:& };:\n")
        # runc: bash reports the refused forks; runsc: the bombing shell may die. Either way it is contained.
        end = time.monotonic() + 30
        while time.monotonic() < end and not t.closed:
            if re.search("fork: (retry: )?Resource temporarily unavailable", t.text):
                break
            t.drain(0.5)
        assert "Resource temporarily unavailable" in t.text or any(e["type"] == "exit" for e in t.events)
        assert requests.get(srv.url + "/healthz", timeout=5).status_code == 200
        assert "\nalive-7\n" in t2.run("echo alive-$((3+4))", r"\nalive-7\n", timeout=20)
        if not t.events:
            ctr = srv.docker.containers.get(_cid(srv, s))
            assert ctr.attrs["HostConfig"]["PidsLimit"] == 128 and ctr.status == "running"
    finally:
        t.close()
        t2.close()


def test_memory_hog_is_oom_killed(runtime_server):
    """runc: the kernel kills the hog (exit 137, the shell lives on); runsc: the whole sandbox (exit 137)."""
    s, t = runtime_server.shell()
    try:
        t.send("head -c 400m /dev/zero | tail > /dev/null; echo code=$?\n")
        end = time.monotonic() + 90
        while time.monotonic() < end and not t.closed and not re.search(r"code=\d+", t.text):
            t.drain(0.5)
        exits = [e for e in t.events if e["type"] == "exit"]
        if exits:
            assert exits[0]["code"] == 137
        else:
            assert "code=137" in t.text
            assert "back-2" in t.run("echo back-$((1+1))", r"back-2\n")
    finally:
        t.close()


def test_exit_sends_exit_event_and_removes_container(runtime_server):
    srv = runtime_server
    s, t = srv.shell()
    try:
        t.send("exit 3\n")
        ev = t.wait_event("exit")
        assert ev["code"] == 3
        r = requests.get(
            f"{srv.url}/api/sessions/{s['id']}", headers={"Authorization": f"Bearer {s['token']}"}
        )
        assert r.status_code == 404
        flt = {"label": f"org.container-atlas.session={s['id']}"}
        end = time.monotonic() + 10
        while srv.docker.api.containers(all=True, filters=flt) and time.monotonic() < end:
            time.sleep(0.1)
        assert not srv.docker.api.containers(all=True, filters=flt)
    finally:
        t.close()
