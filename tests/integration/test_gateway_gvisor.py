"""`docker run --runtime runsc` through the gateway: the learner's one allowed alternative runtime.

gVisor is a stronger sandbox than runc, so the policy lets a learner choose it; everything else must hold
unchanged. Checked here with the real engine and real runsc: the container really runs on gVisor's kernel,
obeys its memory limit, lives in the session's cgroup (the session budget), cannot see or reach another
session, and every other runtime name is refused — by the CLI, by Compose and in a raw request.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gateway_harness import gateway, sandbox_pair  # noqa: F401 - fixture

from sandbox.gateway import cgroups

pytestmark = [pytest.mark.docker]
PREFIX = "denied by the Container Atlas sandbox policy: "
GVISOR = "docker run --rm --runtime runsc busybox"


@pytest.fixture(scope="module")
def pair(docker_client, gateway, runsc_available):  # noqa: F811
    """Sandboxes A (running a gVisor container `g`) and B, on one gateway configured with runc."""
    setup = ["docker run -d --name g --runtime runsc busybox sleep 600"]
    with sandbox_pair(docker_client, gateway, setup) as ab:
        yield ab


def test_runsc_is_gvisor_and_obeys_its_memory_limit(pair):
    a, _ = pair
    (c1, gv), (c2, plain), (c3, hog) = a.sh_each(
        [
            f"{GVISOR} sh -c 'dmesg | head -n 1; uname -r; cat /proc/net/dev; ps -o pid,comm'",
            "docker run --rm busybox uname -r",
            f"{GVISOR.replace('busybox', '-m 64m busybox')} sh -c "
            "'head -c 300m /dev/zero | tail >/dev/null; echo survived'",
        ]
    )
    assert c1 == 0 and c2 == 0, gv + plain
    lines = gv.splitlines()
    assert "Starting gVisor" in lines[0], gv  # gVisor's own kernel boots (its dmesg)
    assert lines[1] != plain.strip() == os.uname().release, (gv, plain)  # runc shares the host kernel
    assert "lo:" in gv and "eth0" not in gv, gv  # runsc --network=none (daemon.json): loopback only
    procs = gv.split("PID")[-1].splitlines()[1:]
    assert 1 <= len(procs) <= 3, gv  # its own PID space: sh, ps
    assert c3 == 137 and "survived" not in hog, f"a 300 MiB hog under -m 64m: exit {c3}\n{hog}"


def test_runsc_container_is_in_the_session_cgroup_with_its_budget(docker_client, pair):
    a, _ = pair
    code, cid = a.sh("docker inspect -f '{{.Id}}' g")
    assert code == 0, cid
    info = docker_client.api.inspect_container(cid.strip())
    hc = info["HostConfig"]
    plain = docker_client.api.inspect_container(a.sh("docker create busybox true")[1].strip())["HostConfig"]
    assert hc["Runtime"] == "runsc" and plain["Runtime"] == "runc"
    for key in ("CgroupParent", "Memory", "MemorySwap", "PidsLimit", "NanoCpus", "CapDrop", "SecurityOpt"):
        assert hc[key] == plain[key], f"{key}: runsc {hc[key]!r}, runc {plain[key]!r}"
    assert hc["CgroupParent"] == f"/atlas/{a.sid}/run" and not hc["Privileged"]
    # On the host, gVisor's own processes (sandbox, gofer) are charged to the session's cgroups.
    if cgroups.version() == 1:
        for ctrl in ("memory", "pids", "cpu"):
            procs = (
                cgroups.ROOT / ctrl / cgroups.PARENT / a.sid / "run" / info["Id"] / "cgroup.procs"
            ).read_text()
            assert str(info["State"]["Pid"]) in procs.split(), f"{ctrl}: {procs}"
    status = Path(f"/proc/{info['State']['Pid']}/status").read_text()
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert uid != "0", "gVisor's sandbox process runs as host root"


def test_b_cannot_see_or_touch_a_gvisor_container(docker_client, pair):
    a, b = pair
    cid = a.sh("docker inspect -f '{{.Id}}' g")[1].strip()
    answers = b.sh_each(
        [
            "docker ps -a --format '{{.Names}}'",
            f"{GVISOR.replace('busybox', '--pid container:g busybox')} true",
            f"docker run --rm --runtime runsc --volumes-from {cid} busybox true",
            f"docker exec {cid} true",
        ]
    )
    assert answers[0] == (0, "") or "g" not in answers[0][1].split(), answers[0]
    for code, out in answers[1:4]:
        assert code != 0 and "No such container" in out, out


def test_other_runtimes_are_refused_in_every_form(docker_client, pair):
    a, _ = pair
    names = ["io.containerd.runc.v2", "runc-debug", "io.containerd.runtime.v1.linux", "kata", "RUNSC"]
    compose = "services:\n  s:\n    image: busybox\n    command: uname -r\n    runtime: {}\n"
    body = '{"Image":"busybox","hostconfig":{"RUNTIME":"io.containerd.runc.v2"}}'
    cmds = [f"docker run --rm --runtime {n} busybox true" for n in names] + [
        f"mkdir -p ~/{d} && printf '{compose.format(rt)}' > ~/{d}/compose.yaml && "
        f"cd ~/{d} && docker compose run --rm s"
        for d, rt in (("good", "runsc"), ("bad", "io.containerd.runc.v2"))
    ]
    cmds.append(
        f"curl -s --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '{body}' "
        "-w ' %{http_code}' http://x/v1.41/containers/create"
    )
    answers = a.sh_each(cmds)
    for name, (code, out) in zip(names, answers, strict=False):
        assert code != 0 and f"{PREFIX}--runtime {name} is not allowed" in out, out
    code, out = answers[len(names)]
    assert code == 0 and out.strip().splitlines()[-1] != os.uname().release, f"compose runtime: runsc\n{out}"
    code, out = answers[len(names) + 1]
    assert code != 0 and f"{PREFIX}--runtime io.containerd.runc.v2 is not allowed" in out, out
    code, out = answers[-1]
    assert out.endswith(" 403") and "--runtime io.containerd.runc.v2 is not allowed" in out, out
