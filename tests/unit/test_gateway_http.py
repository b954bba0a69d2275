"""The gateway's HTTP parsing: bounded headers and bodies, chunked encoding, targets."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from sandbox.gateway.httpio import Buffered, HttpError, chunk, dechunk, read_body, read_headers
from sandbox.gateway.request import parse_target


def feed(data: bytes, close: bool = True) -> tuple[Buffered, socket.socket]:
    a, b = socket.socketpair()
    b.sendall(data)
    if close:
        b.shutdown(socket.SHUT_WR)
    return Buffered(a), b


@pytest.fixture
def conn():
    made: list[socket.socket] = []

    def make(data: bytes, close: bool = True) -> Buffered:
        buf, other = feed(data, close)
        made.extend([buf.sock, other])
        return buf

    yield make
    for s in made:
        s.close()


def soon() -> float:
    return time.monotonic() + 2


def test_headers_and_content_length_body(conn):
    c = conn(b"POST /v1.41/build?t=a&t=b HTTP/1.1\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello")
    start, headers = read_headers(c, 1024, soon())
    assert start == "POST /v1.41/build?t=a&t=b HTTP/1.1" and headers["x-a"] == "1"
    assert read_body(c, headers, 100, soon()) == b"hello"


def test_chunked_body_and_limits(conn):
    c = conn(b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")
    assert read_body(c, {"transfer-encoding": "chunked"}, 100, soon()) == b"hello world"
    c = conn(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    with pytest.raises(HttpError) as err:
        read_body(c, {"transfer-encoding": "chunked"}, 8, soon())
    assert err.value.status == 413
    c = conn(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT")
    with pytest.raises(HttpError):
        read_body(c, {"transfer-encoding": "chunked"}, 8, soon(), drain=100)
    assert (
        bytes(c.buf) == b"NEXT" or c.fill(soon()) and bytes(c.buf) == b"NEXT"
    )  # drained up to the next request


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 5000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nbad header\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\n", 400),
    ],
)
def test_bad_heads(conn, raw, status):
    with pytest.raises(HttpError) as err:
        read_headers(conn(raw), 4096, soon())
    assert err.value.status == status


def test_bad_bodies(conn):
    with pytest.raises(HttpError, match="Content-Length"):
        read_body(conn(b""), {"content-length": "-1"}, 10, soon())
    with pytest.raises(HttpError, match="both"):
        read_body(conn(b""), {"content-length": "1", "transfer-encoding": "chunked"}, 10, soon())
    with pytest.raises(HttpError, match="chunk size"):
        read_body(conn(b"xyz\r\n"), {"transfer-encoding": "chunked"}, 10, soon())


def test_a_body_that_never_ends_times_out(conn):
    c = conn(b"abc", close=False)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        read_body(c, {"content-length": "10"}, 100, time.monotonic() + 0.3)
    assert time.monotonic() - started < 1


def test_targets():
    assert parse_target("/v1.41/containers/json?all=1") == ("/containers/json", "1.41", [("all", "1")])
    assert parse_target("/_ping") == ("/_ping", "", [])
    assert parse_target("/v1.41/images/localhost%3A5000%2Fmine/json")[0] == "/images/localhost:5000/mine/json"
    for bad in ("/v1.41/containers/../info", "http://evil/x", "/x/%2e%2e/y", "/a\x00"):
        with pytest.raises(HttpError):
            parse_target(bad)


def test_dechunk_incrementally():
    raw = bytearray(chunk(b"abc") + chunk(b"de")[:4])
    data, done = dechunk(raw)
    assert (data, done) == (b"abc", False)
    raw += chunk(b"de")[4:] + chunk(b"")
    assert dechunk(raw) == (b"de", True)


def test_buffered_reads_across_packets():
    a, b = socket.socketpair()
    try:
        c = Buffered(a)
        threading.Thread(
            target=lambda: [b.sendall(x) or time.sleep(0.01) for x in (b"li", b"ne\r\nre", b"st")]
        ).start()
        assert c.readline(100, soon()) == b"line"
        assert c.readexact(4, soon()) == b"rest"
    finally:
        a.close()
        b.close()


def test_a_refused_request_is_answered_after_its_body_not_with_a_broken_pipe():
    """A client that sends the head, then the body a moment later (as the docker CLI may), reads the
    policy's refusal: the gateway takes the body off the wire before it answers and closes."""
    from sandbox.gateway.server import HttpLimits, Proxy

    served, client = socket.socketpair()
    proxy = Proxy("/nonexistent.sock", HttpLimits(), big_body=1024)
    worker = threading.Thread(target=proxy.serve, args=(served, lambda req: None), daemon=True)
    worker.start()
    body = b'{"Memory": 2147483648}'
    client.sendall(
        b"POST /v1.41/containers/mybox/update HTTP/1.1\r\nHost: docker\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    time.sleep(0.3)  # the refusal would be sent and the socket closed by now
    client.sendall(body)  # BrokenPipeError here if the gateway closed without reading the body
    client.settimeout(5)
    answer = b""
    while chunk_ := client.recv(65536):
        answer += chunk_
    client.close()
    worker.join(5)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
    assert b"docker update is not available" in answer


def _exchange(request: bytes, dispatch=lambda req: None, slots=None, timeout: float = 5) -> bytes:
    """Send `request` whole to a gateway (big-body limit 8 MiB, JSON body limit 1 MiB) on a socket
    pair; the raw answer (BrokenPipeError if the gateway closed before the body)."""
    from sandbox.gateway.server import HttpLimits, Proxy

    served, client = socket.socketpair()
    proxy = Proxy("/nonexistent.sock", HttpLimits(), big_body=8 * 2**20)
    worker = threading.Thread(target=proxy.serve, args=(served, dispatch, slots), daemon=True)
    worker.start()
    client.settimeout(timeout)
    try:
        client.sendall(request)
        answer = b""
        while chunk_ := client.recv(65536):
            answer += chunk_
    finally:
        client.close()
        worker.join(timeout)
    return answer


def _refused_upload(target: bytes, size: int) -> bytes:
    """`POST target` with a tar body of `size` bytes; the raw answer (see _exchange)."""
    head = b"POST %s HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n" % target
    return _exchange(head + b"Content-Length: %d\r\n\r\n" % size + b"\0" * size)


def test_refused_archives_over_the_body_limit_get_the_policy_answer():
    """`docker load` and `docker import` of 4 MiB (over the JSON body limit, under the big-body limit):
    the body is taken off the wire and the client reads the policy's refusal, for import decided from
    its query (`fromSrc=-`) before the body, not a broken pipe or "request body is larger"."""
    load = _refused_upload(b"/v1.41/images/load?quiet=1", 4 * 2**20)
    assert load.startswith(b"HTTP/1.1 403") and b"docker load is not available" in load, load[:200]
    imp = _refused_upload(b"/v1.41/images/create?fromSrc=-&repo=mine&tag=", 4 * 2**20)
    assert imp.startswith(b"HTTP/1.1 403"), imp[:200]
    assert b"docker import is not available: images come from the mirror" in imp, imp[:200]


def _upload_while_busy(hold: float, size: int = 2 * 2**20) -> bytes:
    """`docker cp` into a container (PUT …/archive, a large body) while the session's one large-body
    slot is taken for `hold` seconds by an upload before it; the raw answer (see _exchange)."""
    from sandbox.gateway.server import Reply

    slots = threading.Semaphore(1)
    slots.acquire()  # the upload before this one
    threading.Timer(hold, slots.release).start()
    head = b"PUT /v1.41/containers/box/archive?path=/ HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
    return _exchange(
        head + b"Content-Length: %d\r\n\r\n" % size + b"\0" * size,
        dispatch=lambda req: Reply(200, {"received": len(req.body_file.read())}),
        slots=slots,
        timeout=10,
    )


def test_an_upload_right_after_another_waits_for_it():
    """Two `docker cp` in a row: the second's request may arrive before the first's slot is given back
    (its answer is sent just before); it waits and goes through instead of a 429."""
    answer = _upload_while_busy(hold=0.5)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"received": 2097152' in answer or b'"received":2097152' in answer, answer[-200:]


def test_an_upload_refused_as_busy_is_answered_after_its_body():
    """An upload while another runs for long: the client reads the 429 naming the other upload, not a
    broken pipe (its body is taken off the wire first)."""
    answer = _upload_while_busy(hold=8)
    assert answer.startswith(b"HTTP/1.1 429"), answer[:200]
    assert b"another large upload" in answer
