# ruff: noqa: F811 - the sandbox_server fixture is imported from sandbox_server
"""Session lifecycle against the real engine: auth, Origin, limits, reaping, crash recovery, load, flood."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest
import requests
import websocket
from sandbox_server import PROMPT, Term, sandbox_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.docker]


def _gone(docker_client, session_id: str, timeout: float = 10) -> bool:
    flt = {"label": f"org.container-atlas.session={session_id}"}
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not docker_client.api.containers(all=True, filters=flt):
            return True
        time.sleep(0.1)
    return False


def test_token_origin_and_errors(sandbox_server):
    srv = sandbox_server(config={"pool_size": 0})
    s = srv.session()
    base = f"{srv.url}/api/sessions/{s['id']}"
    assert requests.get(base, timeout=5).status_code == 401
    r = requests.get(base, headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert r.status_code == 403 and r.json()["field"] == "token"
    assert requests.get(base, params={"token": s["token"]}, timeout=5).json()["id"] == s["id"]
    assert len(s["token"]) >= 40  # 32 random bytes, URL-safe
    ws_base = f"ws://127.0.0.1:{srv.port}/api/sessions/{s['id']}/terminal"
    with pytest.raises(websocket.WebSocketBadStatusException) as exc:
        websocket.create_connection(ws_base + "?token=nope", timeout=10)
    assert exc.value.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as exc:
        websocket.create_connection(
            ws_base + f"?token={s['token']}", origin="https://evil.example", timeout=10
        )
    assert exc.value.status_code == 403
    t = srv.term(s, origin=srv.url)  # the site's own origin is fine
    t.wait_for(PROMPT)
    t.close()
    r = requests.post(srv.url + "/api/sessions", json={"profile": "nope"}, timeout=5)
    assert r.status_code == 400 and r.json()["field"] == "profile"
    r = requests.post(f"{base}/verify", json={"check": "no/such"}, params={"token": s["token"]}, timeout=5)
    assert r.status_code == 404 and r.json()["field"] == "check"
    assert requests.get(srv.url + "/some/missing/page", timeout=5).text.count("custom not found") == 1
    assert requests.get(srv.url + "/", timeout=5).text.count("test site") == 1
    metrics = requests.get(srv.url + "/metrics", timeout=5).text
    assert 'atlas_sandbox_sessions_active{profile="shell"} 1' in metrics
    assert requests.delete(base, params={"token": s["token"]}, timeout=30).status_code == 204
    assert _gone(srv.docker, s["id"])


def test_capacity_limits(sandbox_server):
    srv = sandbox_server(config={"pool_size": 0, "max_sessions": 3, "max_sessions_per_client": 2})
    srv.session()
    srv.session()
    r = requests.post(srv.url + "/api/sessions", json={"profile": "shell"}, timeout=30)
    assert r.status_code == 429 and "Too many" in r.json()["error"]
    # Another client address (127.0.0.2 is loopback too) fills the last seat, then the service is full.
    assert _post_from("127.0.0.2", srv.port)[0] == 201
    status, body = _post_from("127.0.0.3", srv.port)
    assert status == 503 and "full" in body["error"]


def _post_from(source: str, port: int) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/api/sessions", body=b'{"profile": "shell"}',
                     headers={"Content-Type": "application/json"})  # fmt: skip
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_lifetime_and_idle_reaping(sandbox_server):
    srv = sandbox_server(config={"pool_size": 0, "lifetime": 6, "idle_timeout": 3})
    s_idle, t_idle = srv.shell()
    s_life, t_life = srv.shell()
    stop = threading.Event()

    def keep_typing() -> None:  # input keeps t_life from idling; only its lifetime ends it
        while not stop.wait(0.5):
            try:
                t_life.send(" ")
            except Exception:  # noqa: BLE001
                return

    typer = threading.Thread(target=keep_typing, daemon=True)
    typer.start()
    try:
        ev = t_idle.wait_event("expired", timeout=15)
        assert ev["reason"] == "idle"
        assert _gone(srv.docker, s_idle["id"])
        ev = t_life.wait_event("expired", timeout=15)
        assert ev["reason"] == "lifetime"
        assert _gone(srv.docker, s_life["id"])
    finally:
        stop.set()
        t_idle.close()
        t_life.close()


def test_kill_9_then_restart_adopts_then_down_leaves_nothing(sandbox_server, docker_client):
    srv = sandbox_server(config={"pool_size": 1})
    sessions = [srv.session() for _ in range(3)]
    first = srv.instances[0]
    assert len(srv.containers(first)) >= 3
    srv.stop(sig="kill")
    assert len(srv.containers(first)) >= 3  # a crashed server leaves them ...
    srv.start()  # ... and the next start adopts them (test_sandbox_restart.py: same shell, same files)
    for s in sessions:
        r = requests.get(f"{srv.url}/api/sessions/{s['id']}", params={"token": s["token"]}, timeout=10)
        assert r.status_code == 200, r.text
    srv.stop()  # stop, then remove what it kept (./atlas down)
    assert all(_gone(docker_client, s["id"], 20) for s in sessions)
    assert not srv.containers()  # pool included


def test_twenty_sessions_at_once(sandbox_server):
    srv = sandbox_server(config={"pool_size": 2})
    results: dict[int, str] = {}
    terms: list[Term] = []
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            s = srv.session()
            t = srv.term(s)
            terms.append(t)
            t.wait_for(PROMPT, timeout=60)
            out = t.run(f"echo session-$(({i}*1000+7))", rf"session-{i * 1000 + 7}\n", timeout=60)
            results[i] = out
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    for t in terms:
        t.close()
    assert not errors, errors[:3]
    for i, out in results.items():
        others = [j for j in range(20) if j != i and f"session-{j * 1000 + 7}\n" in out]
        assert not others, f"session {i} saw output of {others}"
    assert len(results) == 20


def test_flood_does_not_stall_other_sessions(sandbox_server):
    srv = sandbox_server(config={"pool_size": 2, "output_rate": 1_000_000, "output_burst": 262144})
    s1, flood = srv.shell()
    s2, calm = srv.shell()
    try:
        flood.send("yes\n")
        flood.drain(1)
        t0 = time.monotonic()
        for i in range(5):
            calm.run(f"echo calm-$(({i}+100))", rf"calm-{i + 100}\n", timeout=10)
        per_echo = (time.monotonic() - t0) / 5
        assert per_echo < 1.0, f"echo took {per_echo:.2f}s during a flood"
        start = len(flood.buf)
        flood.drain(3)
        rate = (len(flood.buf) - start) / 3
        assert rate < 1_500_000, f"flood went at {rate:.0f} B/s, above the cap"
        flood.send("\x03")  # Ctrl-C stops it and the shell answers again
        flood.wait_for(r"\^C", timeout=20)
        flood.run("echo after-$((40+2))", r"after-42\n", timeout=30)
    finally:
        flood.close()
        calm.close()


def test_verify_runs_repository_checks(sandbox_server, tmp_path):
    docs = tmp_path / "docs" / "tutorials"
    docs.mkdir(parents=True)
    (docs / "hello.md").write_text(
        "---\ntitle: Hello\nchecks:\n  make-file:\n    run: cat ~/greeting.txt\n    expect: '^hello world$'\n"
        "    hint:\n      en: Create the file with echo.\n      zh: 用 echo 创建文件。\n---\n# Hello\n"
    )
    (docs / "hello.zh.md").write_text("---\ntitle: 你好\n---\n# 你好\n")
    srv = sandbox_server(config={"pool_size": 1})
    s, t = srv.shell()
    try:
        url = f"{srv.url}/api/sessions/{s['id']}/verify"
        auth = {"Authorization": f"Bearer {s['token']}"}
        r = requests.post(url, json={"check": "hello/make-file"}, headers=auth, timeout=30).json()
        assert r["ok"] is False and r["hint"]["zh"] == "用 echo 创建文件。"
        t.run("echo hello world > ~/greeting.txt; echo done-$((1+1))", r"done-2\n")
        r = requests.post(url, json={"check": "hello/make-file"}, headers=auth, timeout=30).json()
        assert r["ok"] is True, r
        r = requests.post(url, json={"check": "hello/make-file", "run": "id"}, timeout=30)
        assert r.status_code == 401
    finally:
        t.close()
