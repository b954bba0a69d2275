"""The per-session HTTP/1.1 proxy: reads docker CLI requests, applies the policy, relays to the engine.

Each accepted connection runs in its own thread (see acceptor.Acceptor), so a slow or malformed client
only ever blocks itself. Responses are relayed as they stream (logs -f, events, pull/build progress),
rewritten when the policy needs it (lists, created IDs), and hijacked streams (attach, exec start,
`run -it`) are piped both ways.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import errors, policy, savetar
from .httpio import (
    HOP_BY_HOP,
    Buffered,
    Closed,
    HttpError,
    Request,
    chunk,
    dechunk,
    json_response,
    parse_target,
    read_body,
    read_body_to,
    read_headers,
)
from .pipes import pipe_both

log = logging.getLogger(__name__)
RAW_STREAMS = ("application/vnd.docker.raw-stream", "application/vnd.docker.multiplexed-stream")


@dataclass
class Reply:
    """Answer locally without calling the engine."""

    status: int
    obj: object


@dataclass
class Forward:
    """Send `req` to the engine. mode: pass | json | stream | hijack | tar."""

    req: Request
    mode: str = "pass"
    on_json: Callable[[int, object], object] | None = None
    on_line: Callable[[dict], dict | None] | None = None
    on_end: Callable[[bool], list[dict]] | None = None
    on_tar: Callable[[str], str] | None = None  # mode "tar": rewrites the text of the archive's index files
    scrub: Callable[[object], object] | None = (
        None  # applied to every JSON answer (names as the learner sees them)
    )
    extra: dict = field(default_factory=dict)


@dataclass
class HttpLimits:
    """HTTP limits of the gateway (bytes and seconds)."""

    header: int = 64 * 1024
    body: int = 1024 * 1024
    idle: float = 300.0
    header_time: float = 10.0
    body_time: float = 30.0
    big_body_time: float = 600.0


class Proxy:
    """Serves one connection at a time for a session; `dispatch(req)` returns a Reply or a Forward."""

    def __init__(self, engine_socket: str, limits: HttpLimits, big_body: int) -> None:
        self.engine_socket = engine_socket
        self.limits = limits
        self.big_body = big_body

    def serve(
        self,
        conn: socket.socket,
        dispatch: Callable[[Request], Reply | Forward],
        big_slots: threading.Semaphore | None = None,
    ) -> None:
        """Serve requests on `conn` until it closes, idles out or breaks a rule.

        `big_slots` bounds how many large bodies (build contexts) of one session are in memory at once.
        """
        client = Buffered(conn)
        slots = big_slots or threading.Semaphore(1)
        try:
            while True:
                try:
                    req = self._read_request(client, slots)
                except (Closed, TimeoutError, OSError):
                    return
                except Exception as exc:  # noqa: BLE001 - refused before dispatch: answer, then close
                    conn.sendall(json_response(*errors.answer(exc), close=True))
                    return
                try:
                    action = dispatch(req)
                except Exception as exc:  # noqa: BLE001 - one mapping (errors.answer), keep serving
                    action = Reply(*errors.answer(exc))
                try:
                    if isinstance(action, Reply):
                        conn.sendall(json_response(action.status, action.obj))
                        keep = True
                    else:
                        keep = self._forward(client, action)
                except OSError:
                    raise
                except Exception as exc:  # noqa: BLE001 - mid-answer: log it, close the connection
                    errors.answer(exc)
                    return
                finally:
                    if req.body_file is not None:
                        req.body_file.close()
                    if req.big:
                        slots.release()
                if not keep or req.headers.get("connection", "").lower() == "close":
                    return
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _read_request(self, client: Buffered, slots: threading.Semaphore) -> Request:
        lim = self.limits
        # Wait (idle) for the first byte, then the whole head must arrive within header_time.
        while not client.buf:
            if not client.fill(time.monotonic() + lim.idle):
                raise Closed
        start, headers = read_headers(client, lim.header, time.monotonic() + lim.header_time)
        parts = start.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HttpError(400, f"malformed request line {start[:80]!r}")
        method, target = parts[0], parts[1]
        path, version, query = parse_target(target)
        policy.check_version(version)
        route, params = policy.match(method, path)
        big = route.big_body
        if big and not slots.acquire(blocking=False):
            raise HttpError(429, "another large upload (build context) of this sandbox is in progress")
        try:
            req = self._read_body(client, method, path, version, query, headers, params, big)
        except BaseException:
            if big:
                slots.release()
            raise
        return req

    def _read_body(
        self,
        client: Buffered,
        method: str,
        path: str,
        version: str,
        query: list,
        headers: dict,
        params: dict,
        big: bool,
    ) -> Request:
        lim = self.limits
        limit = self.big_body if big else lim.body
        deadline = time.monotonic() + (lim.big_body_time if big else lim.body_time)
        spool = tempfile.TemporaryFile() if big else None  # large bodies go to disk as they arrive
        try:
            if spool is not None:
                read_body_to(client, headers, limit, deadline, spool, drain=16 * limit)
                spool.seek(0)
                body = b""
            else:
                body = read_body(client, headers, limit, deadline)
        except BaseException as exc:
            if spool is not None:
                spool.close()
            if isinstance(exc, TimeoutError):
                raise HttpError(408, "request body did not arrive in time") from None
            if isinstance(exc, HttpError) and exc.status == 413 and big:
                policy.budget.refuse_large_body(limit)
            raise
        return Request(method, path, version, query, headers, body, params, big=big, body_file=spool)

    # -- forwarding ----------------------------------------------------------------------------

    def _upstream(self, fwd: Forward) -> tuple[socket.socket, Buffered, int, str, dict[str, str]]:
        req = fwd.req
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        up.connect(self.engine_socket)
        lines = [f"{req.method} {req.target()} HTTP/1.1", "Host: docker"]
        for k, v in req.headers.items():
            if k not in HOP_BY_HOP and k not in {"host", "content-length"}:
                lines.append(f"{k}: {v}")
        size = os.fstat(req.body_file.fileno()).st_size if req.body_file is not None else len(req.body)
        if size or req.method in {"POST", "PUT"}:
            lines.append(f"Content-Length: {size}")
        if req.body and "content-type" not in req.headers:
            lines.append("Content-Type: application/json")
        if fwd.mode == "hijack":
            lines += ["Connection: Upgrade", "Upgrade: tcp"]
        else:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if req.body_file is not None:  # streamed from disk
            up.sendall(head)
            req.body_file.seek(0)
            up.sendfile(req.body_file)
        else:
            up.sendall(head + req.body)
        upb = Buffered(up)
        start, headers = read_headers(upb, 64 * 1024, None)
        try:
            status = int(start.split(" ")[1])
        except (IndexError, ValueError):
            raise HttpError(502, f"engine sent a malformed status line {start[:60]!r}") from None
        return up, upb, status, start, headers

    def _forward(self, client: Buffered, fwd: Forward) -> bool:
        try:
            up, upb, status, start, headers = self._upstream(fwd)
        except (OSError, Closed) as exc:
            log.error("the Docker engine is not reachable", exc_info=exc)
            client.sock.sendall(json_response(502, {"message": errors.ENGINE_DOWN}))
            return True
        except HttpError as exc:  # the engine's answer was malformed
            client.sock.sendall(json_response(*errors.answer(exc)))
            return True
        try:
            ctype = headers.get("content-type", "")
            if fwd.mode == "hijack" and (status == 101 or (status == 200 and ctype.startswith(RAW_STREAMS))):
                head = [start] + [f"{k}: {v}" for k, v in headers.items()]
                client.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
                pipe_both(client.sock, up, client.take(), upb.take())
                return False
            no_body = fwd.req.method == "HEAD" or status in (204, 304)
            if (
                fwd.mode == "json"
                or (fwd.mode == "stream" and status != 200)
                or (status >= 400 and not no_body)
            ):
                body = b"" if no_body else self._read_all(upb, headers)
                if fwd.mode == "stream" and fwd.on_end is not None:
                    fwd.on_end(False)
                return self._send_json(client, status, headers, body, fwd)
            if fwd.mode == "tar" and fwd.on_tar is not None:
                return self._tar(client, upb, headers, fwd.on_tar)
            if fwd.mode == "stream":
                return self._stream(client, upb, headers, fwd)
            return self._pass(client, upb, start, headers, no_body)
        finally:
            with contextlib.suppress(OSError):
                up.close()

    @staticmethod
    def _read_all(upb: Buffered, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return read_body(upb, {"transfer-encoding": "chunked"}, 256 * 2**20, time.monotonic() + 600)
        if "content-length" in headers:
            return upb.readexact(int(headers["content-length"]), time.monotonic() + 600)
        while upb.fill(time.monotonic() + 600):
            pass
        return upb.take()

    @staticmethod
    def _send_json(client: Buffered, status: int, headers: dict[str, str], body: bytes, fwd: Forward) -> bool:
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
        client.sock.sendall(
            json_response(status, obj if obj is not None else body.decode("utf-8", "replace"))
        )
        return True

    def _pass(
        self, client: Buffered, upb: Buffered, start: str, headers: dict[str, str], no_body: bool
    ) -> bool:
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
        return self._relay_body(client, upb, remaining) and not until_eof

    @staticmethod
    def _relay_body(client: Buffered, upb: Buffered, remaining: int) -> bool:
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
            if client.sock in ready:
                data = client.sock.recv(65536)
                if not data:
                    return False  # the CLI went away (Ctrl-C on logs -f, events)
                client.buf += data
            if upb.sock in ready:
                pending = upb.sock.recv(65536)
                if not pending:
                    return remaining < 0

    @staticmethod
    def _tar(client: Buffered, upb: Buffered, headers: dict[str, str], rewrite: Callable) -> bool:
        """Relay a tar answer (docker save) through savetar.rename: its index files in learner names."""
        client.sock.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n"
            b"Api-Version: 1.41\r\n\r\n"
        )
        for piece in savetar.rename(_upstream_pieces(upb, headers), rewrite):
            if piece:
                client.sock.sendall(chunk(piece))
        client.sock.sendall(chunk(b""))
        return True

    def _stream(self, client: Buffered, upb: Buffered, headers: dict[str, str], fwd: Forward) -> bool:
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
                ok = self._emit(client, line, fwd) and ok
            if done:
                break
            ready, _, _ = select.select([upb.sock, client.sock], [], [], 3600)
            if client.sock in ready:
                got = client.sock.recv(65536)
                if not got:
                    return False  # the CLI went away
                client.buf += got
            if upb.sock in ready:
                more = upb.sock.recv(65536)
                if not more:
                    done = True
                raw += more
        if text.strip():
            ok = self._emit(client, bytes(text), fwd) and ok
        for extra in fwd.on_end(ok) if fwd.on_end else []:
            client.sock.sendall(chunk(json.dumps(extra).encode() + b"\r\n"))
        client.sock.sendall(chunk(b""))
        return True

    @staticmethod
    def _emit(client: Buffered, line: bytes, fwd: Forward) -> bool:
        if not line.strip():
            return True
        try:
            obj = json.loads(line)
        except ValueError:
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


def _upstream_pieces(upb: Buffered, headers: dict[str, str]) -> Iterator[bytes]:
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
