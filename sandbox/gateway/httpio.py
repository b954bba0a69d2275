"""Minimal, strict HTTP/1.1 plumbing for the gateway: buffered sockets, headers, bodies, responses.

The gateway speaks HTTP over Unix sockets to the docker CLI on one side and to the engine on the
other. Parsing is deliberately strict and bounded: header size, body size and time limits, chunked
bodies, and a clear error (`HttpError`) for anything malformed. The parsed request is request.Request.
"""

from __future__ import annotations

import contextlib
import json
import re
import select
import socket
import time
from collections.abc import Iterator
from typing import BinaryIO

from .errors import HttpError  # noqa: F401 - re-exported: httpio.HttpError

HEX_DIGITS = re.compile(rb"[0-9a-fA-F]{1,16}")
ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # str.isdigit() is also True for `²` and `١`
TRAILERS = 8192  # bytes of trailer lines after a chunked body

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
}


class Closed(Exception):
    """The peer closed the connection (or went idle) between requests."""


class Buffered:
    """A socket with a read buffer, line/exact reads and per-call deadlines."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def fill(self, deadline: float | None) -> bool:
        """Read more bytes into the buffer; False on EOF. Raises TimeoutError at the deadline."""
        if self.eof:
            return False
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def readline(self, limit: int, deadline: float | None) -> bytes:
        """One CRLF/LF-terminated line (without the terminator), at most `limit` bytes."""
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 1]
                return line.rstrip(b"\r")
            if len(self.buf) > limit:
                raise HttpError(431, "request header is too large")
            if not self.fill(deadline):
                raise Closed

    def readexact(self, n: int, deadline: float | None) -> bytes:
        """Exactly n bytes (raises Closed on early EOF)."""
        while len(self.buf) < n:
            if not self.fill(deadline):
                raise Closed
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def take(self) -> bytes:
        """Whatever is buffered, emptying the buffer."""
        data = bytes(self.buf)
        self.buf.clear()
        return data


def read_headers(conn: Buffered, limit: int, deadline: float | None) -> tuple[str, dict[str, str]]:
    """The start line and headers (lower-case names) of a message."""
    start = conn.readline(limit, deadline).decode("latin-1")
    while not start:  # tolerate stray CRLF between requests
        start = conn.readline(limit, deadline).decode("latin-1")
    headers: dict[str, str] = {}
    total = len(start)
    while True:
        line = conn.readline(limit, deadline)
        total += len(line) + 2
        if total > limit:
            raise HttpError(431, f"request header is larger than {limit} bytes")
        if not line:
            return start, headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"malformed header line {line[:60]!r}")
        if any(c in value for c in "\r\x00") or any(c in name for c in " \t\r\x00"):
            raise HttpError(400, f"malformed header {name[:40]!r}")
        key = name.lower()
        if key in headers and key in {"content-length", "transfer-encoding", "host"}:
            raise HttpError(400, f"duplicate {name} header")
        headers[key] = value.strip()


def read_body(conn: Buffered, headers: dict[str, str], limit: int, deadline: float, drain: int = 0) -> bytes:
    """A request body (Content-Length or chunked), at most `limit` bytes, before `deadline`.

    Over the limit it raises HttpError 413; with `drain` it first reads and discards the rest of the
    body (up to `drain` bytes), so the client gets to read the answer instead of a broken pipe.
    """
    out = bytearray()
    for piece in body_pieces(conn, headers, limit, deadline, drain):
        out += piece
    return bytes(out)


def read_body_to(
    conn: Buffered, headers: dict[str, str], limit: int, deadline: float, out: BinaryIO, drain: int = 0
) -> int:
    """Like read_body, but the body goes to the file `out` as it arrives (never whole in memory);
    returns its length."""
    n = 0
    for piece in body_pieces(conn, headers, limit, deadline, drain):
        out.write(piece)
        n += len(piece)
    out.flush()
    return n


def body_pieces(
    conn: Buffered, headers: dict[str, str], limit: int, deadline: float, drain: int = 0
) -> Iterator[bytes]:
    """The pieces of a request body (Content-Length or chunked) as they arrive, at most `limit` bytes
    in all (HttpError 413 over it, after discarding up to `drain` bytes of the rest)."""
    te = headers.get("transfer-encoding", "").lower()
    if te and "content-length" in headers:
        raise HttpError(400, "both Transfer-Encoding and Content-Length")
    if te:
        if te != "chunked":
            raise HttpError(400, f"unsupported Transfer-Encoding {te!r}")
        seen = 0
        while True:
            size = chunk_size(conn.readline(1024, deadline))
            if size == 0:
                _skip_trailers(conn, deadline)
                if seen > limit:
                    raise HttpError(413, f"request body is larger than {limit} bytes")
                return
            seen += size
            if seen > limit and (not drain or seen > drain):
                raise HttpError(413, f"request body is larger than {limit} bytes")
            if seen > limit:
                _discard(conn, size, deadline)
            else:
                yield from _pieces(conn, size, deadline)
            if conn.readexact(2, deadline) != b"\r\n":
                raise HttpError(400, "chunk data is not followed by CRLF")
    raw = headers.get("content-length", "0")
    if not ASCII_DIGITS.fullmatch(raw):
        raise HttpError(400, f"bad Content-Length {raw[:20]!r}")
    length = int(raw)
    if length > limit:
        if drain and length <= drain:
            _discard(conn, length, deadline)
        raise HttpError(413, f"request body is larger than {limit} bytes")
    yield from _pieces(conn, length, deadline)


def chunk_size(line: bytes) -> int:
    """The size of a chunk from its size line (`1a2b`, optionally `;extensions`): hex digits only.

    int(x, 16) alone also reads `-5`, `0x10`, `+a` and `1_0`; a negative size would shrink the running
    total and lift the body limit, so anything but hex digits is a 400."""
    digits = line.split(b";")[0].rstrip(b" \t")
    if not HEX_DIGITS.fullmatch(digits):
        raise HttpError(400, f"bad chunk size {digits[:20]!r}")
    return int(digits, 16)


def _skip_trailers(conn: Buffered, deadline: float) -> None:
    """Read the trailer lines after the last chunk (dropped), at most TRAILERS bytes in all."""
    total = 0
    while line := conn.readline(TRAILERS, deadline):
        total += len(line) + 2
        if total > TRAILERS:
            raise HttpError(431, f"the trailers of the chunked body are larger than {TRAILERS} bytes")


def discard_body(conn: Buffered, headers: dict[str, str], limit: int, deadline: float) -> None:
    """Read and drop a request body that will be refused (at most `limit` bytes, best effort), so the
    client gets to read the refusal instead of a broken pipe while it is still writing the body.
    The same drain as an over-limit body's: nothing of it is kept."""
    with contextlib.suppress(HttpError, Closed, TimeoutError, OSError):
        for _ in body_pieces(conn, headers, 0, deadline, drain=limit):
            pass


def _pieces(conn: Buffered, n: int, deadline: float) -> Iterator[bytes]:
    """Exactly n bytes from conn, in pieces of at most 1 MiB."""
    while n > 0:
        if not conn.buf and not conn.fill(deadline):
            raise Closed
        take = min(n, len(conn.buf), 2**20)
        yield bytes(conn.buf[:take])
        del conn.buf[:take]
        n -= take


def _discard(conn: Buffered, n: int, deadline: float) -> None:
    while n > 0:
        if not conn.buf and not conn.fill(deadline):
            raise Closed
        take = min(n, len(conn.buf))
        del conn.buf[:take]
        n -= take


def response_bytes(
    status: int, body: bytes, content_type: str = "application/json", close: bool = False
) -> bytes:
    """A complete response with a Content-Length body."""
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Api-Version: 1.41\r\nServer: container-atlas-gateway\r\n"
    )
    if close:
        head += "Connection: close\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def json_response(status: int, obj: object, close: bool = False) -> bytes:
    """A JSON response (the engine's error shape is {"message": ...})."""
    return response_bytes(status, (json.dumps(obj) + "\n").encode(), close=close)


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (empty data is the terminating chunk)."""
    return b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n"


def dechunk(raw: bytearray) -> tuple[bytes, bool]:
    """Decode complete chunks from the front of `raw` (consumed in place); (data, finished)."""
    out = bytearray()
    while True:
        i = raw.find(b"\r\n")
        if i < 0:
            return bytes(out), False
        try:
            size = int(bytes(raw[:i]).split(b";")[0], 16)
        except ValueError:
            raise HttpError(502, "engine sent a malformed chunked response") from None
        if size == 0:
            return bytes(out), True
        if len(raw) < i + 2 + size + 2:
            return bytes(out), False
        out += raw[i + 2 : i + 2 + size]
        del raw[: i + 2 + size + 2]
