"""The commands the tutorials teach, in order, with the real docker CLI inside a real docker sandbox."""

from __future__ import annotations

import json
import re

import pytest
from gateway_harness import box, gateway, require_images  # noqa: F401 - fixtures

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def ok(box, cmd: str) -> str:  # noqa: F811 - `box` is the fixture object passed along
    code, out = box.sh(cmd)
    assert code == 0, f"{cmd!r} failed ({code}):\n{out}"
    return out


def test_the_tutorial_sequence(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "httpd", "registry")
    assert "Server:" in ok(box, "docker version") and "1.41" in ok(box, "docker version")
    info = ok(box, "docker info")
    assert "Containers: 0" in info

    out = ok(box, "docker pull httpd")
    assert "httpd:latest" in out and "127.0.0.1:5000" not in out
    ok(box, "docker run -d --name web -p 8080:80 httpd")
    assert "It works!" in ok(box, "curl -s --retry 5 --retry-connrefused --retry-delay 1 localhost:8080")
    ps = ok(box, "docker ps")
    assert re.search(r"0\.0\.0\.0:8080->80/tcp\s+web", ps), ps
    assert "resuming normal operations" in ok(box, "docker logs web 2>&1")
    follow = box.sh("timeout 2 docker logs -f web 2>&1")  # a stream the CLI abandons
    assert follow[0] == 124 and "resuming normal operations" in follow[1]
    ok(box, "docker cp /etc/hostname web:/tmp/copied && docker exec web test -s /tmp/copied")
    ok(box, "docker run -d --name att busybox sh -c 'sleep 1; echo attached-out'")
    assert "attached-out" in ok(box, "docker attach att")
    # --until ends the stream after the past events (no race with a timeout on a busy machine)
    events = box.sh('docker events --since 10m --until "$(date +%s)" --filter event=start 2>&1')[1]
    assert "container start" in events and "web" in events
    assert ok(box, "docker exec web cat /etc/hostname").strip()
    assert "42" in box.tty("docker exec -it web sh", "echo $((6*7))\nexit\n")
    assert "/dev/pts/0" in box.tty("docker run -it --rm busybox sh", "tty\nexit\n")
    assert ok(box, "echo piped | docker run -i --rm busybox cat").strip() == "piped"

    images = ok(box, "docker images")
    assert re.search(r"^httpd\s+latest", images, re.M) and re.search(r"^busybox\s+latest", images, re.M)
    assert "container-atlas/" not in images
    assert "CREATED BY" in ok(box, "docker history httpd")
    assert ok(box, "docker image inspect -f '{{.Os}}' httpd").strip() == "linux"
    assert "manifest.json" in ok(box, "docker save busybox | tar -t")

    ok(box, "docker exec web sh -c 'echo committed > /marker'")
    ok(box, "docker commit web mycommit")
    assert ok(box, "docker run --rm mycommit cat /marker").strip() == "committed"

    ctx = (
        "mkdir -p /tmp/ctx && cd /tmp/ctx && printf 'hello from COPY\\n' > f && "
        "printf 'FROM busybox\\nRUN echo built > /b\\nCOPY f /f\\nLABEL tier=front\\n"
        "CMD cat /b /f\\n' > Dockerfile"
    )
    ok(box, ctx)
    first = ok(box, "cd /tmp/ctx && docker build -t mine .")
    assert "Successfully tagged mine:latest" in first
    again = ok(box, "cd /tmp/ctx && docker build -t mine .")
    assert again.count("Using cache") >= 2, again
    assert ok(box, "docker run --rm mine") == "built\nhello from COPY\n"
    ok(box, "docker tag mine mine:v2")
    assert re.search(r"^mine\s+v2", ok(box, "docker images"), re.M)
    _images_by_name_and_filter(box)

    ok(box, "docker run -d --name reg -p 5000:5000 registry")
    ok(box, "curl -s --retry 10 --retry-connrefused --retry-delay 1 localhost:5000/v2/")
    ok(box, "docker tag mine localhost:5000/mine")
    push = ok(box, "docker push localhost:5000/mine")
    assert "The push refers to repository [localhost:5000/mine]" in push and "digest: sha256:" in push
    assert '"mine"' in ok(box, "curl -s localhost:5000/v2/_catalog")
    ok(box, "docker rmi localhost:5000/mine")
    assert "Downloaded newer image for localhost:5000/mine:latest" in ok(
        box, "docker pull localhost:5000/mine"
    )

    ok(box, "docker network create mynet")
    ok(box, "docker volume create myvol")
    ok(box, "docker run --rm --network mynet -v myvol:/data busybox sh -c 'echo kept > /data/x'")
    assert ok(box, "docker run --rm -v myvol:/data busybox cat /data/x").strip() == "kept"
    assert "mynet" in ok(box, "docker network ls") and "myvol" in ok(box, "docker volume ls")

    df = ok(box, "docker system df")
    assert re.search(r"^Containers\s+3\s", df, re.M), df
    ok(box, "docker stop -t 1 web reg")
    ok(box, "docker rm web reg att")
    assert ok(box, "docker ps -aq").strip() == ""
    assert "Untagged: mine:v2" in ok(box, "docker rmi mine:v2")
    pruned = ok(box, "docker system prune -af --volumes")
    assert "Total reclaimed space" in pruned
    assert "mynet" not in ok(box, "docker network ls") and "myvol" not in ok(box, "docker volume ls")
    assert re.search(r"^busybox\s+latest", ok(box, "docker images"), re.M), "shared images must stay"


def _images_by_name_and_filter(box) -> None:  # noqa: F811
    """`docker images <name>` and every `docker images --filter` match the learner's names (built
    `mine`, `mine:v2` with LABEL tier=front, committed `mycommit`, shared busybox); one shell for all."""
    fmt = "--format '{{.Repository}}:{{.Tag}}'"
    looks = {
        "name": f"docker images {fmt} mine",
        "shared": f"docker images {fmt} busybox",
        "glob": f"docker images {fmt} 'mi*'",
        "tag": f"docker image ls {fmt} --filter reference=mine:latest",
        "tag glob": f"docker image ls {fmt} --filter 'reference=*:v2'",
        "label": f"docker images {fmt} --filter label=tier=front",
        "dangling": f"docker images {fmt} --filter dangling=true",
        "since": f"docker images {fmt} --filter since=busybox",
        "before": f"docker images {fmt} --filter before=mine:v2",
        "legacy": "curl -sS --unix-socket /var/run/docker.sock 'http://d/v1.41/images/json?filter=mine'",
        "missing": f"docker images {fmt} --filter since=nosuch",
        "bad": f"docker images {fmt} 'mi['",
    }
    got = dict(zip(looks, box.sh_each(list(looks.values())), strict=True))

    def listed(key: str) -> list[str]:
        code, out = got[key]
        assert code == 0, f"{looks[key]} failed ({code}):\n{out}"
        return sorted(out.split())

    assert listed("name") == listed("glob") == listed("label") == ["mine:latest", "mine:v2"]
    assert listed("shared") == ["busybox:latest"]
    assert listed("tag") == ["mine:latest"] and listed("tag glob") == ["mine:v2"]
    assert listed("dangling") == []
    assert "mine:latest" in listed("since") and "busybox:latest" not in listed("since")
    assert "busybox:latest" in listed("before") and "mine:v2" not in listed("before")
    legacy = sorted(t for i in json.loads(got["legacy"][1]) for t in i["RepoTags"])
    assert legacy == ["mine:latest", "mine:v2"], got["legacy"]
    assert got["missing"][0] != 0 and "No such image: nosuch" in got["missing"][1]
    assert got["bad"][0] != 0 and "filters.reference" in got["bad"][1], got["bad"]


def test_names_the_learner_chose_in_events_and_inspect(docker_client, box):  # noqa: F811
    """`docker events --filter container=|image=|network=|volume=<name>` and `docker inspect` of a slash
    image, a tagged image, a volume and a network answer as on a plain engine, in the learner's names
    (one shell)."""
    require_images(docker_client, "busybox", "prom/prometheus")
    ev = 'docker events --since 10m --until "$(($(date +%s)+1))"'  # ends by itself after the past events
    short_id = "$(docker inspect -f '{{.Id}}' evweb | cut -c1-12)"
    what = "--format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'"
    cmds = {
        "made": "docker run --name evweb busybox true && docker volume create evvol "
        "&& docker network create evnet",
        "by_name": f"{ev} --filter container=evweb",
        "by_id": f"{ev} --filter container={short_id} --filter event=die",
        "by_image": f"{ev} --filter image=busybox --filter event=start {what}",
        "nothing": f"{ev} --filter container=nothing",
        "network": f"{ev} --filter network=evnet {what}",
        "volume": f"{ev} --filter volume=evvol {what}",
        "prom": "docker inspect -f '{{index .RepoTags 0}}' prom/prometheus",
        "tagged": "docker inspect -f '{{index .RepoTags 0}}' busybox:latest",
        "vol_net": "docker inspect -f '{{.Name}}' evvol evnet",
        "missing": "docker inspect no/such/thing",
        "gone": "docker rm evweb && docker volume rm evvol && docker network rm evnet",
    }
    got = dict(zip(cmds, box.sh_each(list(cmds.values())), strict=True))
    assert got["made"][0] == 0 and got["gone"][0] == 0, got
    by_name, by_id = got["by_name"], got["by_id"]
    assert by_name[0] == 0 and "container start" in by_name[1] and "name=evweb" in by_name[1], by_name
    assert "container die" in by_id[1] and "container start" not in by_id[1] and "name=evweb" in by_id[1]
    assert re.search(r"^container start \w+ evweb$", got["by_image"][1], re.M), got["by_image"]
    assert got["nothing"] == (0, ""), got["nothing"]
    assert re.fullmatch(r"network create \w+ evnet\n", got["network"][1]), got["network"]
    assert got["volume"] == (0, "volume create evvol <no value>\n"), got["volume"]
    assert "atlas-" not in "".join(got[k][1] for k in ("by_name", "by_id", "by_image", "network", "volume"))
    assert got["prom"] == (0, "prom/prometheus:latest\n"), got["prom"]
    assert got["tagged"] == (0, "busybox:latest\n"), got["tagged"]
    assert got["vol_net"] == (0, "evvol\nevnet\n"), got["vol_net"]
    missing = got["missing"]
    assert missing[0] == 1 and "No such object: no/such/thing" in missing[1], missing


def test_load_and_import_of_an_archive_get_the_policy_answer(box):  # noqa: F811
    """`docker load -i` and `docker import` of an archive of several MB (over the 1 MiB JSON body limit)
    are refused with the policy's message, not a broken pipe or a body-size error (one shell)."""
    refused = "denied by the Container Atlas sandbox policy: docker {} is not available"
    cmds = {
        "make": "head -c 60000000 /dev/urandom > /tmp/big.tar && ls -l /tmp/big.tar",
        "load": "docker load -i /tmp/big.tar",
        "load_stdin": "docker load < /tmp/big.tar",
        "import": "docker import /tmp/big.tar",
        "import_stdin": "cat /tmp/big.tar | docker import - mine",
        "still": "rm /tmp/big.tar; docker version --format '{{.Server.Version}}'",
    }
    got = dict(zip(cmds, box.sh_each(list(cmds.values())), strict=True))
    assert got["make"][0] == 0, got["make"]
    for key, verb in (
        ("load", "load"),
        ("load_stdin", "load"),
        ("import", "import"),
        ("import_stdin", "import"),
    ):
        code, out = got[key]
        assert code != 0 and refused.format(verb) in out, f"{cmds[key]}: exit {code}\n{out}"
    assert got["still"][0] == 0, got["still"]
