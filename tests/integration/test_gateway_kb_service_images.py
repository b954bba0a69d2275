"""The service images the KB's `try:` examples use, built from Debian packages
(sandbox/images/{etcd,caddy,pushgateway,alertmanager,kubectl,nats,haproxy,victoria-metrics,
blackbox-exporter}): pulled through the gateway in a real docker
sandbox under the names learners type, and used the way the examples and their official images are."""

from __future__ import annotations

import json
import re

import pytest
from gateway_harness import box, gateway, require_images  # noqa: F401 - fixtures
from test_gateway_service_images import CURL, ok, pulled

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
VM = "victoriametrics/victoria-metrics"
# a published port can accept and drop connections while the server starts: retry those too
UP = CURL.replace("--retry-connrefused", "--retry-all-errors")
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


def test_nats_delivers_a_published_message_to_a_subscriber_and_counts_it(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "nats", "busybox")
    pulled(box, "nats")
    start = "docker network create natsnet && docker run -d --name nats --network natsnet -p 8222:8222 nats"
    ok(box, f"{start} && {UP} localhost:8222/healthz")
    # two clients over the plain-text protocol: a subscriber left running, then a publisher
    sub = "(printf 'CONNECT {}\\r\\nSUB orders.* 7\\r\\n'; sleep 60) | nc nats 4222"
    pub = "printf 'CONNECT {}\\r\\nPUB orders.created 3\\r\\nabc\\r\\nPING\\r\\n' | nc nats 4222"
    net = "docker run --network natsnet busybox sh -c"
    subscribed = "curl -sf 'localhost:8222/connz?subs=1' | grep -qF '\"orders.*\"'"
    ok(box, f'{net.replace("run", "run -d --name sub")} "{sub}" && ' + UNTIL.format(subscribed))
    ok(box, f'{net.replace("run", "run --rm")} "{pub}" && ' + UNTIL.format("docker logs sub | grep -q abc"))
    got = ok(box, "docker logs sub")
    assert re.search(r"^MSG orders\.created 7 3\r?\nabc\r?$", got, re.M), got
    varz = json.loads(ok(box, "curl -sf localhost:8222/varz"))
    assert (varz["version"].split(".")[:2], varz["in_msgs"], varz["out_msgs"]) == (["2", "10"], 1, 1), varz
    assert {"4222/tcp", "6222/tcp", "8222/tcp"} <= exposed(box, "nats")
    ok(box, "docker rm -f nats sub && docker network rm natsnet")


def test_haproxy_balances_two_nginx_round_robin_as_user_haproxy(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "haproxy", "nginx")
    pulled(box, "haproxy")
    # like the official image: no config ships, so it refuses to start without one
    code, out = box.sh("docker run --rm haproxy")
    assert code != 0 and "/usr/local/etc/haproxy/haproxy.cfg" in out, out
    cfg = "defaults\\n mode http\\n timeout connect 5s\\n timeout client 9s\\n timeout server 9s\\n"
    cfg += "frontend web\\n bind :80\\n default_backend pool\\nbackend pool\\n balance roundrobin\\n"
    cfg += " http-response set-header X-Served-By %%[srv_name]\\n server a web1:80\\n server b web2:80\\n"
    webs = "for s in web1 web2; do docker run -d --name $s --network lbnet nginx; done"
    lb = "docker create --name lb --network lbnet -p 8088:80 haproxy"
    lb += " && docker cp lb.cfg lb:/usr/local/etc/haproxy/haproxy.cfg"
    ok(box, f"docker network create lbnet && {webs} && printf '{cfg}' > lb.cfg && {lb} && docker start lb")
    heads = ok(box, f"for i in 1 2 3 4; do {UP} -o /dev/null -D - localhost:8088/; done")
    assert re.findall(r"^x-served-by: (\w+)", heads, re.M | re.I) == ["a", "b", "a", "b"], heads
    assert ok(box, "docker exec lb id -un && rm lb.cfg").strip() == "haproxy"
    ok(box, "docker rm -f lb web1 web2 && docker network rm lbnet")


def test_victoria_metrics_answers_promql_over_imported_samples(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, VM)
    pulled(box, VM)
    start = f"docker run -d --name vm -p 8428:8428 {VM} && {UP} localhost:8428/health"
    rows = 'job_temp{room="a"} 20 %s\\njob_temp{room="b"} 23 %s\\n'
    imp = f"t=$(( $(date +%s) - 60 ))000 && printf '{rows}' $t $t"
    imp += " | curl -sf --data-binary @- localhost:8428/api/v1/import/prometheus"
    ok(box, f"{start} && {imp} && curl -sf localhost:8428/internal/force_flush")
    query = "curl -sf localhost:8428/api/v1/query --data-urlencode 'query=max(job_temp) - min(job_temp)'"
    result = json.loads(ok(box, query))["data"]["result"]
    assert [r["value"][1] for r in result] == ["3"], result
    series = json.loads(ok(box, "curl -sf localhost:8428/api/v1/series --data-urlencode 'match[]=job_temp'"))
    assert sorted(s["room"] for s in series["data"]) == ["a", "b"], series
    assert "8428/tcp" in exposed(box, VM)
    ok(box, "docker rm -fv vm")


def test_blackbox_exporter_probes_nginx_over_http(docker_client, local_registry, box):  # noqa: F811
    require_images(docker_client, "prom/blackbox-exporter", "nginx")
    pulled(box, "prom/blackbox-exporter")
    start = "docker network create bbnet && docker run -d --name web --network bbnet nginx"
    start += " && docker run -d --name bb --network bbnet -p 9115:9115 prom/blackbox-exporter"
    probe = "curl -sf 'localhost:9115/probe?module={}&target={}'"
    up = ok(box, f"{start} >/dev/null && {UP} 'localhost:9115/probe?module=http_2xx&target=web'")
    assert re.search(r"^probe_success 1$", up, re.M), up
    assert re.search(r"^probe_http_status_code 200$", up, re.M), up
    assert float(re.search(r"^probe_duration_seconds (\S+)$", up, re.M).group(1)) > 0, up
    # a page nginx does not have (404) fails the http_2xx probe, and a TCP probe of a closed port fails
    down = ok(box, f"{probe.format('http_2xx', 'web/missing')} && {probe.format('tcp_connect', 'bb:1')}")
    assert re.findall(r"^probe_success (\d)$", down, re.M) == ["0", "0"], down
    assert "9115/tcp" in exposed(box, "prom/blackbox-exporter")
    ok(box, "docker rm -f bb web && docker network rm bbnet")
