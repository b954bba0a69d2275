"""The per-session HTTP/1.1 proxy: reads docker CLI requests, applies the policy, relays to the engine.

Each accepted connection runs in its own thread (see acceptor.Acceptor), so a slow or malformed client
only ever blocks itself. Responses are relayed as they stream (logs -f, events, pull/build progress),
rewritten when the policy needs it (lists, created IDs), and hijacked streams (attach, exec start,
`run -it`) are piped both ways.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import errors, policy, responses
from .httpio import (
    HOP_BY_HOP,
    Buffered,
    Closed,
    HttpError,
    discard_body,
    json_response,
    read_body,
    read_body_to,
    read_headers,
)
from .pipes import pipe_both
from .request import Request, parse_target

log = logging.getLogger(__name__)
# A request refused before dispatch still has its body taken off the wire (up to the big-body limit, at
# most this many seconds: a local socket moves that in well under a second), so that a client still
# writing it (`docker load -i big.tar`, `docker import file.tar`) reads the refusal, not a broken pipe.
REFUSED_BODY_TIME = 2.0
BIG_SLOT_WAIT = 3.0  # seconds a large body waits for the session's previous one to finish
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
        expects_continue = headers.get("expect", "").lower() == "100-continue"
        try:
            path, version, query = parse_target(target)
            policy.check_version(version)
            route, params = policy.match(method, path)
            policy.check_before_body(method, path, query)  # e.g. docker import: refused from its query
        except Exception:
            # Refused before dispatch: take the body off the wire first (a client still writing it
            # would otherwise see a broken pipe instead of the refusal).
            # A client that asked `Expect: 100-continue` sends no body before it is told to (RFC 9110).
            if not expects_continue:
                bound = max(lim.body, self.big_body)
                discard_body(client, headers, bound, time.monotonic() + REFUSED_BODY_TIME)
            raise
        big = route.big_body
        # One large body of a session at a time. The one before may still be finishing (its answer is
        # sent a moment before its slot is given back): wait a little before refusing, and when
        # refusing, take the body off the wire so the client reads the 429, not a broken pipe.
        if big and not slots.acquire(timeout=BIG_SLOT_WAIT):
            if not expects_continue:
                discard_body(client, headers, self.big_body, time.monotonic() + REFUSED_BODY_TIME)
            raise HttpError(429, "another large upload (build context) of this sandbox is in progress")
        try:
            if expects_continue:  # curl asks before a large body (and would otherwise wait a second)
                client.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
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
            else:  # over the limit: taken off the wire first, so the client reads the 413
                body = read_body(client, headers, limit, deadline, drain=max(limit, self.big_body))
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
                try:
                    body = b"" if no_body else responses.read_all(upb, headers)
                except HttpError as exc:  # too large to rewrite: the client gets that, not a cut
                    client.sock.sendall(json_response(*errors.answer(exc)))
                    return True
                if fwd.mode == "stream" and fwd.on_end is not None:
                    fwd.on_end(False)
                return responses.send_json(client, status, headers, body, fwd)
            if fwd.mode == "tar" and fwd.on_tar is not None:
                return responses.send_tar(client, upb, headers, fwd.on_tar)
            if fwd.mode == "stream":
                return responses.stream_lines(client, upb, headers, fwd)
            return responses.pass_through(client, upb, start, headers, no_body)
        finally:
            with contextlib.suppress(OSError):
                up.close()
