"""Name aliasing attacks: sandbox B reaches for sandbox A's objects by every spelling it can think of.

A has a container `db` (a secret token in its filesystem, its named volume `avol` and an anonymous
volume), an image `secret` committed from it, a network `anet`, and an exec instance it created but
never started. Session ids are not secret, so B knows A's engine names (`atlas-<A>.db`) and, in these
tests, every ID. Each attack runs through the real docker CLI (or curl) inside B's real sandbox; the
verdict is read on the HOST through the engine: A's objects are exactly as they were, B holds no
object that refers to any of A's, and no file in B's sandbox (a `docker save` tar, a `docker cp` copy,
a command's output) contains A's token.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import tarfile
import time
import urllib.request
from dataclasses import dataclass

import docker.errors
import pytest
from gateway_harness import (  # noqa: F401 - fixture
    Sandbox,
    gateway,
    require_images,
    sandbox_pair,
    session_containers,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]
REFUSED = re.compile(
    r"no such|not found|denied|reserved|invalid|does not exist|unable to find|returned error: 4"
    r"|must specify at least one container"  # `docker cp /atlas-x.y:/f .`: a local path to the CLI
    r"|cannot push a digest reference",  # the CLI's own refusal
    re.I,
)


@dataclass
class Victim:
    """What A owns, by engine name and ID (B is assumed to know all of it)."""

    a: Sandbox
    b: Sandbox
    token: str
    cid: str
    iid: str
    nid: str
    default_nid: str
    anon: str
    eid: str

    def fmt(self, text: str) -> str:
        """`text` with {A} {B} {cid} {cid12} {cid5} {iid} ... filled in."""
        return text.format(
            A=self.a.sid,
            B=self.b.sid,
            cid=self.cid,
            cid12=self.cid[:12],
            cid5=self.cid[:5],
            iid=self.iid,
            iid64=self.iid.removeprefix("sha256:"),
            iid12=self.iid.removeprefix("sha256:")[:12],
            iid5=self.iid.removeprefix("sha256:")[:5],
            nid=self.nid,
            nid12=self.nid[:12],
            dnid12=self.default_nid[:12],
            anon=self.anon,
            anon12=self.anon[:12],
            eid=self.eid,
            eid12=self.eid[:12],
            EID=self.eid.upper(),
        )


def _ok(box: Sandbox, cmd: str) -> str:
    code, out = box.sh(cmd)
    assert code == 0, f"{cmd}: {out}"
    return out


@pytest.fixture(scope="module")
def victim(docker_client, gateway):  # noqa: F811
    """A (the victim, with a container, image, network, volumes and an exec) and B (the attacker)."""
    token = "TOKEN" + secrets.token_hex(12)
    setup = [
        "docker network create anet && docker volume create avol",
        "docker run -d --name db -v avol:/data -v /anon busybox sh -c "
        f"'echo {token} > /secret; echo {token} > /data/secret; echo {token} > /anon/secret; "
        "sleep 3600'",
        "for i in $(seq 50); do docker exec db test -s /anon/secret && break; sleep 0.1; done",
        "docker commit db secret && docker network connect anet db && docker tag busybox atag",
    ]
    with sandbox_pair(docker_client, gateway, setup) as (a, b):
        created = _ok(
            a,
            "curl -s --unix-socket /var/run/docker.sock -H Content-Type:application/json -X POST "
            "http://d/v1.41/containers/db/exec -d "
            '\'{"Cmd":["sh","-c","echo pwned > /pwned"],"AttachStdout":true}\'',
        )
        eid = json.loads(created)["Id"]
        _ok(b, "docker run -d --name mine busybox sleep 3600")
        api = docker_client.api
        cid = api.inspect_container(f"atlas-{a.sid}.db")["Id"]
        anon = next(m["Name"] for m in api.inspect_container(cid)["Mounts"] if m["Destination"] == "/anon")
        yield Victim(
            a=a,
            b=b,
            token=token,
            cid=cid,
            iid=api.inspect_image(f"atlas-{a.sid}.secret:latest")["Id"],
            nid=api.inspect_network(f"atlas-{a.sid}.anet")["Id"],
            default_nid=api.inspect_network(f"atlas-{a.sid}")["Id"],
            anon=anon,
            eid=eid,
        )


def _file(api, container: str, path: str) -> bytes | None:
    """The content of `path` in a container, read by the host through the engine (None if absent)."""
    try:
        stream, _ = api.get_archive(container, path)
    except docker.errors.NotFound:
        return None
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = tar.next()
        extracted = tar.extractfile(member) if member is not None else None
        return extracted.read() if extracted else b""


FILES = ("/secret", "/data/secret", "/anon/secret", "/pwned")


def snapshot(api, v: Victim) -> dict:
    """Everything of A that an attack could change, as the engine reports it."""
    c = api.inspect_container(v.cid)
    img = api.inspect_image(v.iid)
    net = api.inspect_network(v.nid)
    default = api.inspect_network(v.default_nid)
    ex = api.exec_inspect(v.eid)
    return {
        "container": (c["Name"], c["State"]["Status"], c["State"]["StartedAt"], c["RestartCount"]),
        "container networks": sorted(c["NetworkSettings"]["Networks"]),
        "container files": [_file(api, v.cid, p) for p in FILES],
        "image tags": sorted(img.get("RepoTags") or []),
        "networks": (net["Name"], sorted(net["Containers"] or {}), sorted(default["Containers"] or {})),
        "volumes": [api.inspect_volume(n)["Labels"] for n in (f"atlas-{v.a.sid}.avol", v.anon)],
        "exec": (ex["Running"], ex["ExitCode"], ex["Pid"]),
        "engine names": sorted(_a_names(api, v.a.sid)),
    }


def _a_names(api, sid: str) -> list[str]:
    """Every engine object name that carries A's prefix."""
    mark = f"atlas-{sid}."
    names = [n for c in api.containers(all=True) for n in c["Names"] if mark in n]
    names += [n["Name"] for n in api.networks() if mark in n["Name"]]
    names += [x["Name"] for x in api.volumes().get("Volumes") or [] if mark in x["Name"]]
    names += [t for i in api.images(all=True) for t in i.get("RepoTags") or [] if mark in t]
    return names


def b_refers_to_a(api, v: Victim) -> list[str]:
    """Ways in which B's objects point at A's (should be none)."""
    found = []
    for c in session_containers(_Client(api), v.b.sid):
        info = api.inspect_container(c["Id"])
        hc = info["HostConfig"]
        refs = [info["Image"], hc.get("NetworkMode"), hc.get("PidMode"), hc.get("IpcMode")]
        refs += (hc.get("VolumesFrom") or []) + (hc.get("Links") or []) + (hc.get("Binds") or [])
        refs += [m.get("Name", "") + m.get("Source", "") for m in info["Mounts"]]
        text = json.dumps(refs)
        for secret in (v.cid, v.iid, v.anon, f"atlas-{v.a.sid}.", v.nid):
            if secret.removeprefix("sha256:") in text:
                found.append(f"B's container {info['Name']} refers to {secret}")
        if set(info["NetworkSettings"]["Networks"]) & {f"atlas-{v.a.sid}.anet", f"atlas-{v.a.sid}"}:
            found.append(f"B's container {info['Name']} is on A's network")
    for img in api.images(all=True):
        if img["Id"] == v.iid and any(f"atlas-{v.b.sid}." in t for t in img.get("RepoTags") or []):
            found.append(f"B has a name for A's image: {img['RepoTags']}")
    return found


@dataclass
class _Client:
    api: object


def leaked_files(api, v: Victim) -> list[str]:
    """Files in B's sandbox (its /tmp and home) that contain A's token, found by the host."""
    res = api.exec_create(
        v.b.container.id, ["sh", "-c", f"grep -rl {v.token} /tmp /home/learner 2>/dev/null; true"]
    )
    return api.exec_start(res["Id"]).decode().split()


def tidy_b(api, v: Victim) -> None:
    """Remove what an attack left in B (containers other than `mine`, files in /tmp)."""
    for c in session_containers(_Client(api), v.b.sid):
        if f"/atlas-{v.b.sid}.mine" not in api.inspect_container(c["Id"])["Name"]:
            api.remove_container(c["Id"], force=True, v=True)
    res = api.exec_create(v.b.container.id, ["sh", "-c", "rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null; true"])
    api.exec_start(res["Id"])


def attack(docker_client, v: Victim, cmd: str, may_succeed: bool = False) -> str:
    """Run `cmd` in B; assert on the host that nothing of A changed, leaked or became B's."""
    api = docker_client.api
    before = snapshot(api, v)
    cmd = v.fmt(cmd)
    code, out = v.b.sh(f"{cmd} > /tmp/attack.out 2>&1; rc=$?; cat /tmp/attack.out; exit $rc", timeout=120)
    try:
        assert snapshot(api, v) == before, f"{cmd!r} changed A's objects:\n{out}"
        assert b_refers_to_a(api, v) == [], f"{cmd!r}:\n{out}"
        assert leaked_files(api, v) == [], f"{cmd!r} leaked A's token into B's files:\n{out}"
        assert v.token not in out
        if not may_succeed:
            assert code != 0, f"{cmd!r} succeeded:\n{out}"
            assert REFUSED.search(out), f"{cmd!r}: unexpected message:\n{out}"
        assert f"atlas-{v.b.sid}." not in out, f"{cmd!r} shows B's engine names:\n{out}"
    finally:
        tidy_b(api, v)
    return out


def attack_all(docker_client, v: Victim, cmds: list[str], may_succeed: bool = False) -> list[str]:
    """`attack` for many commands at once: one shell in B runs them all, each answer is checked on its
    own, and the host is checked once; if the host shows harm, each command is run alone (with the
    host checked after each) so the failure names the command that did it."""
    api = docker_client.api
    before = snapshot(api, v)
    filled = [v.fmt(c) for c in cmds]
    mark = "@@ATTACK-" + secrets.token_hex(4)
    script = "".join(
        f'{{ {c} ; }} > /tmp/attack.out 2>&1; echo "{mark} $?"; cat /tmp/attack.out; ' for c in filled
    )
    _, out = v.b.sh(script, timeout=900)
    parts = re.split(rf"^{re.escape(mark)} (\d+)\n?", out, flags=re.M)[1:]
    answers = [(int(parts[i]), parts[i + 1]) for i in range(0, len(parts), 2)]
    assert len(answers) == len(filled), f"expected {len(filled)} answers:\n{out}"
    try:
        harmed = snapshot(api, v) != before or b_refers_to_a(api, v) or leaked_files(api, v)
    finally:
        tidy_b(api, v)
    if harmed:
        for cmd in cmds:  # name the culprit: the first command that harms A on its own fails here
            attack(docker_client, v, cmd, may_succeed)
        pytest.fail(f"together, these commands changed or leaked A's objects: {filled}")
    problems = []
    for cmd, (code, text) in zip(filled, answers, strict=True):
        if v.token in text:
            problems.append(f"{cmd!r} printed A's token:\n{text}")
        if f"atlas-{v.b.sid}." in text:
            problems.append(f"{cmd!r} shows B's engine names:\n{text}")
        if not may_succeed and code == 0:
            problems.append(f"{cmd!r} succeeded:\n{text}")
        elif not may_succeed and not REFUSED.search(text):
            problems.append(f"{cmd!r}: unexpected message:\n{text}")
    assert not problems, "\n".join(problems)
    return [text for _, text in answers]


# -- containers ----------------------------------------------------------------------------------
C_SPELLINGS = ["atlas-{A}.db", "/atlas-{A}.db", "ATLAS-{A}.db", "{cid}", "{cid12}", "{cid5}"]
C_ATTACKS = [
    "docker inspect {c}",
    "docker container inspect {c}",
    "docker logs {c}",
    "docker exec {c} cat /secret",
    "docker top {c}",
    "docker stats --no-stream {c}",
    "docker diff {c}",
    "docker export {c} -o /tmp/x.tar",
    "docker port {c}",
    "docker stop -t 1 {c}",
    "docker kill {c}",
    "docker pause {c}",
    "docker restart -t 1 {c}",
    "docker rename {c} stolen",
    "docker cp {c}:/secret /tmp/secret",
    "docker cp /etc/hostname {c}:/pwned",
    "docker commit {c} stolen",
    "timeout 10 docker attach {c}",
    "timeout 10 docker wait {c}",
    "docker run --rm --volumes-from {c} busybox cat /data/secret",
    "docker run --rm --network container:{c} busybox true",
    "docker run --rm --pid container:{c} busybox true",
    "docker run --rm --ipc container:{c} busybox true",
    "docker run --rm --link {c}:x busybox true",
    "docker network connect atlas-{B} {c}",
]


def test_container_by_any_spelling(docker_client, victim):
    """Every attack of C_ATTACKS with every spelling of A's container (one shell runs them all)."""
    attack_all(docker_client, victim, [cmd.replace("{c}", s) for cmd in C_ATTACKS for s in C_SPELLINGS])


def test_rm_force_of_a_container_leaves_it(docker_client, victim):
    # `docker rm -f` of a missing container exits 0, as on any host
    attack_all(docker_client, victim, [f"docker rm -f {s}" for s in C_SPELLINGS], may_succeed=True)


# -- images --------------------------------------------------------------------------------------
I_SPELLINGS = [
    "atlas-{A}.secret",
    "atlas-{A}.secret:latest",
    "docker.io/library/atlas-{A}.secret",
    "localhost:5000/atlas-{A}.secret",
    "{iid}",
    "{iid64}",
    "{iid12}",
    "{iid5}",
    "sha256:{iid12}",
    "atlas-{A}.secret@{iid}",
    "busybox@{iid}",
]
I_ATTACKS = [
    "docker image inspect {i}",
    "docker history {i}",
    "docker save {i} -o /tmp/x.tar",
    "docker save busybox {i} -o /tmp/x.tar",
    "docker tag {i} stolen",
    "docker rmi {i}",
    "docker rmi -f {i}",
    "docker run --rm {i} cat /secret",
    "docker create --name stolen {i}",
    "printf 'FROM {i}\\nRUN cat /secret\\n' | docker build -t stolen -",
    "docker push {i}",
    "curl -sSf --unix-socket /var/run/docker.sock -o /tmp/x.tar 'http://d/v1.41/images/get?names={i}'",
    "curl -sSf --unix-socket /var/run/docker.sock -o /tmp/x.tar 'http://d/v1.41/images/{i}/get'",
]


def test_image_by_any_spelling(docker_client, victim):
    """Every attack of I_ATTACKS with every spelling of A's image (one shell runs them all)."""
    rmi_f = [c for c in I_ATTACKS if c.startswith("docker rmi -f")]  # like `rm -f`, it exits 0 if missing
    refused = [c for c in I_ATTACKS if c not in rmi_f]
    attack_all(docker_client, victim, [cmd.replace("{i}", s) for cmd in refused for s in I_SPELLINGS])
    forced = [c.replace("{i}", s) for c in rmi_f for s in I_SPELLINGS]
    attack_all(docker_client, victim, forced, may_succeed=True)


TAG_AS = [
    "atlas-{A}.secret",
    "atlas-{A}.secret:latest",
    "library/atlas-{A}.secret",
    "localhost:5000/atlas-{A}.secret",
    "x/atlas-{A}.secret",
]
AFTER_TAG = [
    "docker save {t} -o /tmp/x.tar",
    "docker run --rm {t} cat /secret",
    "docker image inspect {t}",
    "docker rmi {t}",
]


def test_tag_as_a_then_use(docker_client, victim):
    """The issue's theft: `docker tag busybox atlas-<A>.secret` then `docker save atlas-<A>.secret`."""
    cmds = [f"docker tag busybox {n}; {then.replace('{t}', n)}" for then in AFTER_TAG for n in TAG_AS]
    for out in attack_all(docker_client, victim, cmds):
        assert "reserved" in out or REFUSED.search(out)


@pytest.fixture(scope="module")
def b_registry(docker_client, victim):
    """A registry B runs for itself (`docker run -d -p 5050:5000 registry`), its host address."""
    require_images(docker_client, "registry")
    _ok(victim.b, "docker run -d --name reg -p 5050:5000 registry")
    info = docker_client.api.inspect_container(f"atlas-{victim.b.sid}.reg")
    host_port = info["HostConfig"]["PortBindings"]["5000/tcp"][0]["HostPort"]
    url = f"http://127.0.0.1:{host_port}/v2/_catalog"
    for _ in range(50):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    yield url
    victim.b.sh("docker rm -f reg")


def test_push_a_image_to_b_registry(docker_client, victim, b_registry):
    """A's image, by every spelling, tagged for B's own registry and pushed there (one shell)."""
    cmds = [f"docker tag {s} localhost:5050/stolen && docker push localhost:5050/stolen" for s in I_SPELLINGS]
    keep = {c["Id"] for c in session_containers(_Client(docker_client.api), victim.b.sid)}
    try:
        attack_keeping(docker_client, victim, cmds, keep)
    finally:
        victim.b.sh("docker rmi localhost:5050/stolen")
    catalog = json.loads(urllib.request.urlopen(b_registry, timeout=5).read())
    assert "stolen" not in catalog["repositories"]


def attack_keeping(docker_client, v: Victim, cmds: list[str], keep: set[str]) -> None:
    """`attack` for each of `cmds` (one shell runs them all), but B's containers in `keep` (its
    registry) survive the tidying."""
    api = docker_client.api
    before = snapshot(api, v)
    filled = [v.fmt(c) for c in cmds]
    answers = v.b.sh_each(filled)
    got_through = [(c, out) for c, (code, out) in zip(filled, answers, strict=True) if code == 0]
    assert not got_through, f"succeeded: {got_through}"
    odd = [(c, out) for c, (_, out) in zip(filled, answers, strict=True) if not REFUSED.search(out)]
    assert not odd, f"unexpected messages: {odd}"
    assert snapshot(api, v) == before and b_refers_to_a(api, v) == [] and leaked_files(api, v) == []
    assert keep <= {c["Id"] for c in session_containers(_Client(api), v.b.sid)}


def test_push_under_a_name_to_b_registry(docker_client, victim, b_registry):
    keep = {c["Id"] for c in session_containers(_Client(docker_client.api), victim.b.sid)}
    attack_keeping(
        docker_client,
        victim,
        ["docker tag busybox localhost:5050/atlas-{A}.secret; docker push localhost:5050/atlas-{A}.secret"],
        keep,
    )
    catalog = json.loads(urllib.request.urlopen(b_registry, timeout=5).read())
    assert not any("atlas-" in r for r in catalog["repositories"])


# -- networks ------------------------------------------------------------------------------------
N_SPELLINGS = ["atlas-{A}.anet", "ATLAS-{A}.anet", "{nid}", "{nid12}", "atlas-{A}", "{dnid12}"]
N_ATTACKS = [
    "docker network inspect {n}",
    "docker network rm {n}",
    "docker network connect {n} mine",
    "docker network disconnect -f {n} mine",
    "docker run --rm --network {n} busybox true",
    "docker network connect {n} {cid12}",
]


def test_network_by_any_spelling(docker_client, victim):
    """Every attack of N_ATTACKS with every spelling of A's networks (one shell runs them all)."""
    attack_all(docker_client, victim, [cmd.replace("{n}", s) for cmd in N_ATTACKS for s in N_SPELLINGS])


# -- volumes -------------------------------------------------------------------------------------
V_SPELLINGS = ["atlas-{A}.avol", "ATLAS-{A}.avol", "{anon}", "{anon12}"]
V_ATTACKS = [
    "docker volume inspect {v}",
    "docker volume rm -f {v} && docker volume inspect {v}",
    "docker run --rm -v {v}:/d busybox cat /d/secret",
    "docker run --rm --mount source={v},target=/d busybox cat /d/secret",
]


def test_volume_by_any_spelling(docker_client, victim):
    """Every attack of V_ATTACKS with every spelling of A's volumes (one shell runs them all)."""
    attack_all(docker_client, victim, [cmd.replace("{v}", s) for cmd in V_ATTACKS for s in V_SPELLINGS])


# -- exec instances ------------------------------------------------------------------------------
CURL = "curl -sSf --unix-socket /var/run/docker.sock -H Content-Type:application/json "


E_CALLS = [
    "http://d/v1.41/exec/{e}/json",
    "-X POST http://d/v1.41/exec/{e}/start -d '{{\"Detach\":true}}'",
    "-X POST 'http://d/v1.41/exec/{e}/resize?h=10&w=10'",
]


def test_exec_of_a(docker_client, victim):
    """A's exec instance, never started: B can neither inspect, start nor resize it."""
    spellings = ("{eid}", "{eid12}", "{EID}")
    attack_all(docker_client, victim, [CURL + call.replace("{e}", e) for call in E_CALLS for e in spellings])
    time.sleep(0.2)  # a start that got through would have run by now
    assert _file(docker_client.api, victim.cid, "/pwned") is None


# -- B creating objects under A's names ----------------------------------------------------------
CREATE_AS_A = [
    "docker run -d --name atlas-{A}.db busybox sleep 60",
    "docker create --name /atlas-{A}.db busybox",
    "docker run -d --name ATLAS-{A}.db busybox sleep 60",
    "docker rename mine atlas-{A}.db",
    "docker network create atlas-{A}.anet",
    "docker volume create atlas-{A}.avol",
    "docker run --rm -v atlas-{A}.newvol:/d busybox true",
    "docker tag busybox atlas-{A}.secret",
    "docker commit mine atlas-{A}.secret",
    "printf 'FROM busybox\\n' | docker build -t atlas-{A}.secret -",
    "docker pull atlas-{A}.secret",
]


def test_create_under_a_name(docker_client, victim):
    attack_all(docker_client, victim, CREATE_AS_A)


# -- what B sees of its own objects: its names, never engine names --------------------------------
def test_stats_show_the_learner_name(victim):
    b = victim.b
    assert b.sh("docker stats --no-stream --format '{{.Name}}' mine")[1].strip() == "mine"
    code, out = b.sh("docker stats --no-stream mine")
    assert code == 0 and re.search(r"\smine\s", out) and "atlas-" not in out, out


def test_engine_errors_are_scrubbed(victim):
    b = victim.b
    _ok(b, "docker run -d --name dup busybox sleep 60")
    try:
        code, out = b.sh("docker rename mine dup")
        assert code != 0 and "dup" in out and "atlas-" not in out, out
        code, out = b.sh("docker run --name dup busybox true")
        assert code != 0 and '"/dup"' in out and "atlas-" not in out, out
    finally:
        b.sh("docker rm -f dup")


def test_b_can_still_use_its_own_objects_by_id(victim):
    b = victim.b
    cid = _ok(b, "docker inspect -f '{{.Id}}' mine").strip()
    assert _ok(b, f"docker inspect -f '{{{{.Name}}}}' {cid[:6]}").strip() == "/mine"
    assert _ok(b, "docker inspect -f '{{.Name}}' /mine").strip() == "/mine"
    iid = _ok(b, "docker image inspect -f '{{.Id}}' busybox").strip()
    assert _ok(b, f"docker image inspect -f '{{{{.Id}}}}' {iid[7:17]}").strip() == iid


def test_save_names_the_learner_tag(docker_client, victim):
    """`docker save` of B's own image: the archive says `keep:latest`, as B named it."""
    b = victim.b
    _ok(b, "docker tag busybox keep")
    try:
        manifest = json.loads(_ok(b, "docker save keep | tar -xO manifest.json"))
        assert manifest[0]["RepoTags"] == ["keep:latest"]
        out = _ok(b, "docker save busybox keep -o /tmp/both.tar && tar -tf /tmp/both.tar")
        assert "manifest.json" in out and "repositories" in out
        repos = json.loads(_ok(b, "tar -xOf /tmp/both.tar repositories"))
        assert sorted(repos) == ["busybox", "keep"]
    finally:
        b.sh("docker rmi keep; rm -f /tmp/both.tar")


LOOKS = [
    "docker images -a --digests",
    "docker image inspect busybox",
    "docker history --no-trunc busybox",
    "curl -sS --unix-socket /var/run/docker.sock http://d/v1.41/images/busybox/history",
    "curl -sS --unix-socket /var/run/docker.sock http://d/v1.41/images/json?all=1",
    "docker system df -v",
    "docker info",
    "timeout 3 docker events --since 10m",
    "curl -sS --unix-socket /var/run/docker.sock http://d/v1.41/images/nothing/json",
]


def test_b_sees_no_name_of_a(victim):
    """A named the shared busybox `atag`: nothing B lists or inspects shows A's names or session id."""
    problems = [
        f"{cmd}: exit {code}:\n{out}"
        for cmd, (code, out) in zip(LOOKS, victim.b.sh_each(LOOKS), strict=True)
        if code not in (0, 124)  # 124: `timeout` ended the event stream
        or victim.a.sid in out
        or "atag" in out
    ]
    assert not problems, "\n".join(problems)


IMAGES_AS = "docker images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}'"
IMAGE_FILTERS = {  # B lists images by A's names (A built `secret`, named busybox `atag`) -> its rows
    "IMAGES atag": "",
    "IMAGES secret": "",
    "IMAGES secret:latest": "",
    "IMAGES --filter reference=atag": "",
    "IMAGES --filter reference=secret:latest": "",
    "IMAGES 'atlas-{A}.*'": "",
    "IMAGES --filter 'reference=atlas-{A}.secret'": "",
    "IMAGES --filter 'reference=a*' --filter 'reference=se*'": "",
    "IMAGES --filter label=org.container-atlas.session={A}": "",
    "IMAGES --filter reference=atag --filter reference=busybox": "busybox",  # only B's own name for it
    "IMAGES '*'": "busybox",
    "curl -sS --unix-socket /var/run/docker.sock 'http://d/v1.41/images/json?filter=atag'": "[]",
    "curl -sS --unix-socket /var/run/docker.sock 'http://d/v1.41/images/json?filter=atlas-{A}.*'": "[]",
}
IMAGE_ORDER_BY_A = [  # before=/since= name an image: A's is no image of B's
    "IMAGES --filter before=secret",
    "IMAGES --filter since=atag",
    "IMAGES --filter since=atlas-{A}.secret:latest",
    "IMAGES --filter before={iid12}",
    "IMAGES --filter since={iid64}",
]


def test_b_listing_images_by_a_names_sees_nothing_of_a(victim):
    """`docker images <A's name>` and --filter reference=/label=/before=/since= by A's names or IDs in
    B: no image, no name, no ID of A's; the shared busybox only under its own name (one shell)."""
    lists = [victim.fmt(c).replace("IMAGES", IMAGES_AS) for c in IMAGE_FILTERS]
    orders = [victim.fmt(c).replace("IMAGES", IMAGES_AS) for c in IMAGE_ORDER_BY_A]
    answers = victim.b.sh_each(lists + orders)
    problems = []
    for cmd, expect, (code, out) in zip(lists, IMAGE_FILTERS.values(), answers, strict=False):
        rows = [line.split()[0] for line in out.splitlines() if line.strip()]
        if expect == "busybox":
            ok = "busybox:latest" in rows and not any(r.startswith(("atag", "secret")) for r in rows)
        else:
            ok = out.strip() == expect
        if code != 0 or not ok or victim.a.sid in out or victim.iid[7:19] in out:
            problems.append(f"{cmd}: exit {code}:\n{out}")
    for cmd, (code, out) in zip(orders, answers[len(lists) :], strict=True):
        echoed = out.replace(f"atlas-{victim.a.sid}.secret", "")  # the name B typed, said back
        if code == 0 or not REFUSED.search(out) or victim.a.sid in echoed:
            problems.append(f"{cmd}: exit {code} (expected `No such image`):\n{out}")
    assert not problems, "\n".join(problems)


CREATE = "-X POST 'http://d/v1.41/containers/create{q}' -d '{body}'"


REFUSALS = [
    ("-X POST http://d/v1.41/containers/mine/rename", 400, "name"),
    ("http://d/v1.41/images/get", 400, "names"),
    ("-X POST http://d/v1.41/images/busybox/tag", 400, "repo"),
    ("-X POST 'http://d/v1.41/images/busybox/tag?repo=atlas-x.y'", 403, "reserved"),
    (CREATE.format(q="?name=atlas-x.y", body='{"Image":"busybox"}'), 403, "reserved"),
    (CREATE.format(q="", body='{"Image":"busybox","HostConfig":{"Privileged":true}}'), 403, "privileged"),
    ("http://d/v1.41/containers/atlas-@A.db/json", 404, "No such container: atlas-@A.db"),
    ("http://d/v1.41/images/@IID/json", 404, "No such image: @IID"),
    ("-X DELETE http://d/v1.41/containers/mine/pause", 403, "not available"),
]


def _refusal_problem(call: str, status: int, says: str, out: str) -> str:
    """What is wrong with the answer `out` (status line, then the body) to `call`; "" if nothing."""
    got, _, body = out.partition("\n")
    if not got.isdigit() or int(got) != status:
        return f"{call}: expected HTTP {status}:\n{out}"
    message = json.loads(body)["message"]
    if says not in message:
        return f"{call}: the message does not say {says!r}: {message}"
    if status == 403 and not message.startswith("denied by the Container Atlas sandbox policy: "):
        return f"{call}: a 403 without the policy's prefix: {message}"
    if "Traceback" in message or "gateway error" in message:
        return f"{call}: an internal error shown: {message}"
    return ""


def test_errors_say_what_was_refused(victim):
    """Docker-style JSON answers: the status, a message naming the field or the policy's reason."""

    def fill(text: str) -> str:
        return text.replace("@A", victim.a.sid).replace("@IID", victim.iid.removeprefix("sha256:")[:12])

    curl = "curl -sS -o /tmp/answer -w '%{http_code}' --unix-socket /var/run/docker.sock"
    cmds = [
        f"{curl} -H Content-Type:application/json {fill(call)}; echo; cat /tmp/answer"
        for call, _, _ in REFUSALS
    ]
    answers = victim.b.sh_each(cmds)
    problems = [
        _refusal_problem(fill(call), status, fill(says), out)
        for (call, status, says), (_, out) in zip(REFUSALS, answers, strict=True)
    ]
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)


# -- docker events --filter and docker inspect: A's objects are as missing as a name nowhere --------
# Filtering B's events by any spelling of A's objects shows nothing (while B's own name shows B's
# events); inspecting any of them answers exactly what a name that exists nowhere answers (404, "No
# such ..."), so B cannot even tell that the object exists.
EVENT_FILTERS = [
    "container=db",
    "container=atlas-{A}.db",
    "container=/atlas-{A}.db",
    "container={cid}",
    "container={cid12}",
    "container={cid5}",
    "image=secret",
    "image=atlas-{A}.secret",
    "image={iid}",
    "image={iid12}",
    "image=atag",
    "network=anet",
    "network=atlas-{A}.anet",
    "network=atlas-{A}",
    "network={nid}",
    "network={dnid12}",
    "volume=avol",
    "volume=atlas-{A}.avol",
    "volume={anon}",
    "volume={anon12}",
]


def test_b_filtering_events_by_a_names_sees_nothing(docker_client, victim):
    """Every spelling of A's objects as an events filter in B: an empty stream (one shell), though the
    engine holds fresh events of each of A's objects (it replays only its last 256 events)."""
    since = int(time.time()) - 1
    _ok(
        victim.a,
        "docker pause db && docker unpause db && docker network disconnect anet db && "
        "docker network connect anet db && docker run --rm -v avol:/d busybox true && "
        "docker tag secret secret2 && docker rmi secret2",
    )
    for key, engine_name in [
        ("container", "db"),
        ("network", "anet"),
        ("volume", "avol"),
        ("image", "secret2"),
    ]:
        flt = {key: f"atlas-{victim.a.sid}.{engine_name}"}
        seen = docker_client.api.events(since=since, until=int(time.time()) + 1, filters=flt, decode=True)
        assert list(seen), f"the engine shows no event of A's {key} to hide"
    # from `since` on: earlier tests of this module had B create objects of its own under some of these
    # names (e.g. `-v <A's volume id prefix>:/d` makes B a volume of that name), and B may see those
    cmds = [
        f'docker events --since {since} --until "$(date +%s)" --filter "{victim.fmt(f)}"'
        for f in EVENT_FILTERS
    ]
    # the engine replays only its last 256 events: B's control container runs just before
    past = 'docker run --rm --name evb busybox true && docker events --since 60m --until "$(($(date +%s)+1))"'
    controls = [f"{past} --filter container=evb", f"{past} --format '{{{{json .}}}}'"]
    answers = victim.b.sh_each([*cmds, *controls])
    seen = [(cmd, out) for cmd, (code, out) in zip(cmds, answers, strict=False) if code != 0 or out]
    assert not seen, f"B's events filtered by A's objects are not empty: {seen}"
    (code, mine), (code_all, everything) = answers[-2:]
    assert code == 0 and "container start" in mine and "name=evb" in mine, mine
    # unfiltered: B's own containers and networks, nothing of A's (A made a container, image, volumes,
    # networks and connected them: none of their IDs or names, nor A's session, shows)
    assert code_all == 0 and '"Type":"network"' in everything and '"name":"evb"' in everything, everything
    for secret in (
        victim.a.sid,
        victim.cid,
        victim.nid,
        victim.default_nid,
        victim.anon,
        victim.iid[7:],
        f"atlas-{victim.b.sid}.",  # B's own engine names are not shown either
    ):
        assert secret not in everything, f"B's events show {secret}:\n{everything}"


CON, IMG, NET, VOL = "/containers/{x}/json", "/images/{x}/json", "/networks/{x}", "/volumes/{x}"
LOOKUP_SPELLINGS = {  # A's object by a spelling -> the raw lookups tried with it (its own kind's, and others)
    "atlas-{A}.db": [CON, IMG],
    "/atlas-{A}.db": [CON],
    "{cid12}": [CON, VOL],
    "atlas-{A}.secret": [IMG, CON],
    "{iid}": [IMG],
    "{iid12}": [IMG, NET],
    "atlas-{A}.anet": [NET],
    "{nid12}": [NET, CON],
    "atlas-{A}.avol": [VOL],
    "{anon}": [VOL, NET],
    "x/atlas-{A}.db": [CON, IMG, NET, VOL],
}
NOWHERE = "nowhere0"  # a name no session has


def _curl(path: str) -> str:
    return (
        "curl -sS -o /tmp/answer -w '%{http_code}' --unix-socket /var/run/docker.sock "
        f"'http://d/v1.41{path}'; echo; cat /tmp/answer"
    )


def test_b_inspecting_a_names_is_like_a_missing_name(victim):
    """`docker inspect` and raw lookups of A's objects answer exactly as for a name that exists
    nowhere (404, the same message with the name swapped): B learns nothing (one shell)."""
    names = {victim.fmt(s): paths for s, paths in LOOKUP_SPELLINGS.items()}
    raw = [(n, p) for n, paths in [(NOWHERE, [CON, IMG, NET, VOL]), *names.items()] for p in paths]
    cmds = [f"docker inspect {n}" for n in [NOWHERE, *names]] + [_curl(p.format(x=n)) for n, p in raw]
    answers = victim.b.sh_each(cmds)
    inspects, lookups = answers[: len(names) + 1], answers[len(names) + 1 :]
    code, missing = inspects[0]
    assert code == 1 and f"No such object: {NOWHERE}" in missing, missing
    wrong = [
        (n, got)
        for n, got in zip(names, inspects[1:], strict=True)
        if got != (1, missing.replace(NOWHERE, n))
    ]
    assert not wrong, f"docker inspect of A's objects differs from a missing name's: {wrong}"
    nowhere = {p: out for (n, p), (_, out) in zip(raw, lookups, strict=True) if n == NOWHERE}
    assert all(out.startswith("404\n") for out in nowhere.values()), nowhere
    wrong = []
    for (n, path), (_, out) in zip(raw, lookups, strict=True):
        status, _, body = out.partition("\n")
        want = json.loads(nowhere[path].partition("\n")[2])["message"].replace(NOWHERE, n)
        if status != "404" or json.loads(body)["message"] != want:
            wrong.append((path, n, out))
    assert not wrong, f"lookups of A's objects differ from a missing name's: {wrong}"
