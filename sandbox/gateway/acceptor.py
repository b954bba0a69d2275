"""Accepting connections of the Docker API proxy: one thread watches many listening sockets (each session's
gateway socket, its published ports) and serves each accepted connection in a thread of its own."""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


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
                try:
                    threading.Thread(target=self._serve, args=(handler, conn), name=name, daemon=True).start()
                except RuntimeError:  # no thread to be had (the service's tasks limit): drop this one
                    log.error("gateway: cannot start a thread for a connection of %s; closed it", name)
                    with contextlib.suppress(OSError):
                        conn.close()

    @staticmethod
    def _serve(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
        try:
            handler(conn)
        except Exception:  # noqa: BLE001 - one connection must never take the acceptor down
            log.exception("gateway connection handler failed")
            with contextlib.suppress(OSError):
                conn.close()
