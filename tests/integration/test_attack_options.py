"""Attacks through object OPTIONS, from inside a real docker sandbox against the real engine.

Each test is a hostile learner's attempt at unbounded resources through options the policy let
through: anonymous volumes (`-v /data`, an image's VOLUME, a build step's VOLUME), which the engine
creates without the session's labels, so nothing counted, measured or removed them; and published
ports, each a docker-proxy process on the host outside the session's budget.
"""

from __future__ import annotations

import base64
import io
import secrets
import subprocess
import tarfile
import time

import docker.errors
import pytest
from gateway_harness import box, gateway, own_sandbox, sandbox_pair  # noqa: F401

from sandbox.gateway.policy.exec import MAX_EXECS
from sandbox.gateway.policy.ports import MAX_PUBLISHED
from sandbox.limits import Limits

pytestmark = [pytest.mark.docker]
PREFIX = "denied by the Container Atlas sandbox policy: "
MiB = 2**20


def _ok(sandbox, cmd: str, timeout: int = 120) -> str:
    code, out = sandbox.sh(cmd, timeout)
    assert code == 0, f"{cmd}: {out}"
    return out


def _bindings(client, cid: str) -> int:
    """How many host ports the engine would publish for container `cid` (one docker-proxy each)."""
    ports = client.api.inspect_container(cid)["HostConfig"]["PortBindings"] or {}
    return sum(len(b or []) for b in ports.values())


def test_published_ports_are_bounded_per_sandbox(docker_client, box):  # noqa: F811
    half = MAX_PUBLISHED // 2
    many = " ".join(f"-p {21000 + i}:80" for i in range(MAX_PUBLISHED + 1))
    first = " ".join(f"-p {22000 + i}:80" for i in range(half))
    rest = " ".join(f"-p {23000 + i}:80" for i in range(MAX_PUBLISHED - half + 1))
    cmds = [
        f"docker create --name many {many} busybox",
        f"docker create --name first {first} busybox",
        f"docker create --name rest {rest} busybox",  # one too many with `first`'s
        "docker rm first",
        f"docker create --name rest {rest} busybox",  # fits once `first` is gone
        "docker ps -a --format '{{.Names}}'",
    ]
    (c1, o1), (c2, o2), (c3, o3), (c4, o4), (c5, o5), (c6, names) = box.sh_each(cmds)
    limit = f"{PREFIX}at most {MAX_PUBLISHED} published ports per sandbox"
    assert c1 != 0 and f"{limit} ({MAX_PUBLISHED + 1} asked)" in o1, o1
    assert c2 == 0, o2
    assert c3 != 0 and f"{limit} ({MAX_PUBLISHED + 1} asked)" in o3, o3
    assert c4 == 0 and c5 == 0 and c6 == 0, (o4, o5, names)
    assert names.split() == ["rest"], f"a refused container must not exist: {names}"
    assert _bindings(docker_client, o5.strip()) == MAX_PUBLISHED - half + 1
    _ok(box, "docker rm rest")


def test_anonymous_volumes_are_bounded_and_go_with_their_container(docker_client, box):  # noqa: F811
    allowed = Limits().volumes
    paths = [f"/v{i}" for i in range(allowed + 1)]
    anon = " ".join(f"-v {p}" for p in paths)
    mounts = " ".join(f"--mount type=volume,target={p}" for p in paths)
    change = "VOLUME [" + ",".join(f'"{p}"' for p in paths) + "]"
    named = " ".join(f"-v n{i}:/v{i}" for i in range(2))
    cmds = [
        f"docker run --rm {anon} busybox true",
        f"docker run --rm {mounts} busybox true",
        f"docker create --name base busybox && docker commit --change '{change}' base vols && docker rm base",
        "docker run --rm vols true",  # the image's VOLUMEs are anonymous volumes too
        f"docker run --rm {named} vols true && docker volume rm n0 n1",  # ... unless named volumes cover them
        "docker run --name p1 -v /data busybox sh -c 'echo kept > /data/f'",
        "docker inspect -f '{{range .Mounts}}{{.Name}}{{end}}' p1",
        "docker container prune -f",
        "docker rmi vols",
    ]
    answers = box.sh_each(cmds)
    for i in (0, 1, 3):
        code, out = answers[i]
        assert code != 0 and f"{PREFIX}at most {allowed} anonymous volumes per container" in out, out
    for i in (2, 4, 5, 6, 7, 8):
        assert answers[i][0] == 0, f"{cmds[i]}: {answers[i][1]}"
    volume = answers[6][1].strip()
    assert len(volume) == 64, answers[6][1]
    with pytest.raises(docker.errors.NotFound):  # `docker container prune` took it, as `docker rm` does
        docker_client.volumes.get(volume)


DISK = {"budget": {"session_disk": 200 * MiB}, "disk_interval": 1.0}


@pytest.fixture(scope="module")
def small_disk(docker_client, tmp_path_factory):
    """One such sandbox for the module."""
    with own_sandbox(docker_client, tmp_path_factory, **DISK) as sandbox:
        yield sandbox


def test_writes_to_an_anonymous_volume_count_against_the_disk_budget(small_disk):
    box = small_disk  # noqa: F811
    writer = "dd if=/dev/zero of=/d/big bs=1M count=250; sleep 600"
    _ok(box, f"docker run -d --name writer -v /d busybox sh -c '{writer}'")
    deadline = time.monotonic() + 30
    code, out = 0, ""
    while time.monotonic() < deadline and code == 0:
        code, out = box.sh("docker run --rm busybox true")
        time.sleep(1)
    assert code != 0 and "disk budget" in out and "volumes 2" in out, out
    assert _ok(box, "docker ps -q") == "", "the writer must have been stopped"
    _ok(box, "docker rm writer")  # its anonymous volume goes with it: the learner can go on
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and box.sh("docker run --rm busybox true")[0] != 0:
        time.sleep(1)
    _ok(box, "docker run --rm busybox true")


def test_a_build_step_writing_to_a_volume_is_stopped(small_disk):
    box = small_disk  # noqa: F811
    step = "RUN dd if=/dev/zero of=/v/big bs=1M count=300 && sleep 60"
    _ok(box, f"mkdir -p /tmp/fill && printf 'FROM busybox\\nVOLUME /v\\n{step}\\n' > /tmp/fill/Dockerfile")
    start = time.monotonic()
    code, out = box.sh("docker build -t fill /tmp/fill", 180)
    took = time.monotonic() - start
    assert code != 0 and "non-zero code" in out, f"the step must have run and been stopped: {out}"
    assert took < 45, f"the step ran {took:.0f}s: it was not stopped, it ended by itself"


def test_images_from_the_learners_registry_may_not_carry_the_sandboxs_labels(docker_client, box):  # noqa: F811
    """A registry the learner runs can serve any image config: one claiming another session in the
    sandbox's labels (its lineage image of `scratch`, which its builds would start from) is refused."""
    _ok(box, "docker run -d --name reg -p 5005:5000 registry")
    host_port = box.manager.host_port(box.sid, 5005)
    victim = "v" + secrets.token_hex(5)  # another session's id
    evil = f"127.0.0.1:{host_port}/evil"
    dockerfile = (
        "FROM busybox\n"
        f'LABEL org.container-atlas.lineage="{victim}" org.container-atlas.lineage-base="scratch"\n'
    )
    docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=f"{evil}:1", rm=True)
    try:
        docker_client.images.push(evil, tag="1")
    finally:
        docker_client.images.remove(f"{evil}:1")
    cmds = ["docker pull localhost:5005/evil:1", "printf 'FROM localhost:5005/evil:1\\n' | docker build -"]
    (code, out), (built, why) = box.sh_each(cmds)
    claim = f"{PREFIX}the image's label org.container-atlas.lineage={victim} is not allowed"
    assert code != 0 and claim in out, out
    assert built != 0 and "No such image: localhost:5005/evil:1" in why, why  # a build pulls only the mirror
    claimed = {"label": f"org.container-atlas.lineage={victim}"}
    assert docker_client.api.images(all=True, filters=claimed) == []
    _ok(box, "docker rm -f reg")


def _bomb(size: int) -> bytes:
    """A gzip-compressed tar holding one file of `size` zero bytes (about a thousandth of its size)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("zeros")
        info.size = size
        tar.addfile(info, _Zeros(size))
    return raw.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def test_add_of_an_archive_bomb_in_the_context_is_refused(small_disk):
    """`ADD x.tar.gz /dir/` unpacks the archive inside the engine, where no budget watches: a small
    compressed file of zeros would fill the host's disk. Such a context is refused before the build."""
    box = small_disk  # noqa: F811
    # Into the sandbox's /tmp (its root file system is read-only): 300 MiB, over the 256 MiB a context
    # may unpack to (the session's disk budget here is 200 MiB); bzip2, xz and sizes: unit tests.
    write = ["docker", "exec", "-i", box.container.name, "sh", "-c", "mkdir -p /tmp/b && cat > /tmp/b/b.tgz"]
    subprocess.run(write, input=_bomb(300 * MiB), check=True, timeout=60)
    ok = "printf 'FROM busybox\\nCOPY b.tgz /x/\\n' > /tmp/b/Dockerfile && docker build -q -t kept /tmp/b"
    add = "printf 'FROM busybox\\nADD b.tgz /x/\\n' > /tmp/b/Dockerfile && docker build -t bomb /tmp/b"
    (code, out), (kept, why) = box.sh_each([add, ok])
    assert code != 0 and f"{PREFIX}the build context's b.tgz and its other archives unpack" in out, out
    assert kept == 0, why  # COPY takes the file as it is: nothing unpacks
    assert "bomb" not in _ok(box, "docker images --format '{{.Repository}}'").split()


@pytest.mark.parametrize("quiet", ["", "-q"])
def test_copy_steps_past_the_disk_budget_end_the_build(docker_client, tmp_path_factory, quiet):
    """COPY --from writes in the engine, not in a container: a build that goes over the disk budget
    ends at its next step, also a quiet one (before, ten copies of 100 MiB went through a 200 MiB
    budget)."""
    copies = "".join(f"COPY --from=a /big /b{i}\\n" for i in range(10))
    dockerfile = f"FROM busybox AS a\\nRUN dd if=/dev/zero of=/big bs=1M count=100\\nFROM busybox\\n{copies}"
    with own_sandbox(docker_client, tmp_path_factory, **DISK) as box:  # noqa: F811
        _ok(box, f"mkdir -p /tmp/c && printf '{dockerfile}' > /tmp/c/Dockerfile")
        code, out = box.sh(f"docker build {quiet} -t copies /tmp/c", 180)
        assert code != 0 and f"{PREFIX}the sandbox's disk budget is used up" in out, out[-1500:]
        assert "copies" not in _ok(box, "docker images --format '{{.Repository}}'").split()
        held = box.manager.disk.check(box.manager.sessions[box.sid])  # the failed build's images
        assert held.images < 800 * MiB, f"the build was not ended: {held.describe(200 * MiB)}"
    assert quiet or out.count("COPY --from=a /big") < 10, f"all copies ran: {out[-1500:]}"


def test_an_archive_bomb_uploaded_into_a_container_is_refused(docker_client, box):  # noqa: F811
    """PUT /containers/{id}/archive (`docker cp`) unpacks a gzip, bzip2 or xz tar inside the engine:
    a small compressed upload would write far more than the disk budget into the container's layer."""
    write = ["docker", "exec", "-i", box.container.name, "sh", "-c", "cat > /tmp/up.tgz"]
    subprocess.run(write, input=_bomb(300 * MiB), check=True, timeout=60)
    put = (
        "curl -s -o /tmp/put.out -w '%{http_code}' --unix-socket /var/run/docker.sock -X PUT "
        "-H 'Content-Type: application/x-tar' --data-binary @/tmp/up.tgz "
        "'http://d/v1.41/containers/target/archive?path=/tmp'; echo; cat /tmp/put.out"
    )
    _ok(box, "docker create --name target busybox")
    out = _ok(box, put)
    assert out.startswith("403") and f"{PREFIX}the upload" in out, out
    cid = _ok(box, "docker inspect -f '{{.Id}}' target").strip()
    size = docker_client.api.containers(all=True, size=True, filters={"id": cid})[0].get("SizeRw") or 0
    assert size < MiB, f"{size // MiB} MiB were written into the container"
    _ok(box, "printf hi > /tmp/small && docker cp /tmp/small target:/tmp/small && docker rm target")


def test_exec_instances_are_bounded_per_container(docker_client, box):  # noqa: F811
    """Every exec instance created and never started stays in the engine's memory until its container
    goes (the engine collects only finished ones): a loop of creates would grow it without end."""
    create = (
        "curl -s -o /dev/null -w '%{http_code} ' --unix-socket /var/run/docker.sock -X POST "
        "-H 'Content-Type: application/json' -d '{\"Cmd\": [\"true\"]}' 'http://d/v1.41/containers/idle/exec'"
    )
    _ok(box, "docker run -d --name idle --health-cmd true --health-interval 1s busybox sleep 600")
    out = _ok(box, f"for i in $(seq {MAX_EXECS + 3}); do {create}; done")
    codes = out.split()
    assert codes[:MAX_EXECS] == ["201"] * MAX_EXECS and set(codes[MAX_EXECS:]) == {"403"}, out
    cid = _ok(box, "docker inspect -f '{{.Id}}' idle").strip()
    assert len(docker_client.api.inspect_container(cid)["ExecIDs"] or []) >= MAX_EXECS  # and health checks
    assert "exec instances" in box.sh("docker exec idle true")[1]
    _ok(box, "docker rm -f idle && docker run -d --name idle busybox sleep 600 && docker exec idle true")
    _ok(box, "docker rm -f idle")


REDIRECTOR = """
import http.server, sys
class Redirect(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(307)
        self.send_header("Location", sys.argv[1] + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_HEAD = do_GET
http.server.HTTPServer(("", 5000), Redirect).serve_forever()
"""


def test_a_registry_redirect_cannot_reach_another_sessions_registry(docker_client, gateway):  # noqa: F811
    """B runs a "registry" that redirects the engine to A's registry (on the host's loopback, where the
    engine pulls from): the engine must not fetch A's image for B."""
    with sandbox_pair(docker_client, gateway) as (a, b):
        build = "mkdir -p /tmp/s && printf 'FROM busybox\\nRUN echo a-secret > /s\\n' > /tmp/s/Dockerfile"
        push = "docker build -q -t localhost:5000/secret /tmp/s && docker push localhost:5000/secret"
        _ok(a, f"docker run -d -p 5000:5000 --name reg registry && {build} && {push}")
        target = f"http://127.0.0.1:{gateway.host_port(a.sid, 5000)}"
        script = base64.b64encode(REDIRECTOR.encode()).decode()
        redirector = f"docker create --name r -p 5001:5000 python:3 python /r.py {target}"
        _ok(b, f"echo {script} | base64 -d > /tmp/r.py && {redirector} && docker cp /tmp/r.py r:/r.py")
        pull = "docker pull localhost:5001/secret > /tmp/out 2>&1; rc=$?; cat /tmp/out"
        wait = "grep -q -e redirected -e Downloaded /tmp/out && break; sleep 1"
        code, out = b.sh(
            f"docker start r >/dev/null && for i in $(seq 10); do {pull}; {wait}; done; exit $rc"
        )
        assert code != 0 and "Downloaded" not in out, out
        assert f"{PREFIX}your registry redirected to 127.0.0.1:" in out, out
        assert "secret" not in _ok(b, "docker images --format '{{.Repository}}'")
        _ok(a, "docker pull localhost:5000/secret")  # A's own registry still works through the relay


def test_containers_get_their_own_cgroup_namespace(box):  # noqa: F811
    """On a cgroup v1 engine a container shares the host's cgroup namespace by default (and always, for
    API clients older than 1.41), so it reads the host's cgroup paths. Through the gateway it gets its
    own, from the CLI and from an old-API curl alike: its cgroup is the root of each hierarchy."""
    out = _ok(
        box,
        "docker run --rm busybox grep memory /proc/self/cgroup; "
        "curl -s --unix-socket /var/run/docker.sock -H Content-Type:application/json -X POST "
        "'http://d/v1.30/containers/create?name=old' "
        """-d '{"Image":"busybox","Cmd":["grep","memory","/proc/self/cgroup"]}' >/dev/null; """
        "docker start -a old; docker rm old >/dev/null",
    )
    lines = out.split()
    assert len(lines) == 2 and all(line.endswith(":memory:/") for line in lines), out
