# ruff: noqa: F811 - the sandbox_server fixtures are imported from sandbox_server
"""Red team of the sandbox service as a hostile member of the public (real server under gunicorn, real
engine): tokens in logs, big bodies, headers, IPv6 address rotation, slow clients, hostile state files.

(Session isolation, Origin checks, CORS, the per-client caps behind a proxy and restarts themselves are
tested in test_sandbox_lifecycle.py, test_sandbox_operate.py and test_sandbox_restart.py.)
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import stat
import threading
import time

import pytest
import requests
from sandbox_server import PROMPT, children, module_sandbox_server, sandbox_server  # noqa: F401 - fixtures

from sandbox import slowclients

pytestmark = [pytest.mark.docker]


@pytest.fixture(scope="module")
def srv(module_sandbox_server, tmp_path_factory):
    """One server for the attacks that need no restart: 127.0.0.1 is a trusted proxy (its
    X-Forwarded-For names the client), two sandboxes per client, the access log on, one tutorial check
    that reads a file the learner controls, checks time out after 2 s."""
    docs = tmp_path_factory.mktemp("docs")
    (docs / "pipe.md").write_text(
        "---\ntitle: Pipe\nchecks:\n  read:\n    run: cat /tmp/answer\n    expect: '^42$'\n"
        "    hint:\n      en: Write 42.\n      zh: 写 42。\n---\n# Pipe\n"
    )
    return module_sandbox_server(
        config={
            "pool_size": 0,
            "access_log": True,
            "trusted_proxies": ["127.0.0.1/32"],
            "max_sessions_per_client": 2,
            "session_creations_per_minute": 0,
            "docs_dir": str(docs),
            "verify_timeout": 2,
        }  # fmt: skip
    )


def _post(port: int, body: bytes, headers: dict, source: str = "127.0.0.1") -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        headers = {"Content-Type": "application/json", **headers}
        conn.request("POST", "/api/sessions", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}"), dict(resp.getheaders())
    finally:
        conn.close()


def _end(srv, s: dict) -> None:
    auth = {"Authorization": f"Bearer {s['token']}"}
    requests.delete(f"{srv.url}/api/sessions/{s['id']}", headers=auth, timeout=30)


def test_session_tokens_never_reach_the_access_log(srv):
    s = srv.session(headers={"X-Forwarded-For": "192.0.2.10"})
    t = srv.term(s)  # the browser's WebSocket (and a preview link) carry the token in the query string
    t.wait_for(PROMPT)
    t.close()
    url = f"{srv.url}/api/sessions/{s['id']}"
    assert requests.get(url, params={"token": s["token"], "x": "1"}, timeout=10).ok
    _end(srv, s)
    deadline = time.monotonic() + 5
    while f"DELETE /api/sessions/{s['id']}" not in srv.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = srv.output()
    assert f'"GET /api/sessions/{s["id"]} HTTP/1.1" 200' in log, log[-2000:]
    assert s["token"] not in log, "a session token was written to the access log"


def test_one_sessions_token_opens_no_other_session(srv):
    a = srv.session(headers={"X-Forwarded-For": "192.0.2.30"})
    b = srv.session(headers={"X-Forwarded-For": "192.0.2.31"})
    as_b = {"Authorization": f"Bearer {b['token']}"}
    as_a = {"Authorization": f"Bearer {a['token']}"}
    assert requests.get(f"{srv.url}/api/sessions/{a['id']}", headers=as_b, timeout=10).status_code == 403
    verify = f"{srv.url}/api/sessions/{a['id']}/verify"
    r = requests.post(verify, json={"check": "pipe/read"}, headers=as_b, timeout=10)
    assert r.status_code == 403
    for other in (a["id"].upper(), a["id"][:8], a["id"] + "%00", a["id"] + "%2F..%2F" + b["id"]):
        assert requests.get(f"{srv.url}/api/sessions/{other}", headers=as_a, timeout=10).status_code == 404
    r = requests.get(f"{srv.url}/api/sessions/{a['id']}/../{b['id']}", headers=as_a, timeout=10)
    assert r.status_code == 403  # the path is B's session: A's token does not open it
    # a page on no origin at all (a sandboxed frame, a data: URL) may not create or close sessions
    null = {"Origin": "null", **as_a}
    assert requests.delete(f"{srv.url}/api/sessions/{a['id']}", headers=null, timeout=10).status_code == 403
    _end(srv, a)
    assert requests.get(f"{srv.url}/api/sessions/{a['id']}", headers=as_a, timeout=10).status_code == 404
    _end(srv, b)


def test_api_refuses_big_bodies_and_answers_with_safe_headers(srv):
    big = b'{"profile": "shell", "pad": "' + b"x" * 2_000_000 + b'"}'
    status, body, _ = _post(srv.port, big, {"X-Forwarded-For": "192.0.2.20"})
    assert status == 413 and body["field"] == "body", body

    def chunked():  # no Content-Length: the limit still holds
        for _ in range(40):
            yield b"x" * 65536

    headers = {"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.20"}
    r = requests.post(srv.url + "/api/sessions", data=chunked(), timeout=30, headers=headers)
    assert r.status_code == 413, r.text
    status, s, headers = _post(srv.port, b'{"profile": "shell"}', {"X-Forwarded-For": "192.0.2.20"})
    assert status == 201
    assert headers["Cache-Control"] == "no-store", "an answer holding a token may be cached"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    _end(srv, s)
    page = requests.get(srv.url + "/", timeout=10)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # site pages stay embeddable by other origins (the embed feature)
    assert "X-Frame-Options" not in page.headers and "frame-ancestors" not in page.headers.get(
        "Content-Security-Policy", ""
    )


def test_rotating_ipv6_addresses_gets_no_more_sandboxes(srv):
    made = []
    try:
        for addr, want in [
            ("2001:db8:1:2::1", 201),
            ("2001:db8:1:2::2", 201),
            ("2001:db8:1:2:ffff:1:2:3", 429),  # the same /64: the same subscriber
            ("2001:db8:1:3::1", 201),  # another /64 is another client
            ("203.0.113.5", 201),
            ("::ffff:203.0.113.5", 201),
            ("::ffff:203.0.113.5", 429),  # an IPv4 client written as IPv6 is the same client
        ]:
            status, body, _ = _post(srv.port, b'{"profile": "shell"}', {"X-Forwarded-For": addr})
            assert status == want, (addr, status, body)
            if status == 201:
                made.append(body)
    finally:
        for s in made:
            _end(srv, s)


def test_a_learner_cannot_park_the_servers_threads_in_checks(srv):
    s, t = srv.shell()
    try:
        t.run("mkfifo /tmp/answer && echo made-$((1+1))", r"made-2\n")  # reading it blocks forever
        url = f"{srv.url}/api/sessions/{s['id']}/verify"
        auth = {"Authorization": f"Bearer {s['token']}"}
        answers: list = []

        def verify() -> None:
            answers.append(requests.post(url, json={"check": "pipe/read"}, headers=auth, timeout=30))

        first = threading.Thread(target=verify)
        first.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        for _ in range(5):  # a flood of the same check while the first one hangs
            verify()
        assert time.monotonic() - t0 < 1.5, "each check of the flood held a server thread"
        assert [r.status_code for r in answers] == [429] * 5 and answers[0].json()["field"] == "check"
        first.join(timeout=30)
        hung = answers[-1].json()
        assert hung["ok"] is False and "longer than 2 s" in hung["detail"], hung
        t.run("rm /tmp/answer; echo 42 > /tmp/answer; echo ok-$((1+1))", r"ok-2\n")
        assert requests.post(url, json={"check": "pipe/read"}, headers=auth, timeout=30).json()["ok"] is True
    finally:
        t.close()
        _end(srv, s)


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmHWM for {pid}")


def test_a_checks_output_is_not_loaded_whole_into_the_service(srv):
    s, t = srv.shell()
    try:
        (worker,) = children(srv.proc.pid)
        t.run("head -c 50000000 /dev/zero > /tmp/answer; echo made-$((1+1))", r"made-2\n")
        before = _peak_rss_kib(worker)
        url = f"{srv.url}/api/sessions/{s['id']}/verify"
        auth = {"Authorization": f"Bearer {s['token']}"}
        r = requests.post(url, json={"check": "pipe/read"}, headers=auth, timeout=30).json()
        assert r["ok"] is False and r["detail"].endswith("\0" * 100), r["detail"][:200]
        grew = _peak_rss_kib(worker) - before
        assert grew < 20_000, f"the service's memory grew by {grew} KiB for one check"
    finally:
        t.close()
        _end(srv, s)


def test_a_resize_flood_does_not_hammer_the_engine(srv, docker_client):
    s, t = srv.shell()
    try:
        (cid,) = [c.id for c in srv.containers() if c.labels.get("org.container-atlas.session") == s["id"]]
        since = int(time.time())
        for i in range(100):  # a page resizing in a loop: every frame a new size
            t.resize(60 + i % 40, 20 + i % 7)
        t.resize(123, 45)
        time.sleep(0.5)
        assert "45 123" in t.run("stty size", r"\d+ \d+\n")  # the latest size wins
        until = int(time.time()) + 1
        flt = {"container": cid, "event": "resize"}
        events = list(docker_client.api.events(since=since, until=until, filters=flt, decode=True))
        assert 1 <= len(events) <= 10, f"{len(events)} resizes of the TTY for 101 frames"
    finally:
        t.close()
        _end(srv, s)


def _get_raw(port: int, source: str) -> socket.socket:
    c = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return c


def test_clients_that_never_close_do_not_stall_the_server(srv):
    t0 = time.monotonic()
    lingering = [_get_raw(srv.port, "127.0.0.5") for _ in range(60)]  # answered, then never closed here
    try:
        assert [c.recv(12) for c in lingering] == [b"HTTP/1.1 200"] * 60
        assert _healthz_from(srv.port, "127.0.0.3") < 1
        assert time.monotonic() - t0 < 3, "the server waited for clients to close their end"
    finally:
        for c in lingering:
            c.close()


def _healthz_from(port: int, source: str) -> float:
    """Seconds /healthz takes for a client at `source` (fails if it does not answer 200)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    t0 = time.monotonic()
    try:
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        return time.monotonic() - t0
    finally:
        conn.close()


@pytest.mark.parametrize(
    "attack",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ",  # slowloris: the head never ends
        b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n{",  # a body trickles
        b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n",  # a big file the client never reads
    ],
    ids=["slow-head", "slow-body", "slow-reader"],
)
def test_slow_clients_cannot_take_every_thread(srv, attack):
    big = srv.site / "big.bin"
    if not big.exists():
        big.write_bytes(os.urandom(48 << 20))  # more than the socket buffers hold
    slow = []
    try:
        for _ in range(120):  # more connections than the server has threads
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=5, source_address=("127.0.0.2", 0))
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.sendall(attack)
            slow.append(c)
        waited = _healthz_from(srv.port, "127.0.0.3")
        assert waited < max(slowclients.BUSY_BUDGET, slowclients.BUSY_SEND) + 2, "another learner waited"
        time.sleep(max(slowclients.BUSY_BUDGET, slowclients.BUSY_SEND) + 0.5)
        # the slow connections beyond a few per address were hung up on: the threads are back, and a
        # classroom behind one address making 90 requests at the same moment is served at once
        t0 = time.monotonic()
        burst = [_get_raw(srv.port, "127.0.0.4") for _ in range(90)]
        answers = [c.recv(12) for c in burst]
        for c in burst:
            c.close()
        assert answers == [b"HTTP/1.1 200"] * 90, answers
        assert time.monotonic() - t0 < 3
    finally:
        for c in slow:
            c.close()


def test_hostile_session_records_cannot_remove_or_delete_anything(sandbox_server, docker_client, tmp_path):
    srv = sandbox_server(config={"pool_size": 0})
    s = srv.session()
    records = srv.workdir / "state" / "sandbox-sessions" / srv.instances[0]
    mine = records / f"{s['id']}.json"
    assert stat.S_IMODE(records.stat().st_mode) == 0o700 and stat.S_IMODE(mine.stat().st_mode) == 0o600
    srv.stop(keep_sessions=True)
    bystander = docker_client.containers.run(
        "busybox", ["sleep", "300"], detach=True, labels={"org.container-atlas.test": "attack-service"}
    )
    victim = records.parent / "victim.json"
    victim.write_text("{}")
    good = json.loads(mine.read_text())
    planted = {
        # an expired record naming a container that is not this session's sandbox
        "0123456789abcdef": {**good, "id": "0123456789abcdef", "container_id": bystander.id, "created": 1.0},
        # an id that walks out of the folder
        "aaaaaaaaaaaaaaaa": {**good, "id": "../victim", "created": 1.0},
        # wrong types, which crashed the start
        "bbbbbbbbbbbbbbbb": {**good, "id": "bbbbbbbbbbbbbbbb", "lifetime": "forever"},
        "cccccccccccccccc": [1, 2, 3],
    }
    for name, data in planted.items():
        (records / f"{name}.json").write_text(json.dumps(data))
    try:
        srv.start()
        assert requests.get(f"{srv.url}/api/sessions/{s['id']}", params={"token": s["token"]}, timeout=10).ok
        bystander.reload()
        assert bystander.status == "running", "a planted record got a foreign container removed"
        assert victim.exists(), "a planted record got a file outside the records folder deleted"
        log = srv.output()
        assert "bbbbbbbbbbbbbbbb.json: unreadable session record (lifetime:" in log, log[-3000:]
        assert "aaaaaaaaaaaaaaaa.json: unreadable session record (id:" in log
        assert not any((records / f"{n}.json").exists() for n in planted), "planted records stayed"
    finally:
        bystander.remove(force=True)
