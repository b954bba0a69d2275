"""Hostile spellings of the HTTP layer the gateway parses itself (below the JSON policy): chunk sizes
that Python's int() reads but HTTP does not allow, digits that are not ASCII, control characters in the
path that a route's `$` lets through, bytes a client sends ahead while an answer streams."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from sandbox.gateway import responses
from sandbox.gateway.httpio import Buffered, HttpError, read_body
from sandbox.gateway.request import parse_target

CHUNKED = {"transfer-encoding": "chunked"}


def body_of(data: bytes, headers: dict[str, str], limit: int) -> bytes:
    """read_body of `data` sent by another thread (more than a socket buffer may be sent)."""
    a, b = socket.socketpair()

    def write() -> None:
        with contextlib.suppress(OSError):  # the reader may refuse early and close
            b.sendall(data)
            b.shutdown(socket.SHUT_WR)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        return read_body(Buffered(a), headers, limit, time.monotonic() + 5)
    finally:
        a.close()
        writer.join(5)
        b.close()


@pytest.mark.parametrize(
    "size",
    [b"-100000", b"-0", b"0x10", b"+10", b"1_0", b" 10", b"\xd9\xa1", b"10 10", b""],
)
def test_chunk_sizes_other_than_hex_digits_are_400(size):
    """A negative size made the running total small again, so a 1 MiB chunk after `-100000` passed a
    1000-byte limit (memory and spool disk of the shared gateway); `0x`, `+`, `_` and Unicode digits
    are what int(x, 16) also reads."""
    data = size + b"\r\n\r\n" + b"100000\r\n" + b"x" * 0x100000 + b"\r\n0\r\n\r\n"
    with pytest.raises(HttpError) as err:
        body_of(data, CHUNKED, 1000)
    assert err.value.status == 400 and "chunk size" in err.value.message


def test_chunk_data_must_end_with_crlf_and_trailers_are_bounded():
    with pytest.raises(HttpError, match="chunk"):
        body_of(b"3\r\nabcXY5\r\nhello\r\n0\r\n\r\n", CHUNKED, 100)
    trailers = b"".join(b"X-T%d: %s\r\n" % (i, b"a" * 1000) for i in range(200))
    with pytest.raises(HttpError) as err:
        body_of(b"3\r\nabc\r\n0\r\n" + trailers + b"\r\n", CHUNKED, 100)
    assert err.value.status == 431
    assert (
        body_of(b"3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n", CHUNKED, 100) == b"abc0123456789"
    )


@pytest.mark.parametrize("length", ["\u00b2", "\u00b9\u00b2", "1\u00b3", " 1 2", "0x5", "+5"])
def test_content_length_other_than_ascii_digits_is_400(length):
    """`²`.isdigit() is True but int('²') fails: a 500 (logged as a gateway failure) before."""
    with pytest.raises(HttpError) as err:
        body_of(b"hello", {"content-length": length}, 100)
    assert err.value.status == 400 and "Content-Length" in err.value.message


@pytest.mark.parametrize(
    "target",
    [
        "/v%D9%A1.%D9%A4%D9%A1/_ping",  # Arabic-Indic digits: isdigit(), int() reads them as 1.41
        "/v%EF%BC%91.41/_ping",  # a fullwidth 1
        "/v1.41/containers/json%0A",  # a route's `$` matches before a final newline
        "/v1.41/containers/json%0D",
        "/v1.41/containers/x%09y/json",
        "/v1.41/containers/x%7Fy/json",
    ],
)
def test_paths_with_non_ascii_versions_or_control_characters_are_400(target):
    with pytest.raises(HttpError) as err:
        parse_target(target)
    assert err.value.status == 400


def test_bytes_sent_ahead_while_an_answer_streams_are_bounded():
    """A client that keeps writing while the engine's answer streams (events, logs -f) was buffered
    without bound in the shared gateway; past AHEAD bytes the relay now gives up (closes)."""
    gw_client, learner = socket.socketpair()
    gw_up, engine = socket.socketpair()
    results: list[bool] = []

    def serve() -> None:  # as the proxy does: the relay's False closes the connection
        results.append(responses.relay_body(Buffered(gw_client), Buffered(gw_up), -1))
        gw_client.close()

    relay = threading.Thread(target=serve, daemon=True)
    relay.start()
    learner.settimeout(5)
    sent = 0
    try:
        while sent < 8 * responses.AHEAD:
            learner.sendall(b"x" * 65536)
            sent += 65536
    except OSError:
        pass
    relay.join(5)
    for s in (gw_client, learner, gw_up, engine):
        s.close()
    assert results == [False], "the relay kept reading"
    assert sent < 2 * responses.AHEAD, f"{sent} bytes were taken in while the answer streamed"


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ({"content-length": str(2 * 2**20)}, b""),
        ({"transfer-encoding": "chunked"}, b"100000\r\n" + b"x" * 2**20 + b"\r\n" + b"100000\r\n"),
        ({}, b"x" * 3 * 2**20),
    ],
)
def test_an_engine_answer_read_whole_is_bounded(monkeypatch, head, body):
    """Answers the gateway rewrites (lists, inspect) are read whole: past WHOLE_ANSWER bytes (here
    1 MiB) a 502 saying so, whether the engine sent a length, chunks, or a body until it closes."""
    monkeypatch.setattr(responses, "WHOLE_ANSWER", 2**20)
    a, b = socket.socketpair()

    def write() -> None:
        with contextlib.suppress(OSError):  # the reader stops early and closes
            b.sendall(body)
            b.shutdown(socket.SHUT_WR)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        with pytest.raises(HttpError) as err:
            responses.read_all(Buffered(a), head)
        assert err.value.status == 502 and "larger than the gateway reads whole" in err.value.message
    finally:
        a.close()
        writer.join(5)
        b.close()


def test_the_acceptor_survives_a_connection_it_cannot_give_a_thread(monkeypatch, tmp_path):
    """When no thread can be started (the service's tasks limit, reached by many sessions' open
    connections), that connection is closed; the acceptor thread, which serves every session, used to
    die of the RuntimeError and no session could connect again."""
    from sandbox.gateway.acceptor import Acceptor

    path = str(tmp_path / "s.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(8)
    acceptor = Acceptor()
    served = threading.Event()
    start = threading.Thread.start
    failures = [True]

    def start_or_fail(self):
        if self.name == "probe" and failures:
            failures.pop()
            raise RuntimeError("can't start new thread")
        return start(self)

    monkeypatch.setattr(threading.Thread, "start", start_or_fail)
    acceptor.add(listener, lambda conn: (served.set(), conn.close()), "probe")
    try:
        for _ in range(2):
            with socket.socket(socket.AF_UNIX) as c:
                c.connect(path)
                c.settimeout(5)
                assert c.recv(10) == b""  # closed: the first without a thread, the second by the handler
        assert served.wait(5) and not failures
    finally:
        acceptor.remove(listener)
        acceptor.stop()
