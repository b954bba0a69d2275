"""Slow clients (slowloris, slow bodies, slow readers) cannot take the server's threads: gunicorn's
gthread worker with time budgets per request and a cap on the requests one address has in progress.

gunicorn's gthread worker hands a connection to a thread as soon as its first bytes arrive; the thread
then blocks reading the rest of the request and writing the answer, with no time limit. A client that
opens a hundred connections and sends its headers (or a body) a byte at a time, or asks for a big file
and never reads it, holds every thread: the site, the API and every terminal stop answering.
`GuardedThreadWorker` (the worker of sandbox.serve):

- gives a request `HEAD_TIMEOUT` seconds for its line, headers and body, plus one second for every
  `MIN_RATE` bytes received (big uploads go on at any reasonable speed; a trickle is cut);
- lets each write of the answer wait `SEND_IDLE` seconds for the client to read;
- lets one peer address have at most `REQUESTS_PER_CLIENT` requests in progress at once (a terminal
  counts only until its WebSocket is open). Beyond that (a flood, or a classroom behind one NAT address
  loading pages at the same moment) a request gets `BUSY_BUDGET` seconds instead of HEAD_TIMEOUT and
  `BUSY_SEND` instead of SEND_IDLE: complete requests, which arrive in one packet, are served as usual,
  while each slow connection holds a thread briefly at most.

A client too slow is hung up on. And a connection that ends is closed without holding the event loop:
gunicorn lingers up to 2 s on it (draining what the client still sends, so the answer is not cut by
a reset) in the loop that accepts and dispatches every connection, so clients that never close their
end stalled the whole server, 2 s each. Here the lingering waits in that loop's poller instead
(`LINGER` seconds at most). Trusted proxies (config `trusted_proxies`; they read requests in full
and buffer answers) are exempt from the cap: `serve()` sets `EXEMPT` before the worker starts.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections import Counter

from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker

from sandbox.clientaddr import Network, is_trusted

#: Seconds a request has for its line, headers and body (browsers send a request in one packet).
HEAD_TIMEOUT = 10.0
#: Bytes a second a body must keep up beyond the budget above.
MIN_RATE = 16 * 1024
#: Seconds one write of an answer (at most 16 KiB: sandbox.site writes big answers in pieces; or one
#: step of sendfile) may wait for the client to read.
SEND_IDLE = 30.0
#: Requests of one address in progress at once with the full budgets (a browser opens at most 6
#: connections per host; a terminal's WebSocket handshake takes milliseconds).
REQUESTS_PER_CLIENT = 16
#: The budgets of a request beyond REQUESTS_PER_CLIENT (waiting for its first byte included).
BUSY_BUDGET = 1.0
BUSY_SEND = 2.0
#: Seconds a closed connection waits for the client's end (reading what it still sends) before it goes.
LINGER = 2.0
#: Bytes read from a closing connection at most (more, and it is closed at once).
LINGER_DRAIN = 64 * 1024
#: Networks exempt from REQUESTS_PER_CLIENT (the trusted reverse proxies), set by sandbox.serve.
EXEMPT: list[Network] = []


def _hang_up(sock: socket.socket) -> None:
    """Shut both directions now (gunicorn's graceful close then has nothing to linger for)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class DeadlineSocket:
    """The socket under gunicorn's request parser: `recv` within the request's budget (`start` +
    `budget` + one second per MIN_RATE bytes received). Everything else goes to the real socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.start, self.budget, self.received = time.monotonic(), HEAD_TIMEOUT, 0

    def begin(self, budget: float) -> None:
        """A new request starts now with `budget` seconds."""
        self.start, self.budget, self.received = time.monotonic(), budget, 0

    def recv(self, size: int) -> bytes:
        """Like socket.recv; NoMoreData (the connection is hung up) when the client is too slow."""
        prior = self.sock.gettimeout()
        limit = self.start + self.budget + self.received / MIN_RATE - time.monotonic()
        if prior is not None:
            limit = min(limit, prior)
        if limit <= 0:
            _hang_up(self.sock)
            raise NoMoreData(b"")
        self.sock.settimeout(limit)
        try:
            data = self.sock.recv(size)
        except TimeoutError:
            _hang_up(self.sock)
            raise NoMoreData(b"") from None
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(prior)
        self.received += len(data)
        return data

    def __getattr__(self, name: str):
        return getattr(self.sock, name)


def _is_websocket(req) -> bool:
    return any(name == "UPGRADE" and value.strip().lower() == "websocket" for name, value in req.headers)


class GuardedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with the budgets and the per-address cap of this module."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.busy: Counter[str] = Counter()
        self.busy_lock = threading.Lock()
        self.closing: dict[socket.socket, list] = {}  # socket -> [deadline, bytes drained]

    # -- closing without blocking the event loop (runs in the loop's thread) ---------------------------
    def _linger(self, sock: socket.socket) -> None:
        """Send FIN now; close when the client closes its end, sends too much, or LINGER passes."""
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.poller.register(sock, selectors.EVENT_READ, self._drain)
        except (OSError, ValueError, KeyError):
            with contextlib.suppress(OSError):
                sock.close()
            return
        self.closing[sock] = [time.monotonic() + LINGER, 0]

    def _drain(self, sock: socket.socket) -> None:
        state = self.closing.get(sock)
        try:
            data = sock.recv(LINGER_DRAIN)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if state is not None and data and state[1] + len(data) <= LINGER_DRAIN:
            state[1] += len(data)
            return
        self._closed(sock)

    def _closed(self, sock: socket.socket) -> None:
        self.closing.pop(sock, None)
        with contextlib.suppress(OSError, ValueError, KeyError):
            self.poller.unregister(sock)
        with contextlib.suppress(OSError):
            sock.close()

    def murder_keepalived(self, force: bool = False) -> None:
        """gunicorn's sweep of idle kept-alive connections, plus the lingering ones past LINGER."""
        super().murder_keepalived(force)
        now = time.monotonic()
        for sock, (deadline, _) in list(self.closing.items()):
            if force or now >= deadline:
                self._closed(sock)

    def _count(self, conn) -> bool:
        """Count a request of `conn`'s address; False when the address is over the cap (not counted)."""
        addr = conn.client[0] if isinstance(conn.client, tuple) else str(conn.client)
        if EXEMPT and is_trusted(addr, EXEMPT):
            return True
        with self.busy_lock:
            if self.busy[addr] >= REQUESTS_PER_CLIENT:
                return False
            self.busy[addr] += 1
        conn.atlas_counted = addr
        return True

    def _uncount(self, conn) -> None:
        addr = getattr(conn, "atlas_counted", None)
        if addr is None:
            return
        conn.atlas_counted = None
        with self.busy_lock:
            self.busy[addr] -= 1
            if self.busy[addr] <= 0:
                del self.busy[addr]

    def handle(self, conn):
        """One request of `conn` (in a pool thread), under the budgets and the cap."""
        conn.atlas_budget, conn.atlas_send = HEAD_TIMEOUT, SEND_IDLE
        if not self._count(conn):  # over the cap: the request must be (nearly) there already
            conn.atlas_budget, conn.atlas_send = BUSY_BUDGET, BUSY_SEND
            if not conn.initialized and not conn.data_ready and not conn.wait_for_data(BUSY_BUDGET):
                _hang_up(conn.sock)
                return False
        if not getattr(conn, "atlas_guarded", False):
            conn.atlas_guarded = True
            gunicorn_init, gunicorn_close = conn.init, conn.close

            def close(graceful: bool = False) -> None:  # called by the event loop (finish_request)
                if graceful:
                    self._linger(conn.sock)
                else:
                    gunicorn_close()

            conn.close = close

            def init() -> None:  # runs before every request is parsed (also on keep-alive)
                gunicorn_init()
                unreader = getattr(conn.parser, "unreader", None)
                if conn.is_http2 or unreader is None or not hasattr(unreader, "sock"):
                    return
                if not isinstance(unreader.sock, DeadlineSocket):
                    unreader.sock = DeadlineSocket(unreader.sock)
                unreader.sock.begin(conn.atlas_budget)

            conn.init = init
        try:
            return super().handle(conn)
        finally:
            self._uncount(conn)

    def handle_request(self, req, conn):
        """The head is in: a WebSocket leaves the cap and the budgets; any other answer is written
        under the send budget."""
        if _is_websocket(req):
            self._uncount(conn)
            conn.sock.settimeout(None)
        else:
            conn.sock.settimeout(conn.atlas_send)
        try:
            return super().handle_request(req, conn)
        except TimeoutError:  # the client stopped reading the answer
            _hang_up(conn.sock)
            return False
