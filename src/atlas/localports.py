"""Local TCP ports: the one check that a port is free (`./atlas up`, `./atlas serve`), and picking one."""

from __future__ import annotations

import errno
import socket

from atlas.errors import AtlasError


def check_port(host: str, port: int) -> None:
    """Raise AtlasError naming --port when `host:port` cannot be bound (already in use)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AtlasError(
                    f"port {port} on {host} is already in use (another `./atlas up`?). "
                    f"Stop that program, or choose another port with --port {port + 1}"
                ) from None
            raise AtlasError(
                f"cannot listen on {host}:{port}: {exc.strerror}; see --host and --port"
            ) from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now (the kernel picks it; tests, benches, the gateway)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
