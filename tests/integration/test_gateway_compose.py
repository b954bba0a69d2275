"""Compose v2 (`docker compose`) in a real docker sandbox through the gateway: a web server + redis
app with a named volume and a network comes up, is seen under the names the learner chose, obeys the
same limits as `docker run` (checked on the host, through the engine) and cannot escape the policy."""

from __future__ import annotations

import re

import pytest
from gateway_harness import box, gateway, require_images, session_containers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
CURL = "curl -sf --retry 15 --retry-connrefused --retry-delay 1"
APP = """\
services:
  web:
    image: nginx
    ports: ["8083:80"]
    networks: [front]
    volumes: ["html:/usr/share/nginx/html"]
  cache:
    image: redis
    networks: [front]
    volumes: ["data:/data"]
volumes:
  html:
  data:
networks:
  front:
"""
BAD = {
    "host bind": "    volumes: ['/:/host']\n",
    "privileged": "    privileged: true\n",
    "host network": "    network_mode: host\n",
    "host pid": "    pid: host\n",
}
LIMITS = ("Memory", "MemorySwap", "PidsLimit", "CgroupParent", "NanoCpus", "CpuShares", "Privileged")


def ok(box, cmd: str, timeout: int = 300) -> str:  # noqa: F811 - `box` is the fixture object
    code, out = box.sh(cmd, timeout=timeout)
    assert code == 0, f"{cmd!r} failed ({code}):\n{out}"
    return out


def write(box, folder: str, text: str) -> None:  # noqa: F811
    ok(box, f"mkdir -p ~/{folder} && cat > ~/{folder}/compose.yaml <<'EOF'\n{text}EOF")


def test_compose_app_up_ps_logs_down(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "nginx", "redis")
    assert re.match(r"Docker Compose version v?2\.", ok(box, "docker compose version"))
    write(box, "app", APP)
    ok(box, "cd ~/app && docker compose up -d")
    ps = ok(box, "cd ~/app && docker compose ps --format '{{.Name}} {{.Service}} {{.State}}'")
    assert sorted(ps.split("\n")[:2]) == ["app-cache-1 cache running", "app-web-1 web running"], ps
    names = "docker compose ps && docker ps && docker inspect app-web-1 && docker compose top"
    shown = ok(box, f"cd ~/app && {names} && docker stats --no-stream")
    assert "atlas-" not in shown and "app-web-1" in shown, shown
    assert "Welcome to nginx!" in ok(box, f"{CURL} localhost:8083/")
    # the named volume was seeded from the image and is shared through the container
    ok(box, "cd ~/app && docker compose exec -T web sh -c 'echo from-volume > /usr/share/nginx/html/v.html'")
    assert ok(box, f"{CURL} localhost:8083/v.html").strip() == "from-volume"
    # the service network: web reaches the cache by its service name
    assert "cache" in ok(box, "cd ~/app && docker compose exec -T web getent hosts cache")
    assert ok(box, "cd ~/app && docker compose exec -T cache redis-cli ping").strip() == "PONG"
    assert "GET /v.html" in ok(box, "cd ~/app && docker compose logs web")
    names = ok(box, "docker volume ls -q && docker network ls --format '{{.Name}}'")
    assert {"app_html", "app_data", "app_front"} <= set(names.split()), names

    ok(box, "cd ~/app && docker compose up -d --scale cache=2")  # scaling a service, as the tutorial does
    ps = ok(box, "cd ~/app && docker compose ps --format '{{.Name}}' cache").split()
    assert sorted(ps) == ["app-cache-1", "app-cache-2"], ps
    ok(box, "docker run -d --name plain busybox sleep 600")
    by_name = {c["Names"][0].rsplit(".", 1)[-1]: c["Id"] for c in session_containers(docker_client, box.sid)}
    host = {n: docker_client.api.inspect_container(i)["HostConfig"] for n, i in by_name.items()}
    for service in ("app-web-1", "app-cache-1", "app-cache-2"):
        got = {k: host[service].get(k) for k in LIMITS}
        want = {k: host["plain"].get(k) for k in LIMITS}
        assert got == want, f"{service} differs from a `docker run` container: {got} != {want}"
        assert got["Memory"] and got["PidsLimit"] and got["CgroupParent"] and not got["Privileged"]
        assert host[service]["NetworkMode"] != "host" and host[service]["PidMode"] != "host"
    ok(box, "docker rm -f plain")

    ok(box, "cd ~/app && docker compose down -v")
    assert ok(box, "docker ps -aq").strip() == ""
    left = ok(box, "docker volume ls -q && docker network ls --format '{{.Name}}'").split()
    assert not {"app_html", "app_data", "app_front"} & set(left), left


@pytest.mark.parametrize("what", sorted(BAD))
def test_compose_cannot_escape(docker_client, local_registry, box, what):  # noqa: F811
    require_images(docker_client, "busybox")
    folder = "bad-" + what.replace(" ", "-")
    write(box, folder, f"services:\n  evil:\n    image: busybox\n    command: sleep 600\n{BAD[what]}")
    code, out = box.sh(f"cd ~/{folder} && docker compose up -d", timeout=120)
    assert code != 0, out
    assert "denied by the Container Atlas sandbox policy" in out, out
    running = [c for c in session_containers(docker_client, box.sid) if c["State"] == "running"]
    assert running == [], running
    ok(box, f"cd ~/{folder} && docker compose down -v")


def test_compose_build_uses_the_classic_builder(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "busybox")
    dockerfile = "FROM busybox\\nRUN echo built-by-compose > /b\\nCMD cat /b\\n"
    ok(box, f"mkdir -p ~/built && printf '{dockerfile}' > ~/built/Dockerfile")
    write(box, "built", "services:\n  hello:\n    build: .\n")
    ok(box, "cd ~/built && docker compose build")
    assert "built-by-compose" in ok(box, "cd ~/built && docker compose run --rm hello")
    ok(box, "cd ~/built && docker compose down -v --rmi local")


def test_buildkit_is_refused_with_how_to_use_the_classic_builder(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "busybox")
    ok(box, "mkdir -p ~/bk && printf 'FROM busybox\\n' > ~/bk/Dockerfile")
    write(box, "bk", "services:\n  x:\n    build: .\n")
    tries = (
        "DOCKER_BUILDKIT=1 docker build ~/bk",
        "docker buildx build ~/bk",
        "cd ~/bk && DOCKER_BUILDKIT=1 docker compose build",
    )
    for cmd in tries:
        code, out = box.sh(cmd, timeout=120)
        assert code != 0, f"{cmd}: {out}"
        assert "DOCKER_BUILDKIT=0" in out, f"{cmd}: {out}"
