"""The engine's answers, relayed to the docker CLI: whole JSON answers (rewritten by the handler and
scrubbed into the learner's names), streams of JSON lines (pull, build, events), tar archives
(docker save) and plain bodies (logs -f), each as it arrives; False from a relay closes the connection."""

from __future__ import annotations

import json
import select
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from . import savetar
from .httpio import HOP_BY_HOP, Buffered, HttpError, chunk, dechunk, json_response, read_body

if TYPE_CHECKING:
    from .server import Forward

# Bytes a client may send while an answer streams to it (a pipelined next request: its head and a JSON
# body); a client still writing past them is closed instead of buffered in the gateway's memory.
AHEAD = 2 * 2**20
# The largest engine answer read whole to be rewritten (lists, inspect): other sessions' objects are in
# the engine's lists too, and their labels are as large as builds and creates let them be.
WHOLE_ANSWER = 256 * 2**20


def read_all(upb: Buffered, headers: dict[str, str]) -> bytes:
    """The engine's whole answer body (chunked, Content-Length or until it closes), at most
    WHOLE_ANSWER bytes (502 past them: the gateway never holds more of one answer)."""
    deadline = time.monotonic() + 600
    too_large = HttpError(
        502, f"the engine's answer is larger than the gateway reads whole ({WHOLE_ANSWER} bytes)"
    )
    if headers.get("transfer-encoding", "").lower() == "chunked":
        try:
            return read_body(upb, {"transfer-encoding": "chunked"}, WHOLE_ANSWER, deadline)
        except HttpError as exc:
            raise too_large if exc.status == 413 else exc from None
    if "content-length" in headers:
        if int(headers["content-length"]) > WHOLE_ANSWER:
            raise too_large
        return upb.readexact(int(headers["content-length"]), deadline)
    while upb.fill(deadline):
        if len(upb.buf) > WHOLE_ANSWER:
            raise too_large
    return upb.take()


def send_json(client: Buffered, status: int, headers: dict[str, str], body: bytes, fwd: Forward) -> bool:
    """Answer the client with the engine's JSON, passed through the handler's rewriting and the scrub."""
    obj: object
    try:
        obj = json.loads(body) if body.strip() else None
    except ValueError:
        obj = None
        if status >= 400:
            obj = {"message": body.decode("utf-8", "replace").strip()}
    if fwd.on_json is not None:
        obj = fwd.on_json(status, obj)
    elif fwd.on_line is not None and isinstance(obj, dict):
        obj = fwd.on_line(obj) or obj
    if fwd.scrub is not None and obj is not None:
        obj = fwd.scrub(obj)
    if obj is None and not body.strip():
        client.sock.sendall(f"HTTP/1.1 {status} OK\r\nContent-Length: 0\r\n\r\n".encode())
        return True
    client.sock.sendall(json_response(status, obj if obj is not None else body.decode("utf-8", "replace")))
    return True


def pass_through(client: Buffered, upb: Buffered, start: str, headers: dict[str, str], no_body: bool) -> bool:
    """Relay the engine's answer as it is (headers without hop-by-hop ones); False: close the connection."""
    chunked = headers.get("transfer-encoding", "").lower() == "chunked"
    length = headers.get("content-length")
    until_eof = not no_body and not chunked and length is None
    head = [start] + [f"{k}: {v}" for k, v in headers.items() if k not in HOP_BY_HOP]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    if until_eof:
        head.append("Connection: close")
    client.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    if no_body:
        return True
    remaining = int(length) if length is not None and not chunked else -1
    return relay_body(client, upb, remaining) and not until_eof


def took_ahead(client: Buffered) -> bool:
    """Read what the client sends while an answer streams (its next request, kept for later); False
    when it went away or has sent more than AHEAD bytes ahead (the shared gateway keeps no more)."""
    data = client.sock.recv(65536)
    client.buf += data
    return bool(data) and len(client.buf) <= AHEAD


def relay_body(client: Buffered, upb: Buffered, remaining: int) -> bool:
    """Copy the upstream body to the client; False if the client went away first."""
    pending = upb.take()
    while True:
        if pending:
            if remaining >= 0:
                pending = pending[:remaining]
                remaining -= len(pending)
            client.sock.sendall(pending)
            pending = b""
        if remaining == 0:
            return True
        ready, _, _ = select.select([upb.sock, client.sock], [], [], 3600)
        if not ready:
            return False
        if client.sock in ready and not took_ahead(client):
            return False  # the CLI went away (Ctrl-C on logs -f, events), or sent too much ahead
        if upb.sock in ready:
            pending = upb.sock.recv(65536)
            if not pending:
                return remaining < 0


def send_tar(client: Buffered, upb: Buffered, headers: dict[str, str], rewrite: Callable) -> bool:
    """Relay a tar answer (docker save) through savetar.rename: its index files in learner names."""
    client.sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n"
        b"Api-Version: 1.41\r\n\r\n"
    )
    for piece in savetar.rename(upstream_pieces(upb, headers), rewrite):
        if piece:
            client.sock.sendall(chunk(piece))
    client.sock.sendall(chunk(b""))
    return True


def stream_lines(client: Buffered, upb: Buffered, headers: dict[str, str], fwd: Forward) -> bool:
    """Relay a JSON-lines stream (pull, build, events) line by line through the handler's rewriting."""
    client.sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Api-Version: 1.41\r\n\r\n"
    )
    chunked = headers.get("transfer-encoding", "").lower() == "chunked"
    raw, text, ok, done = bytearray(upb.take()), bytearray(), True, False
    while not done:
        if chunked:
            data, done = dechunk(raw)
        else:
            data = bytes(raw)
            raw.clear()
        text += data
        while b"\n" in text:
            line, _, rest = bytes(text).partition(b"\n")
            text = bytearray(rest)
            ok = emit_line(client, line, fwd) and ok
        if done:
            break
        ready, _, _ = select.select([upb.sock, client.sock], [], [], 3600)
        if client.sock in ready and not took_ahead(client):
            return False  # the CLI went away, or sent too much ahead
        if upb.sock in ready:
            more = upb.sock.recv(65536)
            if not more:
                done = True
            raw += more
    if text.strip():
        ok = emit_line(client, bytes(text), fwd) and ok
    for extra in fwd.on_end(ok) if fwd.on_end else []:
        client.sock.sendall(chunk(json.dumps(extra).encode() + b"\r\n"))
    client.sock.sendall(chunk(b""))
    return True


def emit_line(client: Buffered, line: bytes, fwd: Forward) -> bool:
    """Send one line of a stream to the client; False when the line reports an error."""
    if not line.strip():
        return True
    try:
        obj = json.loads(line)
    except ValueError:
        obj = line
    if fwd.extra.get("objects_only") and not isinstance(obj, dict):
        return True  # a stream of the session's objects (events): what is not one is not relayed
    if obj is line:
        client.sock.sendall(chunk(line + b"\n"))
        return True
    ok = not (isinstance(obj, dict) and obj.get("error"))
    if fwd.on_line is not None and isinstance(obj, dict):
        obj = fwd.on_line(obj)
        if obj is None:
            return ok
    if fwd.scrub is not None:
        obj = fwd.scrub(obj)
    client.sock.sendall(chunk(json.dumps(obj).encode() + b"\r\n"))
    return ok


def upstream_pieces(upb: Buffered, headers: dict[str, str]) -> Iterator[bytes]:
    """The engine's answer body as it arrives (chunked, Content-Length or until the engine closes)."""
    chunked = headers.get("transfer-encoding", "").lower() == "chunked"
    left = int(headers["content-length"]) if "content-length" in headers and not chunked else -1
    raw = bytearray(upb.take())
    while True:
        if chunked:
            data, done = dechunk(raw)
        else:
            data, done = bytes(raw[: left if left >= 0 else None]), False
            raw.clear()
            left -= len(data) if left >= 0 else 0
            done = left == 0
        if data:
            yield data
        if done:
            return
        more = upb.sock.recv(65536)
        if not more:
            return
        raw += more
