"""Published ports inside the sandbox: the control socket of `atlas-portfwd` and one Unix socket per
port, tunnelled to the container's real port on the host's 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

from .acceptor import Acceptor
from .pipes import pipe_both
from .session import Session

ACK_TIMEOUT = 3.0


def listen_unix(path: str) -> socket.socket:
    """A listening Unix socket at `path` that the sandbox user (any uid) may connect to."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    sock.listen(128)
    return sock


class PortForwarder:
    """Keeps the sandbox's forwarder in sync with the session's published ports."""

    def __init__(self, acceptor: Acceptor) -> None:
        self.acceptor = acceptor
        # One change at a time: `docker rm -f a b` sends both removals at once, and two threads taking
        # the same closed port out of port_socks crashed the second request (KeyError).
        self._socks_lock = threading.Lock()

    def open(self, sess: Session) -> None:
        """Start the control socket of a session."""
        sock = listen_unix(str(sess.dir / "ctl.sock"))
        sess.listeners.append(sock)
        sess.port_socks = {}  # type: ignore[attr-defined]
        self.acceptor.add(sock, lambda conn: self._control(sess, conn), f"atlas-ctl-{sess.id}")

    def _control(self, sess: Session, conn: socket.socket) -> None:
        old, sess.ctl = sess.ctl, conn
        if old is not None:
            with contextlib.suppress(OSError):
                old.close()
        sess.conns.add(conn)
        try:
            self._send(sess)
            with conn.makefile("rb") as reader:
                for line in reader:
                    if line.strip() == b"ok":
                        with sess.ack:
                            sess.acks += 1
                            sess.ack.notify_all()
        except OSError:
            pass
        finally:
            sess.conns.discard(conn)
            if sess.ctl is conn:
                sess.ctl = None
            with contextlib.suppress(OSError):
                conn.close()

    def _send(self, sess: Session) -> bool:
        ctl = sess.ctl
        if ctl is None:
            return False
        ports = " ".join(str(p) for p in sorted(sess.ports))
        try:
            ctl.sendall(f"ports {ports}\n".encode())
            return True
        except OSError:
            return False

    def changed(self, sess: Session) -> None:
        """Open/close the per-port sockets, tell the forwarder, wait until it listens."""
        socks: dict[int, socket.socket] = sess.port_socks  # type: ignore[attr-defined]
        with self._socks_lock:
            with sess.lock:
                wanted = set(sess.ports)
            for port in wanted - set(socks):
                sock = listen_unix(str(sess.dir / f"port-{port}.sock"))
                socks[port] = sock
                tunnel = lambda conn, p=port: self._tunnel(sess, p, conn)  # noqa: E731
                self.acceptor.add(sock, tunnel, f"atlas-port-{sess.id}")
            for port in set(socks) - wanted:
                self.acceptor.remove(socks.pop(port))
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(sess.dir / f"port-{port}.sock")
        with sess.ack:
            before = sess.acks
            if self._send(sess):
                end = time.monotonic() + ACK_TIMEOUT
                while sess.acks == before and time.monotonic() < end:
                    sess.ack.wait(end - time.monotonic())

    def close(self, sess: Session) -> None:
        """Stop every per-port socket of a session."""
        for sock in getattr(sess, "port_socks", {}).values():
            self.acceptor.remove(sock)

    @staticmethod
    def _tunnel(sess: Session, port: int, conn: socket.socket) -> None:
        pm = sess.ports.get(port)
        if pm is None or sess.closed:
            conn.close()
            return
        try:
            up = socket.create_connection(("127.0.0.1", pm.host_port), timeout=5)
        except OSError:
            conn.close()
            return
        up.settimeout(None)
        sess.conns.add(conn)
        try:
            pipe_both(conn, up)
        finally:
            sess.conns.discard(conn)
