"""Two docker sandboxes on one gateway: B cannot see, touch or reach anything of A."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys

import pytest
from gateway_harness import gateway, sandbox_pair  # noqa: F401 - fixture
from realparts import need

pytestmark = [pytest.mark.docker]
SERVE = "sh -c 'while true; do echo from-a | nc -l -p 80; done'"


@pytest.fixture(scope="module")
def pair(docker_client, gateway):  # noqa: F811
    """Sandboxes A (with a container `web`, an image, a volume, a network) and B."""
    setup = [
        "docker network create anet",
        "docker volume create avol",
        "docker tag busybox aimage",
        f"docker run -d --name web -p 8081:80 -v avol:/data busybox {SERVE}",
    ]
    with sandbox_pair(docker_client, gateway, setup) as ab:
        yield ab


def test_b_sees_none_of_a(pair):
    a, b = pair
    assert "web" in a.sh("docker ps")[1]
    assert b.sh("docker ps -aq")[1].strip() == ""
    assert "aimage" not in b.sh("docker images")[1]
    assert "avol" not in b.sh("docker volume ls")[1]
    assert "anet" not in b.sh("docker network ls")[1] and f"atlas-{a.sid}" not in b.sh("docker network ls")[1]


TOUCH_A = [
    "docker inspect web",
    "docker inspect {id}",
    "docker logs web",
    "docker exec web true",
    "docker stop web",
    "docker rm -f web",
    "docker kill {id}",
    "docker network connect {bnet} web",
    "docker network inspect anet",
    "docker network connect anet {id}",
    "docker volume inspect avol",
    "docker volume rm avol",
    "docker run --rm --volumes-from web busybox true",
    "docker run --rm --network container:web busybox true",
    "docker image inspect aimage",
    "docker rmi aimage",
    "docker tag aimage stolen",
    "docker cp web:/etc/hostname -",
    "docker save aimage",
]


def test_b_cannot_touch_a(pair):
    """Every command of TOUCH_A, from B's shell (one shell runs them all): not found, A's web untouched."""
    a, b = pair
    cid = a.sh("docker inspect -f '{{.Id}}' web")[1].strip()
    cmds = [cmd.format(id=cid, bnet=f"atlas-{b.sid}") for cmd in TOUCH_A]
    problems = []
    for cmd, (code, out) in zip(cmds, b.sh_each(cmds), strict=True):
        if code == 0 and "rm -f" not in cmd:  # `docker rm -f` of a missing container exits 0, as on any host
            problems.append(f"{cmd} succeeded:\n{out}")
        elif not any(s in out.lower() for s in ("no such", "not found", "no such object")):
            problems.append(f"{cmd}: unexpected answer:\n{out}")
    assert not problems, "\n".join(problems)
    assert "web" in a.sh("docker ps --format '{{.Names}}'")[1], "A's container must be untouched"
    assert a.sh("docker inspect -f '{{.Id}}' web")[1].strip() == cid, "A's web is the same container"


def test_b_dive_cannot_read_a_image(pair):
    """dive (in the learner image) exports images through the session's gateway: A's dive analyses
    A's own image; B's finds it neither by A's name nor by its ID (then tries a pull, refused)."""
    a, b = pair
    (made, image_id), (a_dive, a_out) = a.sh_each(
        [
            "docker run --name mk busybox sh -c 'echo a-secret > /secret' >/dev/null"
            " && docker commit mk a-own >/dev/null && docker rm mk >/dev/null"
            " && docker image inspect -f '{{.Id}}' a-own",
            "CI=true dive a-own",
        ]
    )
    image_id = image_id.strip()
    assert made == 0 and image_id.startswith("sha256:"), image_id
    assert a_dive == 0 and "efficiency: 100" in a_out and "Result:PASS" in a_out, a_out
    refs = ["a-own", image_id, image_id[7:19]]
    for ref, (code, out) in zip(refs, b.sh_each([f"CI=true dive {r}" for r in refs]), strict=True):
        assert code != 0 and "cannot fetch image" in out, f"B's dive read A's image {ref}:\n{out}"
        assert "efficiency" not in out and "Analyzing image" not in out, out


def test_b_cannot_reach_a_over_the_network(docker_client, pair):
    a, b = pair
    ip = docker_client.api.inspect_container(a.sh("docker inspect -f '{{.Id}}' web")[1].strip())
    ip = next(iter(ip["NetworkSettings"]["Networks"].values()))["IPAddress"]
    probe = f"docker run --rm busybox sh -c 'timeout 5 nc -w 3 {ip} 80 </dev/null; echo probed'"
    assert "from-a" in a.sh(probe)[1], "control: A reaches its own container"
    out = b.sh(probe)[1]
    assert "probed" in out and "from-a" not in out
    assert "It works" not in b.sh("curl -s -m 3 localhost:8081")[1]
    assert b.sh("curl -s -m 3 localhost:8081")[0] != 0
    assert "from-a" in a.sh("curl -s -m 3 localhost:8081 --http0.9")[1]


def test_containers_cannot_reach_the_host(docker_client, pair):
    a, _ = pair
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    try:
        net = docker_client.api.inspect_network(f"atlas-{a.sid}")
        host_ip = net["IPAM"]["Config"][0]["Gateway"]
        with socket.create_connection((host_ip, port), timeout=3):
            listener.accept()[0].close()  # control: the host itself reaches its listener on that address
        listener.setblocking(False)
        a.sh(f"docker run --rm busybox timeout 5 nc -w 3 {host_ip} {port} </dev/null")
        with pytest.raises(BlockingIOError):  # no connection ever arrived from the container
            listener.accept()[0].close()
    finally:
        listener.close()


def test_both_sandboxes_can_use_the_same_names(pair):
    a, b = pair
    same = (
        "docker run -d --name web busybox sleep 300 && docker network create anet && "
        "docker volume create avol && printf 'FROM busybox\\nRUN echo {who} > /who\\n' > /tmp/Dockerfile && "
        "docker build -q -t aimage - < /tmp/Dockerfile"
    )
    code, out = b.sh(same.format(who="b"))
    assert code == 0, out
    try:
        assert b.sh("docker run --rm aimage cat /who")[1].strip() == "b"
        assert b.sh("docker inspect -f '{{.Name}}' web")[1].strip() == "/web"
        ping = "docker run --rm {net} busybox sh -c 'ping -c1 -W2 web >/dev/null && echo found'"
        assert b.sh(ping.format(net=""))[1].strip() == "found", "DNS finds `web` by the name the learner gave"
        assert b.sh("docker network connect anet web")[0] == 0
        assert b.sh(ping.format(net="--network anet"))[1].strip() == "found"
        a_image = a.sh("docker image inspect -f '{{.Id}}' aimage")[1]
        assert a_image != b.sh("docker image inspect -f '{{.Id}}' aimage")[1]
        assert "web" in a.sh("docker ps --format '{{.Names}}'")[1], "A's web is untouched"
    finally:
        b.sh("docker rm -f web; docker network rm anet; docker volume rm avol; docker rmi aimage")


def df(box) -> dict:
    """The sandbox's GET /system/df answer, as the docker CLI receives it."""
    code, out = box.sh("curl -sf --unix-socket /var/run/docker.sock http://docker/v1.41/system/df")
    assert code == 0, out
    return json.loads(out)


def test_own_dangling_images_and_system_df(docker_client, pair):
    """A rebuilds `app` with a change: A's `docker images` and `-f dangling=true` list the old image,
    B's never do; `docker system df` of each shows only its own objects (A's image, volume and
    container in A's, none of A's names or IDs in B's), each image's container count is the session's,
    and the images' total is that of the images the session sees, not the engine's."""
    a, b = pair
    build = "printf 'FROM busybox\\nRUN {}\\n' > /tmp/D && docker build -q -t app - < /tmp/D"
    made = a.sh_each(
        [
            build.format("echo one > /f"),
            build.format("head -c 3000000 /dev/urandom > /blob"),
            "docker images -f dangling=true -q --no-trunc",
            "docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}'",
        ]
    )
    assert made[0][0] == 0 and made[1][0] == 0, made
    old = made[0][1].strip().splitlines()[-1]
    assert old.startswith("sha256:") and made[2] == (0, old + "\n"), made[2]
    assert f"<none>:<none> {old[7:19]}" in made[3][1], made[3]
    seen_b = b.sh_each(
        ["docker images -a -q --no-trunc", "docker images -f dangling=true -q", "docker system df"]
    )
    assert old not in seen_b[0][1] and seen_b[1] == (0, ""), seen_b
    assert seen_b[2][0] == 0, seen_b[2]

    df_a, df_b, engine = df(a), df(b), docker_client.api.df()
    text_b = json.dumps(df_b)
    web = a.sh("docker inspect -f '{{.Id}}' web")[1].strip()
    for leak in (a.sid, "aimage", "avol", web, old):
        assert leak not in text_b, f"B's system df shows {leak!r}"
    assert not any("app:latest" in i["RepoTags"] for i in df_b["Images"]), "B's df shows A's app"
    assert df_b["Containers"] == [] and df_b["Volumes"] == [] and df_b["BuildCache"] == []
    assert all(i["Containers"] == 0 for i in df_b["Images"]), "containers of others counted in B's df"
    assert f"atlas-{a.sid}." not in json.dumps(df_a), "A's df is in A's own names"
    assert [c["Names"] for c in df_a["Containers"]] == [["/web"]]
    assert "avol" in [v["Name"] for v in df_a["Volumes"]]
    tags_a = {t for i in df_a["Images"] for t in i["RepoTags"]}
    assert {"app:latest", "aimage:latest", "<none>:<none>"} <= tags_a, tags_a
    busybox = next(i for i in df_a["Images"] if "aimage:latest" in i["RepoTags"])
    assert busybox["Containers"] == 1, "A's web is the one container of A on busybox"
    assert df_b["LayersSize"] < engine["LayersSize"], "B's df counts images B cannot see"
    assert df_a["LayersSize"] - df_b["LayersSize"] >= 3_000_000, "A's df counts A's 3 MB image"
    pruned = a.sh_each(["docker image prune -f", "docker images -f dangling=true -q"])
    assert old in pruned[0][1] and pruned[1] == (0, ""), pruned


@pytest.fixture
def outside_host():
    """A test host outside the engine's networks: a network namespace on a veth pair, 198.51.100.2."""
    ns, host_if = f"atlas-egress-{secrets.token_hex(3)}", f"aeg{secrets.token_hex(3)}"
    setup = [
        ["ip", "netns", "add", ns],
        ["ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth-out", "netns", ns],
        ["ip", "addr", "add", "198.51.100.1/30", "dev", host_if],
        ["ip", "link", "set", host_if, "up"],
        ["ip", "netns", "exec", ns, "ip", "addr", "add", "198.51.100.2/30", "dev", "eth-out"],
        ["ip", "netns", "exec", ns, "ip", "link", "set", "eth-out", "up"],
        ["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"],
    ]
    try:
        for cmd in setup:
            proc = subprocess.run(cmd, capture_output=True, text=True)
            need("network namespaces (ip netns, veth)", proc.returncode == 0, f"{cmd}: {proc.stderr}")
        yield ns
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _listen_in(ns: str, port: int) -> subprocess.Popen:
    code = (
        "import socket,sys;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
        f"s.bind(('0.0.0.0',{port}));s.listen(4);s.settimeout(8);print('ready',flush=True)\n"
        "try:\n c,a=s.accept();print('connected',a[0],flush=True)\nexcept OSError:\n print('none',flush=True)"
    )
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_containers_cannot_reach_outside_the_machine(pair, outside_host):
    a, _ = pair
    port = 18080
    control = _listen_in(outside_host, port)
    with socket.create_connection(("198.51.100.2", port), timeout=3):
        pass  # control: the host itself reaches the outside test host
    assert "connected" in control.communicate(timeout=10)[0]
    probe = _listen_in(outside_host, port)
    a.sh("docker run --rm busybox timeout 5 nc -w 3 198.51.100.2 18080 </dev/null")
    assert "connected" not in probe.communicate(timeout=15)[0], "a learner's container reached a host outside"
