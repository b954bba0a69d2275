"""Malformed and hostile requests get a clear error; the gateway survives and other sessions keep working."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time

import pytest
from gateway_harness import make_manager
from realparts import run

pytestmark = [pytest.mark.docker]


@pytest.fixture(scope="module")
def sockets(docker_client, tmp_path_factory):
    """Two open sessions (no sandbox containers needed): their gateway socket paths."""
    manager = make_manager(docker_client, tmp_path_factory, limits={"body_time": 2.0, "header_time": 2.0})
    sids = ["r" + secrets.token_hex(5), "r" + secrets.token_hex(5)]
    for sid in sids:
        manager.open(sid)
    yield [str(manager.state_dir / sid / "docker.sock") for sid in sids]
    manager.shutdown()


def exchange(path: str, raw: bytes, timeout: float = 10) -> tuple[int, dict]:
    """Send raw bytes, read one response; (status, JSON body)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body or b"{}")


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def ping_works(path: str) -> bool:
    """The real docker CLI lists containers through the session socket."""
    proc = run(["docker", "-H", f"unix://{path}", "ps"], timeout=30)
    return proc.returncode == 0 and "CONTAINER ID" in proc.stdout


def test_bad_json_is_400(sockets):
    body = b"{not json"
    status, obj = exchange(
        sockets[0],
        b"POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body),
    )
    assert status == 400 and "not valid JSON" in obj["message"]
    assert ping_works(sockets[0])


def test_huge_header_is_431(sockets):
    raw = b"GET /v1.41/containers/json HTTP/1.1\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    status, obj = exchange(sockets[0], raw)
    assert status == 431 and "too large" in obj["message"]


def test_garbage_and_bad_chunks_are_400(sockets):
    assert exchange(sockets[0], b"HELLO\r\n\r\n")[0] == 400
    status, obj = exchange(
        sockets[0],
        b"POST /v1.41/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    )
    assert status == 400 and "chunk" in obj["message"]
    status, obj = exchange(sockets[0], b"GET /v1.41/containers/../../info HTTP/1.1\r\n\r\n")
    assert status == 400


def test_a_body_that_never_ends_times_out_while_others_work(sockets):
    start = time.monotonic()
    hung: dict = {}

    def slow() -> None:
        hung["result"] = exchange(
            sockets[0],
            b'POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 100000\r\n\r\n{"Image":',
            timeout=20,
        )

    threads = [threading.Thread(target=slow) for _ in range(5)]
    for t in threads:
        t.start()
    assert ping_works(sockets[1]), "another session works while five connections hang"
    for t in threads:
        t.join(30)
    status, obj = hung["result"]
    assert status == 408 and "did not arrive in time" in obj["message"]
    assert time.monotonic() - start < 15
    assert ping_works(sockets[0]), "the same session works afterwards"


def test_slowloris_header_times_out(sockets):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(sockets[0])
        s.sendall(b"GET /v1.41/info HTTP/1.1\r\nX-Slow: ")
        started = time.monotonic()
        assert s.recv(100) == b""  # closed after the header deadline
        assert time.monotonic() - started < 6
    assert ping_works(sockets[1])


def test_unknown_endpoints_are_denied_with_the_policy_message(sockets):
    status, obj = exchange(sockets[0], b"POST /v1.41/swarm/init HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
    assert status == 403 and obj["message"].startswith("denied by the Container Atlas sandbox policy: ")
    status, obj = exchange(sockets[0], b"GET /v1.20/containers/json HTTP/1.1\r\n\r\n")
    assert status == 403 and "too old" in obj["message"]
