# ruff: noqa: F811 - the sandbox_server fixture is imported from sandbox_server
"""Operating the service: fair use per real client behind a trusted proxy, CORS for allowed origins only,
the production server's access log and graceful stop (real server under gunicorn, real engine)."""

from __future__ import annotations

import http.client
import json
import re
import time

import pytest
import requests
from sandbox_server import sandbox_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.docker]


def _post(port: int, source: str = "127.0.0.1", profile: str = "shell", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", "/api/sessions", body=json.dumps({"profile": profile}).encode(),
                     headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}"), dict(resp.getheaders())
    finally:
        conn.close()


def _metric(url: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(f"{name}{{{want}}} "):
            return float(line.split()[-1])
    return 0.0


def test_creation_rate_is_per_real_client_behind_a_trusted_proxy(sandbox_server):
    srv = sandbox_server(
        config={
            "pool_size": 0,
            "session_creations_per_minute": 2,
            "trusted_proxies": ["127.0.0.1/32"],
            "access_log": True,
        }  # fmt: skip
    )
    alice, bob = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}
    assert _post(srv.port, headers=alice)[0] == 201
    assert _post(srv.port, headers=alice)[0] == 201
    status, body, headers = _post(srv.port, headers=alice)
    assert status == 429 and "a minute" in body["error"], body
    assert 1 <= int(headers["Retry-After"]) <= 60
    # another learner behind the same proxy is not affected
    assert _post(srv.port, headers=bob)[0] == 201
    # a client that is NOT a trusted proxy cannot pretend to be someone else
    assert _post(srv.port, source="127.0.0.2", headers=bob)[0] == 201
    assert _post(srv.port, source="127.0.0.2", headers={"X-Forwarded-For": "192.0.2.1"})[0] == 201
    assert _post(srv.port, source="127.0.0.2", headers={"X-Forwarded-For": "192.0.2.2"})[0] == 429
    assert (
        _metric(srv.url, "atlas_sandbox_sessions_rejected_total", reason="creation_rate", status="429") == 2
    )
    # the access log names the real client, not the proxy
    deadline = time.monotonic() + 5
    while "203.0.113.7 " not in srv.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = srv.output()
    assert re.search(r'^203\.0\.113\.7 .*"POST /api/sessions HTTP/1\.1" 429', log, re.M), log[-2000:]
    assert re.search(r'^127\.0\.0\.2 .*"POST /api/sessions HTTP/1\.1" 201', log, re.M), log[-2000:]


def test_docker_sessions_are_capped_overall_and_per_client(sandbox_server):
    srv = sandbox_server(
        config={
            "pool_size": 0,
            "max_docker_sessions": 2,
            "max_docker_sessions_per_client": 1,
            "profiles": {"docker": {"gateway": True}},
        }  # fmt: skip
    )
    assert _post(srv.port, profile="docker")[0] == 201
    status, body, headers = _post(srv.port, profile="docker")
    assert status == 429 and "Docker sandbox" in body["error"] and int(headers["Retry-After"]) > 0
    assert _post(srv.port, profile="shell")[0] == 201  # shells are not capped by the docker caps
    assert _post(srv.port, source="127.0.0.2", profile="docker")[0] == 201
    status, body, _ = _post(srv.port, source="127.0.0.3", profile="docker")
    assert status == 429 and "All 2 Docker sandboxes" in body["error"], body
    assert (
        _metric(srv.url, "atlas_sandbox_sessions_rejected_total", reason="docker_per_client", status="429")
        == 1
    )
    assert _metric(srv.url, "atlas_sandbox_sessions_rejected_total", reason="docker_total", status="429") == 1


def test_cors_answers_allowed_origins_only(sandbox_server):
    site = "http://127.0.0.1:9"  # where the static site lives (another origin than the API)
    srv = sandbox_server(config={"pool_size": 0, "allowed_origins": [site]})
    pre = requests.options(
        srv.url + "/api/sessions", timeout=10,
        headers={"Origin": site, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == site
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "content-type" in pre.headers["Access-Control-Allow-Headers"].lower()
    r = requests.post(
        srv.url + "/api/sessions", json={"profile": "shell"}, headers={"Origin": site}, timeout=60
    )
    assert r.status_code == 201 and r.headers["Access-Control-Allow-Origin"] == site
    s = r.json()
    # a foreign origin: no CORS headers, its preflight and its writes refused, naming Origin
    evil = "http://evil.example"
    pre = requests.options(
        srv.url + "/api/sessions",
        headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert pre.status_code == 403 and "Access-Control-Allow-Origin" not in pre.headers
    r = requests.post(srv.url + "/api/sessions", json={}, headers={"Origin": evil}, timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "Origin"
    auth = {"Origin": evil, "Authorization": f"Bearer {s['token']}"}
    r = requests.delete(f"{srv.url}/api/sessions/{s['id']}", headers=auth, timeout=10)
    assert r.status_code == 403
    # the terminal WebSocket accepts exactly the allowed origin (and refuses the foreign one)
    t = srv.term(s, origin=site)
    t.close()
    with pytest.raises(Exception, match="403"):
        srv.term(s, origin=evil)


def test_sigterm_tells_terminals_and_stops_cleanly(sandbox_server, docker_client):
    srv = sandbox_server(config={"pool_size": 0})
    s, t = srv.shell()
    assert "gunicorn, 1 worker" in srv.output()
    t0 = time.monotonic()
    srv.server.proc.terminate()  # SIGTERM to the master, as systemd does
    kinds = {"expired", "restarting"}  # the session ends, or is kept for the next start (adoption)
    while not any(e.get("type") in kinds for e in t.events) and not t.closed and time.monotonic() - t0 < 30:
        t._pump(0.5)
    event = next((e["type"] for e in t.events if e.get("type") in kinds), None)
    t.close()
    assert event, (t.events, srv.output()[-2000:])
    assert srv.server.proc.wait(timeout=60) == 0
    assert time.monotonic() - t0 < 30, "the graceful stop took too long"
    assert "stopped." in srv.output()
    left = docker_client.containers.list(
        all=True, filters={"label": f"org.container-atlas.session={s['id']}"}
    )
    if event == "expired":
        assert left == []
    else:
        assert [c.status for c in left] == ["running"]
