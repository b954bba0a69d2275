"""Attacks on the gateway's JSON and query parsing, sent raw with curl from INSIDE a real docker sandbox.

Issue 11: the engine decodes JSON keys case-insensitively (with Unicode folds) and lets the last
duplicate win, and reads urlencoded bodies as query parameters. Each attack here is a request the
docker CLI would never send; the test asserts on the HOST, through the engine, that nothing escaped:
no container of the session has a host path, privileges or host namespaces, no volume has driver
options, no network another driver, no other session's container or image was touched.
"""

from __future__ import annotations

import base64
import json
import secrets

import pytest
from gateway_harness import box, gateway, session_containers  # noqa: F401 - fixtures

from sandbox.gateway.policy import CAP_ALLOWLIST, LABEL_SESSION

pytestmark = [pytest.mark.docker]
PREFIX = "denied by the Container Atlas sandbox policy: "


def curl_cmd(method: str, path: str, body: bytes | str = b"", ctype: str = "application/json") -> str:
    """The shell command that sends one raw request to the sandbox's own gateway socket and prints the
    HTTP status, a newline, then the answer."""
    data = body.encode() if isinstance(body, str) else body
    b64 = base64.b64encode(data).decode()
    return (
        f"echo {b64} | base64 -d > /tmp/req.body && curl -s -o /tmp/req.out -w '%{{http_code}}' "
        f"--unix-socket /var/run/docker.sock -X {method} -H 'Content-Type: {ctype}' "
        f"--data-binary @/tmp/req.body 'http://d/v1.41{path}'; echo; cat /tmp/req.out"
    )


def _answer(code: int, out: str) -> tuple[int, str]:
    assert code == 0, out
    status, _, answer = out.partition("\n")
    return int(status), answer


def curl(sandbox, method: str, path: str, body: bytes | str = b"", ctype: str = "application/json"):
    """(HTTP status, answer) of one raw request to the sandbox's own gateway socket."""
    return _answer(*sandbox.sh(curl_cmd(method, path, body, ctype)))


def curl_each(sandbox, requests: list[tuple[str, str, str]]) -> list[tuple[int, str]]:
    """`curl` for every (method, path, body), all sent from one shell in the sandbox."""
    return [_answer(*a) for a in sandbox.sh_each([curl_cmd(*r) for r in requests])]


def assert_contained(client, sid: str) -> None:
    """Every container, volume and network of the session, as the ENGINE reports it, is inside policy."""
    for c in session_containers(client, sid):
        hc = client.api.inspect_container(c["Id"])["HostConfig"]
        for bind in hc.get("Binds") or []:
            assert not bind.startswith(("/", ".")), f"host bind {bind}"
        for m in client.api.inspect_container(c["Id"])["Mounts"]:
            assert m["Type"] in {"volume", "tmpfs"}, m
        assert not hc.get("Privileged") and not hc.get("Devices") and not hc.get("Sysctls")
        for ns in ("PidMode", "IpcMode", "UTSMode", "NetworkMode", "UsernsMode"):
            assert hc.get(ns) != "host", (ns, hc.get(ns))
        assert {x.upper().removeprefix("CAP_") for x in hc.get("CapAdd") or []} <= CAP_ALLOWLIST
        assert not [o for o in hc.get("SecurityOpt") or [] if "unconfined" in o or "disable" in o]
        assert hc.get("CpuShares", 0) <= 1024 and not hc.get("CpuQuota") and not hc.get("CpusetCpus")
        assert 0 < hc["ShmSize"] <= 64 * 2**20
    flt = {"label": f"{LABEL_SESSION}={sid}"}
    for v in client.api.volumes(filters=flt).get("Volumes") or []:
        assert v["Driver"] == "local" and not client.api.inspect_volume(v["Name"]).get("Options"), v
    for n in client.api.networks(filters=flt):
        assert n["Driver"] == "bridge", n


def create_body(hc: str) -> str:
    return '{"Image":"busybox","Cmd":["cat","/host/etc/hostname"],"HostConfig":' + hc + "}"


CREATE_ATTACKS = [
    ('{"Binds":[],"binds":["/:/host:ro"]}', 400, "HostConfig.binds: duplicates HostConfig.Binds"),
    ('{"binds":["/:/host:ro"]}', 403, "bind mounts of host paths are not allowed (/)"),
    ('{"BINDS":["/var/run/docker.sock:/s"]}', 403, "bind mounts of host paths"),
    ('{"Bind\\u017f":["/:/host"]}', 403, "bind mounts of host paths"),
    ('{"Binds":["data:/d"],"bindſ":["/etc:/host"]}', 400, "duplicates HostConfig.Binds"),
    ('{"Privileged":false,"privileged":true}', 400, "HostConfig.privileged: duplicates"),
    ('{"pidmode":"host"}', 403, "--pid host is not allowed"),
    ('{"PidMode":"","PIDMODE":"host"}', 400, "duplicates HostConfig.PidMode"),
    ('{"capadd":["SYS_ADMIN"]}', 403, "--cap-add SYS_ADMIN is not allowed"),
    ('{"CapAdd":[],"capAdd":["ALL"]}', 400, "duplicates HostConfig.CapAdd"),
    ('{"securityopt":["seccomp=unconfined"]}', 403, "seccomp=unconfined is not allowed"),
    ('{"SecurityOpt":[],"securityOpt":["apparmor=unconfined"]}', 400, "duplicates HostConfig.SecurityOpt"),
    ('{"mounts":[{"type":"bind","source":"/","target":"/host"}]}', 403, "bind mounts of host paths"),
    ('{"Mounts":[{"Type":"volume","Source":"v","Target":"/v","type":"bind"}]}', 400, "duplicates"),
    ('{"cgroupparent":"/"}', 403, "--cgroup-parent is not allowed"),
    ('{"Devices":[],"devices":[{"PathOnHost":"/dev/mem"}]}', 400, "duplicates HostConfig.Devices"),
    ('{"NetworkMode":"default","networkmode":"host"}', 400, "duplicates HostConfig.NetworkMode"),
    ('{"userNSmode":"host"}', 403, "--userns host is not allowed"),
    ('{"CpuShares":2,"cpushares":262144}', 400, "duplicates HostConfig.CpuShares"),
    ('{"cpuquota":1000000}', 403, "CPU quotas"),
    ('{"\\u212aernelMemory":1073741824}', 403, "kernel memory"),
    ('{"OomKillDisable":false,"oom\\u212aillDisable":true}', 400, "duplicates HostConfig.OomKillDisable"),
    ('{"Bogus":true}', 400, "HostConfig.Bogus: unknown field"),
    ('{"Privileged":"true"}', 400, "expected a boolean"),
]


def test_container_create_key_case_and_duplicates(docker_client, box):  # noqa: F811
    """Every HostConfig of CREATE_ATTACKS (one shell sends them all): each refused, nothing created."""
    before = {c["Id"] for c in session_containers(docker_client, box.sid)}
    answers = curl_each(
        box, [("POST", "/containers/create?name=k2", create_body(hc)) for hc, _, _ in CREATE_ATTACKS]
    )
    wrong = [
        f"{hc}: expected {status} {message!r}, got {got} {answer}"
        for (hc, status, message), (got, answer) in zip(CREATE_ATTACKS, answers, strict=True)
        if got != status or message not in answer
    ]
    assert not wrong, "\n".join(wrong)
    assert {c["Id"] for c in session_containers(docker_client, box.sid)} == before
    assert_contained(docker_client, box.sid)


def test_top_level_duplicates_and_smuggled_second_document(docker_client, box):  # noqa: F811
    before = {c["Id"] for c in session_containers(docker_client, box.sid)}
    attacks = [
        '{"Image":"busybox","HostConfig":{},"hostconfig":{"Binds":["/:/h"]}}',
        '{"Image":"busybox","HostConfig":{},"HOSTCONFIG":{"Privileged":true}}',
        '{"Image":"busybox","Labels":{},"labelſ":{"org.container-atlas.session":"x"}}',
        '{"Image":"busybox"}\n{"HostConfig":{"Binds":["/:/h"]}}',
        '{"Image":"busybox","HostConfig":{"Binds":["/:/h"],"Binds":[]}}',
    ]
    for body in attacks:
        got, answer = curl(box, "POST", "/containers/create", body)
        assert got == 400, (body, got, answer)
    assert {c["Id"] for c in session_containers(docker_client, box.sid)} == before
    assert_contained(docker_client, box.sid)


def test_respelled_allowed_keys_work_and_reach_the_engine_canonical(docker_client, box):  # noqa: F811
    body = '{"image":"busybox","cmd":["true"],"hostconfig":{"memory":33554432,"bindſ":["kdata:/d"]}}'
    got, answer = curl(box, "POST", "/containers/create?name=canon", body)
    assert got == 201, answer
    try:
        info = docker_client.api.inspect_container(json.loads(answer)["Id"])
        assert info["HostConfig"]["Memory"] == 32 * 2**20
        assert info["HostConfig"]["Binds"] == [f"atlas-{box.sid}.kdata:/d"]
        assert_contained(docker_client, box.sid)
    finally:
        box.sh("docker rm -f canon; docker volume rm kdata")


VOLUME_ATTACKS = [
    ('{"Name":"hostetc","driveropts":{"type":"none","o":"bind","device":"/etc"}}', 403, "driver options"),
    (
        '{"Name":"hostetc","DriverOpts":{},"driverOpts":{"device":"/etc","o":"bind","type":"none"}}',
        400,
        "dup",
    ),
    ('{"Name":"hostetc","driver":"local-persist"}', 403, "volume driver local-persist is not allowed"),
    ('{"Name":"hostetc","Labels":{},"labels":{"org.container-atlas.session":"x"}}', 400, "duplicates"),
]


def refused_each(sandbox, path: str, attacks: list[tuple[str, int, str]]) -> None:
    """POST every (body, status, message) of `attacks` to `path` (one shell): each answered so."""
    answers = curl_each(sandbox, [("POST", path, body) for body, _, _ in attacks])
    wrong = [
        f"{body}: expected {status} {message!r}, got {got} {answer}"
        for (body, status, message), (got, answer) in zip(attacks, answers, strict=True)
        if got != status or message not in answer
    ]
    assert not wrong, "\n".join(wrong)


def test_volume_create_variants(docker_client, box):  # noqa: F811
    refused_each(box, "/volumes/create", VOLUME_ATTACKS)
    assert not docker_client.api.volumes(filters={"name": "hostetc"}).get("Volumes")
    assert_contained(docker_client, box.sid)


NETWORK_ATTACKS = [
    ('{"Name":"mv","driver":"macvlan","options":{"parent":"eth0"}}', 403, "network driver macvlan"),
    ('{"Name":"mv","Driver":"bridge","DRIVER":"host"}', 400, "duplicates Driver"),
    (
        '{"Name":"mv","Options":{},"optionſ":{"com.docker.network.bridge.name":"docker0"}}',
        400,
        "duplicates",
    ),
    ('{"Name":"mv","ipam":{"config":[{"subnet":"10.0.0.0/8"}]}}', 403, "--subnet"),
]


def test_network_create_variants(docker_client, box):  # noqa: F811
    refused_each(box, "/networks/create", NETWORK_ATTACKS)
    assert not docker_client.api.networks(names=[f"atlas-{box.sid}.mv"])
    assert_contained(docker_client, box.sid)


@pytest.fixture
def victim(docker_client):
    """Another session's container, made directly on the engine with that session's labels."""
    other = "v" + secrets.token_hex(5)
    c = docker_client.containers.create(
        "busybox",
        ["sleep", "60"],
        name=f"atlas-{other}.web",
        labels={LABEL_SESSION: other},
        network_mode="none",
    )
    yield c
    c.remove(force=True)


def test_connect_another_sessions_container(docker_client, box, victim):  # noqa: F811
    assert box.sh("docker network create mynet && docker create --name mine busybox sleep 60")[0] == 0
    try:
        attacks = [
            ('{"Container":"mine","container":"' + victim.id + '"}', 400, "duplicates Container"),
            ('{"container":"' + victim.id + '"}', 404, "No such container"),
            ('{"CONTAINER":"' + victim.name + '"}', 404, "No such container"),
        ]
        for body, status, message in attacks:
            got, answer = curl(box, "POST", "/networks/mynet/connect", body)
            assert got == status and message in answer, (body, got, answer)
        nets = docker_client.api.inspect_container(victim.id)["NetworkSettings"]["Networks"]
        assert f"atlas-{box.sid}.mynet" not in nets, nets
    finally:
        box.sh("docker rm -f mine; docker network rm mynet")


def test_exec_and_commit_variants(docker_client, box):  # noqa: F811
    assert box.sh("docker run -d --name ex busybox sleep 60")[0] == 0
    try:
        cid = docker_client.api.inspect_container(f"atlas-{box.sid}.ex")["Id"]
        for body, status in [
            ('{"Cmd":["id"],"privileged":true}', 403),
            ('{"Cmd":["id"],"Privileged":false,"PRIVILEGED":true}', 400),
        ]:
            got, answer = curl(box, "POST", "/containers/ex/exec", body)
            assert got == status, (body, got, answer)
        assert not docker_client.api.inspect_container(cid)["ExecIDs"]
        other = "o" + secrets.token_hex(5)
        body = '{"Labels":{"a":"b"},"labels":' + json.dumps({LABEL_SESSION: other}) + "}"
        got, answer = curl(box, "POST", "/commit?container=ex&repo=snap", body)
        assert got == 400 and "duplicates Labels" in answer, answer
        got, answer = curl(box, "POST", "/commit?container=ex&repo=snap&changes=LABEL%20x%3Dy", "{}")
        assert got == 403 and "--change LABEL is not available" in answer, answer
        assert not docker_client.api.images(filters={"label": f"{LABEL_SESSION}={other}"})
        assert not [t for i in docker_client.api.images() for t in i.get("RepoTags") or [] if "snap" in t]
    finally:
        box.sh("docker rm -f ex")


def test_form_body_cannot_override_the_query(docker_client, box):  # noqa: F811
    """The engine's r.Form lets a urlencoded body override query parameters; the gateway drops it."""
    other = "f" + secrets.token_hex(5)
    body = f"repo=atlas-{other}.stolen&tag=latest"
    got, answer = curl(
        box, "POST", "/images/busybox/tag?repo=mine&tag=v1", body, "application/x-www-form-urlencoded"
    )
    assert got == 201, answer
    try:
        tags = [t for i in docker_client.api.images() for t in i.get("RepoTags") or []]
        assert f"atlas-{other}.stolen:latest" not in tags
        assert f"atlas-{box.sid}.mine:v1" in tags
    finally:
        box.sh("docker rmi mine:v1")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/containers/create?name=a&Name=b", "query parameter Name: not accepted"),
        ("/containers/create?name=a&name=b", "query parameter name: given more than once"),
        ("/containers/json?filters=%7B%22label%22%3A%5B%5D%2C%22label%22%3A%5B%5D%7D", "given twice"),
        ("/containers/json?limit=1e9", "query parameter limit: expected an integer"),
    ],
)
def test_query_variants(docker_client, box, path, message):  # noqa: F811
    method = "GET" if path.startswith("/containers/json") else "POST"
    before = {c["Id"] for c in session_containers(docker_client, box.sid)}
    got, answer = curl(box, method, path, '{"Image":"busybox"}' if method == "POST" else "")
    assert got == 400 and message in answer, (got, answer)
    assert {c["Id"] for c in session_containers(docker_client, box.sid)} == before


def test_clamps_through_the_cli(docker_client, box):  # noqa: F811
    """CPU weight, /dev/shm and tmpfs sizes are clamped; CPU quotas and sets are refused."""
    cmd = (
        "docker create --name clamp --cpu-shares 262144 --shm-size 1g --tmpfs /t:size=1g,mode=1777 "
        "--mount type=tmpfs,dst=/m busybox true"
    )
    code, out = box.sh(cmd)
    assert code == 0, out
    try:
        hc = docker_client.api.inspect_container(f"atlas-{box.sid}.clamp")["HostConfig"]
        assert hc["CpuShares"] == 1024 and hc["ShmSize"] == 64 * 2**20
        assert hc["Tmpfs"] == {"/t": f"mode=1777,size={64 * 2**20}"}
        assert [m["TmpfsOptions"]["SizeBytes"] for m in hc["Mounts"]] == [64 * 2**20]
    finally:
        box.sh("docker rm -f clamp")
    for flags, reason in [
        ("--cpu-quota 1000000", "CPU quotas"),
        ("--cpuset-cpus 0", "CPU quotas"),
        ("--blkio-weight 1000", "block I/O"),
        ("--tmpfs /t:size=90%", "--tmpfs /t: size=90% is not understood"),
    ]:
        code, out = box.sh(f"docker create {flags} busybox true")
        assert code != 0 and PREFIX + reason in out, (flags, out)
    assert_contained(docker_client, box.sid)


def test_stray_bodies_on_other_endpoints(docker_client, box):  # noqa: F811
    """A urlencoded body on rename would name the container in another session's namespace; a start
    body would carry a host configuration. Neither reaches the engine."""
    assert box.sh("docker create --name victimname busybox sleep 60")[0] == 0
    other = "r" + secrets.token_hex(5)
    form = "application/x-www-form-urlencoded"
    try:
        path = "/containers/victimname/rename?name=renamed"
        got, answer = curl(box, "POST", path, f"name=atlas-{other}.x", form)
        assert got == 204, answer
        names = [n for c in docker_client.api.containers(all=True) for n in c["Names"]]
        assert f"/atlas-{other}.x" not in names and f"/atlas-{box.sid}.renamed" in names
        for body in ['{"hostconfig":{"Privileged":true}}', '{"HostConfig":{"Binds":["/:/h"]}}']:
            got, answer = curl(box, "POST", "/containers/renamed/start", body)
            assert got == 403 and "may not carry a host configuration" in answer, answer
        got, answer = curl(box, "POST", "/containers/renamed/start", "binds=/:/h", form)
        assert got == 400 and "not valid JSON" in answer, answer
        assert_contained(docker_client, box.sid)
    finally:
        box.sh("docker rm -f victimname renamed")
