"""Byte relays: a bidirectional pipe with half-close, and an acceptor thread for many listeners."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import selectors
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def pipe_both(a: socket.socket, b: socket.socket, a_pending: bytes = b"", b_pending: bytes = b"") -> None:
    """Relay bytes both ways until both directions end; EOF on one side half-closes the other.

    `a_pending` are bytes already read from `a` (to send to b); `b_pending` from `b` (to send to a).
    """
    if a_pending:
        b.sendall(a_pending)
    if b_pending:
        a.sendall(b_pending)
    open_dirs = {a: b, b: a}
    try:
        while open_dirs:
            ready, _, _ = select.select(list(open_dirs), [], [], 3600)
            if not ready:
                return  # an hour without a byte either way
            for src in ready:
                dst = open_dirs.get(src)
                if dst is None:
                    continue
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if data:
                    try:
                        dst.sendall(data)
                        continue
                    except OSError:
                        return
                del open_dirs[src]
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
    finally:
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.close()


class Acceptor:
    """One thread accepting on many listening sockets; each connection gets its own handler thread."""

    def __init__(self) -> None:
        self._sel = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="atlas-gateway-accept", daemon=True)
        self._thread.start()

    def add(self, sock: socket.socket, handler: Callable[[socket.socket], None], name: str) -> None:
        """Serve `sock`: every accepted connection runs handler(conn) in a new daemon thread."""
        sock.setblocking(False)
        with self._lock:
            self._sel.register(sock, selectors.EVENT_READ, (handler, name))
        os.write(self._wake_w, b"x")

    def remove(self, sock: socket.socket) -> None:
        """Stop serving `sock` and close it."""
        with self._lock, contextlib.suppress(KeyError, ValueError):
            self._sel.unregister(sock)
        os.write(self._wake_w, b"x")
        with contextlib.suppress(OSError):
            sock.close()

    def stop(self) -> None:
        """Stop the acceptor thread."""
        self._stop = True
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop:
            for key, _ in self._sel.select(timeout=5):
                if key.data is None:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                    continue
                handler, name = key.data
                try:
                    conn, _ = key.fileobj.accept()
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                threading.Thread(target=self._serve, args=(handler, conn), name=name, daemon=True).start()

    @staticmethod
    def _serve(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
        try:
            handler(conn)
        except Exception:  # noqa: BLE001 - one connection must never take the acceptor down
            log.exception("gateway connection handler failed")
            with contextlib.suppress(OSError):
                conn.close()
