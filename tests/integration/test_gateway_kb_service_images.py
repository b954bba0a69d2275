"""The service images the KB's `try:` examples use, built from Debian packages
(sandbox/images/{etcd,caddy,pushgateway,alertmanager,kubectl}): pulled through the gateway in a real docker
sandbox under the names learners type, and used the way the examples and their official images are."""

from __future__ import annotations

import json
import re

import pytest
from gateway_harness import box, gateway, require_images  # noqa: F401 - fixtures
from test_gateway_service_images import CURL, ok, pulled

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
UNTIL = "for i in $(seq 60); do {} && exit 0; sleep 0.5; done; exit 1"


def ready(port: int) -> str:
    """A command that waits until the Prometheus-family server on `port` answers /-/ready."""
    return f"{CURL} -o /dev/null localhost:{port}/-/ready"


def exposed(box, ref: str) -> set[str]:  # noqa: F811
    return set(json.loads(ok(box, f"docker image inspect -f '{{{{json .Config.ExposedPorts}}}}' {ref}")))


def test_etcd_stores_keys_for_etcdctl_inside_and_on_the_network(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "bitnami/etcd")
    pulled(box, "bitnami/etcd")
    start = "docker network create kvnet && docker run -d --name etcd --network kvnet bitnami/etcd"
    ok(box, f"{start} && " + UNTIL.format("docker exec etcd etcdctl endpoint health >/dev/null 2>&1"))
    put = ok(box, "docker exec etcd etcdctl put /services/web/1 10.0.0.5:80 && docker exec etcd id -u")
    assert put.split() == ["OK", "1001"], put
    # another container reaches it by name on port 2379 (clients listen on every interface)
    client = "docker run --rm --network kvnet bitnami/etcd etcdctl --endpoints=http://etcd:2379"
    got = ok(box, f"{client} get --prefix /services/")
    assert got.split() == ["/services/web/1", "10.0.0.5:80"], got
    assert {"2379/tcp", "2380/tcp"} <= exposed(box, "bitnami/etcd")
    ok(box, "docker rm -fv etcd && docker network rm kvnet")


def test_caddy_serves_its_welcome_page_and_reverse_proxies(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "caddy", "nginx")
    pulled(box, "caddy")
    page = ok(box, f"docker run -d --name site -p 8082:80 caddy >/dev/null && {CURL} -i localhost:8082/")
    assert "<title>Caddy works!" in page and re.search(r"^Server: Caddy", page, re.M | re.I), page[:400]
    proxy = "docker run -d --name proxy --network pxnet -p 8083:80 caddy"
    proxy += " caddy reverse-proxy --from :80 --to app:80"
    app = "docker network create pxnet && docker run -d --name app --network pxnet nginx"
    via = ok(box, f"{app} && {proxy} >/dev/null && {CURL} -i localhost:8083/")
    assert "Welcome to nginx!" in via and re.search(r"^Server: Caddy", via, re.M | re.I), via[:400]
    assert {"80/tcp", "443/tcp"} <= exposed(box, "caddy")
    ok(box, "docker rm -fv site proxy app && docker network rm pxnet")


def test_pushgateway_keeps_pushed_metrics_for_scraping(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "prom/pushgateway")
    pulled(box, "prom/pushgateway")
    group = "localhost:9091/metrics/job/backup/instance/db1"
    push = f"echo 'backup_duration_seconds 42.5' | curl -sf --data-binary @- {group}"
    start = f"docker run -d --name pg -p 9091:9091 prom/pushgateway && {ready(9091)}"
    metrics = ok(box, f"{start} && {push} && curl -sf localhost:9091/metrics")
    line = r'^backup_duration_seconds\{instance="db1",job="backup"\} 42\.5$'
    assert re.search(line, metrics, re.M), metrics[-800:]
    after = ok(box, f"curl -sf -X DELETE {group} && curl -sf localhost:9091/metrics && docker exec pg id -un")
    assert "backup_duration_seconds" not in after and after.split()[-1] == "nobody", after[-300:]
    ok(box, "docker rm -f pg")


def test_alertmanager_deduplicates_alerts_shown_by_amtool(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "prom/alertmanager")
    pulled(box, "prom/alertmanager")
    amtool = "docker exec am amtool --alertmanager.url=http://localhost:9093"
    add = f"{amtool} alert add DiskFull instance=db1 severity=page"
    start = f"docker run -d --name am -p 9093:9093 prom/alertmanager && {ready(9093)}"
    ok(box, f"{start} && {add} && {add} && {amtool} alert add CpuHot instance=db2")
    alerts = json.loads(ok(box, "curl -sf localhost:9093/api/v2/alerts"))
    names = sorted((a["labels"]["alertname"], a["status"]["state"]) for a in alerts)
    assert names == [("CpuHot", "active"), ("DiskFull", "active")], alerts
    table = ok(box, f"{amtool} alert query")
    assert table.count("DiskFull") == 1 and "CpuHot" in table, table
    status = json.loads(ok(box, "curl -sf localhost:9093/api/v2/status"))
    assert "receiver: default" in status["config"]["original"], status["config"]
    ok(box, "docker rm -fv am")


def test_kubectl_works_without_a_cluster_and_says_when_it_needs_one(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "bitnami/kubectl")
    pulled(box, "bitnami/kubectl")
    kubectl = "docker run --rm -i bitnami/kubectl"
    made = ok(box, f"{kubectl} create deployment web --image=nginx --replicas=2 --dry-run=client -o json")
    deployment = json.loads(made)
    assert (deployment["kind"], deployment["spec"]["replicas"]) == ("Deployment", 2), made
    # kubectl kustomize: an overlay applied to a manifest, both piped in with tar
    base = f"{kubectl} create deployment web --image=nginx --dry-run=client -o yaml > web.yaml"
    overlay = "printf 'resources: [web.yaml]\\nnamePrefix: prod-\\n' > kustomization.yaml"
    shell = "docker run --rm -i --entrypoint sh bitnami/kubectl -c 'tar -x && id -u && kubectl kustomize .'"
    rendered = ok(box, f"cd /tmp && {base} && {overlay} && tar -c web.yaml kustomization.yaml | {shell}")
    assert rendered.startswith("1001\n") and re.search(r"^  name: prod-web$", rendered, re.M), rendered
    code, out = box.sh(f"{kubectl} get pods")
    assert code != 0 and "connection to the server" in out, out
