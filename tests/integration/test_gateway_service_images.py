"""The service images built from Debian packages (sandbox/images/{nginx,redis,python,prometheus,
node-exporter,syslog-ng,zookeeper}), pulled through the gateway in a real docker sandbox and used as the
tutorials (or the KB's examples) use them."""

from __future__ import annotations

import json
import re

import pytest
from gateway_harness import box, gateway, require_images  # noqa: F401 - fixtures

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
CURL = "curl -sf --retry 15 --retry-connrefused --retry-delay 1"


def ok(box, cmd: str, timeout: int = 180) -> str:  # noqa: F811 - `box` is the fixture object
    code, out = box.sh(cmd, timeout=timeout)
    assert code == 0, f"{cmd!r} failed ({code}):\n{out}"
    return out


def pulled(box, ref: str) -> None:  # noqa: F811
    out = ok(box, f"docker pull {ref}")
    assert "127.0.0.1:5000" not in out and "container-atlas/" not in out, out


def test_nginx_serves_its_page_on_80_and_logs_to_docker_logs(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "nginx")
    pulled(box, "nginx")
    ok(box, "docker run -d --name web -p 8081:80 nginx")
    assert "Welcome to nginx!" in ok(box, f"{CURL} localhost:8081/")
    ok(box, "docker exec web sh -c 'echo mine > /usr/share/nginx/html/mine.html'")
    assert ok(box, f"{CURL} localhost:8081/mine.html").strip() == "mine"
    assert re.search(r'"GET /mine.html HTTP/1.1" 200', ok(box, "docker logs web 2>&1"))
    assert ok(box, "docker inspect -f '{{json .Config.ExposedPorts}}' nginx").strip() == '{"80/tcp":{}}'
    ok(box, "docker exec web nginx -t")
    ok(box, "docker rm -f web")


def test_redis_answers_redis_cli_from_inside_and_from_another_container(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "redis")
    pulled(box, "redis")
    ok(box, "docker network create rnet")
    ok(box, "docker run -d --name cache --network rnet redis")
    ping = "for i in $(seq 30); do docker exec cache redis-cli ping && exit 0; sleep 0.5; done; exit 1"
    assert ok(box, ping).strip().endswith("PONG")
    ok(box, "docker exec cache redis-cli set greeting hello")
    got = ok(box, "docker run --rm --network rnet redis redis-cli -h cache get greeting")
    assert got.strip() == "hello"
    assert "6379/tcp" in ok(box, "docker inspect -f '{{json .Config.ExposedPorts}}' redis")
    ok(box, "docker rm -f cache && docker network rm rnet")


def test_python_runs_as_python_under_the_usual_tags(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "python:3", "python:3.11-slim")
    for ref in ("python", "python:3", "python:3.11-slim"):
        pulled(box, ref)
    out = ok(box, "docker run --rm python:3 python -c 'import sys; print(sys.version_info[:2], 6*7)'")
    assert out.strip() == "(3, 11) 42"
    out = ok(box, "docker run --rm python:3.11-slim pip --version")
    assert "python 3.11" in out
    assert "4" in ok(box, "echo 'print(2+2)' | docker run -i --rm python")


def test_prometheus_is_ready_and_scrapes_itself(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "prom/prometheus")
    pulled(box, "prom/prometheus")
    ok(box, "docker run -d --name prom -p 9090:9090 prom/prometheus")
    assert "Ready" in ok(box, f"{CURL} localhost:9090/-/ready")
    ok(box, "docker exec prom test -f /etc/prometheus/prometheus.yml")
    # the web UI the monitoring tutorial opens loads, with the time-zone script it needs
    assert "moment-timezone-with-data.min.js" in ok(box, f"{CURL} -L localhost:9090/graph")
    js = "localhost:9090/classic/static/moment-timezone/moment-timezone-with-data.min.js"
    assert int(ok(box, f"{CURL} -o /dev/null -w '%{{size_download}}' {js}")) > 100_000
    popper = ok(box, f"{CURL} localhost:9090/classic/static/popper.js/popper.min.js")
    assert "export{" not in popper.replace(" ", ""), "the UI's <script> would fail on an ES module"
    query = f"{CURL} 'localhost:9090/api/v1/query?query=up%7Bjob%3D%22prometheus%22%7D'"
    script = (
        f"for i in $(seq 40); do out=$({query}); "
        'case $out in *\'"value"\'*) echo "$out"; exit 0;; esac; sleep 1; done; exit 1'
    )
    result = json.loads(ok(box, script, timeout=120).strip().splitlines()[-1])
    assert result["status"] == "success"
    assert [r["value"][1] for r in result["data"]["result"]] == ["1"]
    ok(box, "docker rm -f prom")


def test_node_exporter_serves_metrics_on_9100(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "prom/node-exporter")
    pulled(box, "prom/node-exporter")
    ok(box, "docker run -d --name node -p 9100:9100 prom/node-exporter")
    metrics = ok(box, f"{CURL} localhost:9100/metrics")
    assert re.search(r"^node_exporter_build_info\{", metrics, re.M), metrics[:500]
    assert re.search(r"^node_load1 ", metrics, re.M)
    ok(box, "docker rm -f node")


def test_syslog_ng_collects_syslog_over_udp_and_tcp(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "balabit/syslog-ng", "python")
    pulled(box, "balabit/syslog-ng")
    until = "for i in $(seq 30); do {} && exit 0; sleep 0.5; done; exit 1"
    ok(box, "docker network create lognet")
    ok(box, "docker run -d --name collector --network lognet balabit/syslog-ng")
    ok(box, until.format("docker logs collector | grep -q 'starting up'"))
    run = "docker run --rm -i --network lognet"
    udp = "h.SysLogHandler(('collector', 514)).emit(h.logging.makeLogRecord({'msg': 'app: via udp'}))"
    ok(box, f'{run} python python -c "import logging.handlers as h; {udp}"')
    ok(box, f"echo '<14>Nov 30 10:00:00 box app: via tcp' | {run} busybox nc collector 514")
    ok(box, until.format("docker exec collector grep -q 'via tcp' /var/log/messages"))
    kept = ok(box, "docker exec collector cat /var/log/messages")
    assert re.search(r" app: via udp$", kept, re.M) and re.search(r" box app: via tcp$", kept, re.M), kept
    shown = ok(box, "docker logs collector")  # also echoed to its standard output
    assert "app: via udp" in shown and "app: via tcp" in shown, shown
    ports = json.loads(ok(box, "docker image inspect -f '{{json .Config.ExposedPorts}}' balabit/syslog-ng"))
    assert {"514/udp", "514/tcp"} <= set(ports), ports
    ok(box, "docker rm -f collector && docker network rm lognet")


def test_zookeeper_starts_within_the_memory_limit_and_serves_zkcli(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "zookeeper")
    pulled(box, "zookeeper")
    ok(box, "docker network create zknet && docker run -d --name zk --network zknet zookeeper")
    create = "docker exec zk zkCli.sh create /app demo 2>&1 | grep -q Created"
    ok(box, f"for i in $(seq 60); do {create} && exit 0; sleep 0.5; done; exit 1", timeout=120)
    # another container reaches it by name, as a client of the ensemble would
    got = ok(box, "docker run --rm --network zknet zookeeper zkCli.sh -server zk:2181 get /app 2>&1")
    assert re.search(r"^demo$", got, re.M), got
    assert "binding to port" in ok(box, "docker logs zk 2>&1"), "the server log goes to docker logs"
    state = ok(box, "docker inspect -f '{{.State.Running}} {{.State.OOMKilled}}' zk").strip()
    assert state == "true false", f"the JVM must fit the container's memory: {state}"
    ok(box, "docker rm -fv zk && docker network rm zknet")
