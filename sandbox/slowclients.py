"""Slow clients (slowloris) cannot take the server's threads: gunicorn's gthread worker with a deadline
for each request head and a cap on the heads one address may have in progress.

gunicorn's gthread worker hands a connection to a thread as soon as its first bytes arrive, and the
thread then blocks reading the rest of the request line and headers with no time limit: a client that
opens a hundred connections and sends its headers a byte at a time holds every thread, and the site,
the API and every terminal stop answering. `GuardedThreadWorker` (the worker of sandbox.serve):

- gives a request's whole head (request line and headers) `HEAD_TIMEOUT` seconds, and each read of a
  request body `BODY_IDLE` seconds; a slower client is disconnected;
- lets one peer address have at most `HEADS_PER_CLIENT` connections whose head is awaited or being
  read at once; beyond that (a slowloris, or a classroom behind one NAT address loading pages at the
  same moment) a connection is served only if its whole head arrives within `BUSY_HEAD` seconds, so a
  flood of slow connections holds each thread for that long at most, while complete requests, which
  arrive in one packet, are served as usual. Trusted proxies (config `trusted_proxies`; they read
  requests in full before passing them on) are exempt: `serve()` sets `EXEMPT` before the worker starts.

A WebSocket is not affected once it is upgraded (it reads the raw socket).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter

from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker

from sandbox.clientaddr import Network, is_trusted

#: Seconds a client has to send a request's line and headers (browsers send them in one packet).
HEAD_TIMEOUT = 10.0
#: Seconds a request body may go without a byte arriving.
BODY_IDLE = 30.0
#: Connections of one address whose request head is awaited or being read, at once. A browser opens
#: at most 6 connections per host; terminals' WebSocket handshakes take milliseconds each.
HEADS_PER_CLIENT = 16
#: Seconds a connection beyond HEADS_PER_CLIENT has for its whole head (waiting for it included).
BUSY_HEAD = 1.0
#: Networks exempt from HEADS_PER_CLIENT (the trusted reverse proxies), set by sandbox.serve.
EXEMPT: list[Network] = []


def _hang_up(sock: socket.socket) -> None:
    """Shut both directions now (gunicorn's graceful close then has nothing to linger for)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class DeadlineSocket:
    """The socket under gunicorn's request parser: `recv` bounded by the head's deadline (or, while a
    body is read, by BODY_IDLE per read). Everything else goes to the real socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline: float | None = None  # None: reading a body

    def recv(self, size: int) -> bytes:
        """Like socket.recv; NoMoreData (the connection is hung up) when the client is too slow."""
        prior = self.sock.gettimeout()
        limit = BODY_IDLE if self.deadline is None else self.deadline - time.monotonic()
        if prior is not None:
            limit = min(limit, prior)
        if limit <= 0:
            _hang_up(self.sock)
            raise NoMoreData(b"")
        self.sock.settimeout(limit)
        try:
            return self.sock.recv(size)
        except TimeoutError:
            _hang_up(self.sock)
            raise NoMoreData(b"") from None
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(prior)

    def __getattr__(self, name: str):
        return getattr(self.sock, name)


class GuardedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with the head deadline and the per-address cap of this module."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.heads: Counter[str] = Counter()
        self.heads_lock = threading.Lock()

    def _count(self, conn) -> bool:
        addr = conn.client[0] if isinstance(conn.client, tuple) else str(conn.client)
        if EXEMPT and is_trusted(addr, EXEMPT):
            return True
        with self.heads_lock:
            if self.heads[addr] >= HEADS_PER_CLIENT:
                return False
            self.heads[addr] += 1
        conn.atlas_head = addr
        return True

    def _uncount(self, conn) -> None:
        addr = getattr(conn, "atlas_head", None)
        if addr is None:
            return
        conn.atlas_head = None
        with self.heads_lock:
            self.heads[addr] -= 1
            if self.heads[addr] <= 0:
                del self.heads[addr]

    def handle(self, conn):
        """One request of `conn` (in a pool thread), its head under the deadline and the cap."""
        budget = HEAD_TIMEOUT
        if not self._count(conn):  # over the cap: the head must be (nearly) there already
            budget = BUSY_HEAD
            if not conn.initialized and not conn.data_ready and not conn.wait_for_data(BUSY_HEAD):
                _hang_up(conn.sock)
                return False
        conn.atlas_budget = budget
        if not getattr(conn, "atlas_guarded", False):
            conn.atlas_guarded = True
            gunicorn_init = conn.init

            def init() -> None:  # runs before every request's head is parsed (also on keep-alive)
                gunicorn_init()
                unreader = getattr(conn.parser, "unreader", None)
                if conn.is_http2 or unreader is None or not hasattr(unreader, "sock"):
                    return
                if not isinstance(unreader.sock, DeadlineSocket):
                    unreader.sock = DeadlineSocket(unreader.sock)
                unreader.sock.deadline = time.monotonic() + conn.atlas_budget

            conn.init = init
        try:
            return super().handle(conn)
        finally:
            self._uncount(conn)

    def handle_request(self, req, conn):
        """The head is in: the address's slot is free again, and the body is read under BODY_IDLE."""
        self._uncount(conn)
        sock = getattr(getattr(conn.parser, "unreader", None), "sock", None)
        if isinstance(sock, DeadlineSocket):
            sock.deadline = None
        return super().handle_request(req, conn)
