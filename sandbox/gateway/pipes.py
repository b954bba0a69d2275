"""Socket plumbing of the Docker API proxy: a bidirectional byte pipe between two sockets, with half-close
(attach, exec and published-port connections)."""

from __future__ import annotations

import contextlib
import select
import socket


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
