"""Budgets that hold for the whole session: memory, pids, CPU and disk, whatever the learner combines.

Each attack runs from inside a real sandbox (the docker CLI through the gateway) and is judged on the
host: the session's cgroup files, the engine's view of the containers, another session's timing.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from gateway_harness import make_manager, own_sandbox, start_sandbox, stop_sandbox
from realparts import need

from sandbox.gateway import cgroups

pytestmark = [pytest.mark.docker]
MiB = 1024 * 1024
CG = cgroups.ROOT


def _need_v1() -> None:
    need("cgroup v1 memory/cpu/pids controllers", cgroups.version() == 1, "these checks read v1 files")
    need("root (to create cgroups)", cgroups.probe() == "", cgroups.probe())


def _read(ctrl: str, sid: str, name: str) -> str:
    return (CG / ctrl / cgroups.PARENT / sid / name).read_text().strip()


def _ok(box, cmd: str, timeout: int = 120) -> str:
    code, out = box.sh(cmd, timeout)
    assert code == 0, f"{cmd}: {out}"
    return out


def _cgroup_parent(client, box, name: str) -> str:
    cid = _ok(box, f"docker inspect -f '{{{{.Id}}}}' {name}").strip()
    return client.api.inspect_container(cid)["HostConfig"]["CgroupParent"]


@pytest.fixture
def session(docker_client, tmp_path_factory, request):
    """A sandbox whose gateway has the budget given by `@pytest.mark.parametrize(... indirect)`."""
    _need_v1()
    with own_sandbox(docker_client, tmp_path_factory, "q", **getattr(request, "param", {})) as box:
        yield box
    assert [d for d in cgroups.SessionCgroup(box.sid, 0, 0, 0).dirs() if d.exists()] == []


BUDGET = {
    "budget": {
        "session_memory": 300 * MiB,
        "session_pids": 100,
        "session_cpus": 1.0,
        "memory": 100 * MiB,
        "pids": 64,
    }
}


@pytest.mark.parametrize("session", [BUDGET], indirect=True)
def test_session_cgroup_holds_the_sandbox_and_its_containers(docker_client, session):
    box = session
    assert int(_read("memory", box.sid, "memory.limit_in_bytes")) == 300 * MiB
    assert int(_read("memory", box.sid, "memory.memsw.limit_in_bytes")) == 300 * MiB
    # What the session runs gets the total less the sandbox's own 100 MiB.
    assert int(_read("memory", f"{box.sid}/run", "memory.memsw.limit_in_bytes")) == 200 * MiB
    assert _read("pids", box.sid, "pids.max") == "100"
    assert _read("cpu", box.sid, "cpu.cfs_quota_us") == "100000"
    box.container.reload()
    assert box.container.attrs["HostConfig"]["CgroupParent"] == f"/atlas/{box.sid}"
    _ok(box, "docker run -d --name inner busybox sleep 600")
    assert _cgroup_parent(docker_client, box, "inner") == f"/atlas/{box.sid}/run"
    assert _read("pids", f"{box.sid}/run", "pids.max") == "36"  # 100 less the sandbox's own 64
    _ok(box, "docker run -d --name asks --cgroup-parent / busybox sleep 600 || true")
    # Whatever the learner asks for, nothing escapes the session's cgroup (refused or overridden).
    names = _ok(box, "docker ps -a --format '{{.Names}}'").split()
    if "asks" in names:
        assert _cgroup_parent(docker_client, box, "asks") == f"/atlas/{box.sid}/run"


def _memory_limit_hit(sid: str) -> bool:
    """The kernel refused the session memory or OOM-killed a process in it (the kill is counted in the
    victim's own cgroup, below the session's)."""
    base = CG / "memory" / cgroups.PARENT / sid
    fails = int(_read("memory", sid, "memory.failcnt")) + int(_read("memory", sid, "memory.memsw.failcnt"))
    kills = 0
    for path in [base, *(p for p in base.rglob("*") if p.is_dir())]:
        oom = dict(line.split() for line in (path / "memory.oom_control").read_text().splitlines())
        kills += int(oom.get("oom_kill", 0))
    return fails > 0 or kills > 0


def settled(read, least: int, quiet: float = 1.5, limit: float = 20) -> int:
    """Poll `read()` until it has reached `least` and then not changed for `quiet` seconds (the attack
    pushed as far as it could), or `limit` seconds passed; the last value."""
    deadline, value, since = time.monotonic() + limit, None, time.monotonic()
    while time.monotonic() < deadline:
        now = read()
        if now != value:
            value, since = now, time.monotonic()
        elif value >= least and time.monotonic() - since >= quiet:
            break
        time.sleep(0.25)
    return value


@pytest.mark.parametrize("session", [BUDGET], indirect=True)
def test_three_memory_hogs_share_the_session_total(session):
    box = session
    hold = "sh -c 'dd if=/dev/zero bs=80M count=1 | sleep 600'"  # dd holds its 80 MiB buffer
    for i in range(3):  # each fits its own 100 MiB; together 240 MiB > the 200 MiB the session leaves
        box.sh(f"docker run -d --name hog{i} busybox {hold}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _memory_limit_hit(box.sid):
        time.sleep(0.5)
    peak = int(_read("memory", f"{box.sid}/run", "memory.max_usage_in_bytes"))
    assert _memory_limit_hit(box.sid), "the session total was never reached"
    assert peak <= 200 * MiB
    assert peak > 150 * MiB, f"peak {peak // MiB} MiB: the hogs were not counted together"
    assert int(_read("memory", box.sid, "memory.max_usage_in_bytes")) <= 300 * MiB


@pytest.mark.parametrize("session", [BUDGET], indirect=True)
def test_fork_bomb_across_two_containers_stops_at_the_session_pids(session):
    box = session
    # The inner shell forks until it fails (and dies); its orphans live on under the outer one.
    bomb = """sh -c 'sleep 600 & sh -c "for i in \\$(seq 300); do sleep 300 & done"; wait'"""
    for i in range(2):  # each container may have 64 pids alone; the session leaves its runs 36
        box.sh(f"docker run -d --name bomb{i} busybox {bomb}")  # the 2nd may not even start: no pids left
    run = CG / "pids" / cgroups.PARENT / box.sid / "run"
    settled(lambda: int((run / "pids.current").read_text()), 30)  # the bombs forked as far as they could
    current = int(_read("pids", box.sid, "pids.current"))
    in_run = int((run / "pids.current").read_text())
    assert current <= 100 and in_run <= 36, f"session {current}, its containers {in_run}"
    assert in_run >= 30, f"only {in_run} pids: the bombs did not run"
    # The learner's shell still has its own processes: it can clean up.
    _ok(box, "docker rm -f bomb0 bomb1 2>/dev/null; docker ps -aq | xargs -r docker rm -f")
    assert int((run / "pids.current").read_text()) == 0


@pytest.mark.parametrize("session", [BUDGET], indirect=True)
@pytest.mark.parametrize(
    "flags,path",
    [("--tmpfs /t:size=2g", "/t/x"), ("--shm-size 2g", "/dev/shm/x"), ("--mount type=tmpfs,dst=/m", "/m/x")],
)
def test_memory_file_systems_count_in_the_session_total(session, flags, path):
    box = session
    fill = f"dd if=/dev/zero of={path} bs=1M count=150; sleep 600"
    for i in range(2):  # files in memory are charged to the session, whatever size the mount asks for
        box.sh(f"docker run -d --name ram{i} {flags} busybox sh -c '{fill}'")
    peak = settled(lambda: int(_read("memory", f"{box.sid}/run", "memory.max_usage_in_bytes")), 100 * MiB)
    assert peak <= 200 * MiB, f"the session's containers peaked at {peak // MiB} MiB, over 200 MiB"
    assert peak > 100 * MiB, f"peak {peak // MiB} MiB: the files were not counted together"


def _loop_seconds(box, cmd: str) -> float:
    start = time.monotonic()
    _ok(box, cmd, timeout=300)
    return time.monotonic() - start


LOOP = "docker run --rm --cpus 0.5 busybox sh -c 'i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done'"


def test_cpu_hog_of_one_session_does_not_starve_another(docker_client, tmp_path_factory):
    _need_v1()
    manager = make_manager(docker_client, tmp_path_factory, budget={"session_cpus": 1.0})
    hog = start_sandbox(docker_client, manager, "h" + secrets.token_hex(5))
    quiet = start_sandbox(docker_client, manager, "w" + secrets.token_hex(5))
    try:
        base = min(_loop_seconds(quiet, LOOP) for _ in range(2))
        for i in range(4):  # 4 x 0.5 CPU with the largest weight the engine takes
            _ok(hog, f"docker run -d --name spin{i} --cpu-shares 262144 busybox sh -c 'while :; do :; done'")
        time.sleep(2)
        before = {b.sid: _cpu_seconds(b.sid) for b in (hog, quiet)}
        loaded = _loop_seconds(quiet, LOOP)
        spent = {b.sid: _cpu_seconds(b.sid) - before[b.sid] for b in (hog, quiet)}
    finally:
        assert stop_sandbox(docker_client, hog) == []
        assert stop_sandbox(docker_client, quiet) == []
        manager.shutdown()
    assert loaded < 3 * base + 1, f"the quiet loop took {loaded:.1f}s under load, {base:.1f}s without"
    # The hog really competed (it got at least as much CPU as the quiet loop), within its 1-CPU quota.
    assert spent[hog.sid] > spent[quiet.sid], f"CPU seconds while the loop ran: {spent}"
    assert spent[hog.sid] < 1.2 * loaded + 0.5, f"the hog session used {spent} in {loaded:.1f}s (> 1 CPU)"


def _cpu_seconds(sid: str) -> float:
    """CPU time used so far by everything in the session's cgroup."""
    return int((CG / "cpuacct" / cgroups.PARENT / sid / "cpuacct.usage").read_text()) / 1e9


DISK = {"budget": {"session_disk": 200 * MiB}, "disk_interval": 1.0}


GROWING = (
    "docker run --rm busybox true",
    "docker create busybox",
    "docker start filler",
    "docker restart filler",
    "docker volume create more",
    "docker commit filler snap",
    "docker cp /etc/hostname filler:/copied",
    "docker pull busybox",
    "printf 'FROM busybox\\n' | docker build -",
)


@pytest.mark.parametrize("session", [DISK], indirect=True)
def test_writing_past_the_disk_budget_stops_the_container_and_refuses_more(docker_client, session):
    box = session
    _ok(box, "docker run -d --name filler busybox sh -c 'dd if=/dev/zero of=/big bs=1M count=300; sleep 600'")
    cid = _ok(box, "docker inspect -f '{{.Id}}' filler").strip()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and docker_client.api.inspect_container(cid)["State"]["Running"]:
        time.sleep(0.5)
    assert not docker_client.api.inspect_container(cid)["State"]["Running"], "the filler was not stopped"
    for cmd in GROWING:
        code, out = box.sh(cmd)
        assert code != 0 and "disk budget" in out, f"{cmd}: {out}"
    for cmd in ("docker ps -a", "docker images", "docker logs filler", "docker inspect filler"):
        _ok(box, cmd)  # looking around still works
    _ok(box, "docker rm filler")  # freeing the space lets the learner go on
    _ok(box, "docker run --rm busybox true")


@pytest.mark.parametrize("session", [DISK], indirect=True)
def test_volume_writes_count_against_the_disk_budget(docker_client, session):
    box = session
    _ok(box, "docker volume create data && docker run -d --name calm busybox sleep 600")
    writer = "dd if=/dev/zero of=/d/big bs=1M count=250; sleep 600"
    _ok(box, f"docker run -d --name writer -v data:/d busybox sh -c '{writer}'")
    deadline = time.monotonic() + 30
    code, out = 0, ""
    while time.monotonic() < deadline and code == 0:
        code, out = box.sh("docker run --rm busybox true")
        time.sleep(1)
    assert code != 0 and "volumes 2" in out, out
    running = _ok(box, "docker ps --format '{{.Names}}'").split()
    assert running == ["calm"], f"the writer must be stopped, the bystander not: {running}"


@pytest.mark.parametrize("session", [DISK], indirect=True)
def test_a_build_step_writing_past_the_disk_budget_is_stopped(session):
    box = session
    step = "RUN dd if=/dev/zero of=/big bs=1M count=300 && sleep 60"
    _ok(box, f"mkdir -p /tmp/fill && printf 'FROM busybox\\n{step}\\n' > /tmp/fill/Dockerfile")
    start = time.monotonic()
    code, out = box.sh("docker build -t fill /tmp/fill", 180)
    took = time.monotonic() - start
    assert code != 0 and "non-zero code" in out, f"the step must have run and been stopped: {out}"
    assert took < 45, f"the step ran {took:.0f}s: it was not stopped, it ended by itself"
    assert "fill" not in _ok(box, "docker images --format '{{.Repository}}'").split()


@pytest.mark.parametrize("session", [DISK], indirect=True)
def test_images_count_against_the_disk_budget(docker_client, session):
    box = session
    step = "RUN head -c 250000000 /dev/urandom > /big"
    _ok(box, f"mkdir -p /tmp/big && printf 'FROM busybox\\n{step}\\n' > /tmp/big/Dockerfile")
    code, out = box.sh("docker build -q /tmp/big", 300)  # untagged: counts all the same
    if code == 0:  # the step finished before a measure caught it: the image must count then
        deadline = time.monotonic() + 30
        refused = ""
        while time.monotonic() < deadline and not refused:
            c, o = box.sh("docker run --rm busybox true")
            refused = o if c != 0 else ""
            time.sleep(1)
        assert "disk budget" in refused, refused
        images = box.manager.disk.check(box.manager.sessions[box.sid]).images
        assert 200 * MiB < images < 300 * MiB, f"the 238 MiB image counts {images // MiB} MiB"
        image = re.search(r"sha256:[0-9a-f]{64}", out)  # newer CLIs add a notice about the builder
        assert image, out
        _ok(box, f"docker rmi {image.group(0)}")
        _ok(box, "docker run --rm busybox true")
    else:  # stopped while it grew, or ended at its next step (the gateway's hidden LABEL steps)
        assert "non-zero code" in out or "disk budget is used up" in out, out
