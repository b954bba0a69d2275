"""`DockerBackend`: sandboxes as hardened containers on the local Docker engine (one per session)."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import docker
import docker.errors
from docker.utils.socket import STDERR, STDOUT, frames_iter

from sandbox.backend import ExecResult, Sandbox
from sandbox.config import Config, Profile
from sandbox.containers import remove_many, start_container
from sandbox.labels import INSTANCE, MANAGED, ORIGIN, PROFILE, SESSION

#: Bytes of each output stream of a command run with `exec` that are kept (the rest is not read).
EXEC_OUTPUT_MAX = 1024 * 1024


class DockerAttachment:
    """The container's TTY through the engine's attach endpoint."""

    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        self._resp = client.api.attach_socket(container_id, params=params)
        self._fp = self._resp._response.raw._fp.fp  # buffered reader: keeps bytes read with the headers
        self._sock: socket.socket = self._resp._sock

    def read(self, size: int) -> bytes:
        """Up to `size` bytes of terminal output; b"" at the end."""
        try:
            return self._fp.read1(size)
        except (OSError, ValueError):
            return b""

    def write(self, data: bytes) -> None:
        """Type `data`."""
        self._sock.sendall(data)

    def close(self) -> None:
        """Shut the stream (the container keeps running)."""
        for step in (lambda: self._sock.shutdown(socket.SHUT_RDWR), self._sock.close):
            try:
                step()
            except OSError:
                pass


class DockerBackend:
    """`sandbox.backend.Backend` on one Docker engine."""

    def __init__(self, client: docker.DockerClient, config: Config) -> None:
        self.client = client
        self.config = config

    def create(self, profile: Profile, session_id: str, extra: dict[str, Any] | None = None) -> str:
        """Create and start the session's container; its id."""
        return start_container(self.client, self.config, profile, session_id, extra)

    def remove(self, handles: list[str]) -> None:
        """Force-remove containers (with anonymous volumes)."""
        remove_many(self.client, [h for h in handles if h])

    def list(self, instance: str | None = None) -> list[Sandbox]:
        """Containers of the service (labelled managed, with a session), of `instance` when given."""
        flt = [f"{MANAGED}=true", SESSION] + ([f"{INSTANCE}={instance}"] if instance else [])
        out = []
        for c in self.client.api.containers(all=True, filters={"label": flt}):
            labels = c.get("Labels") or {}
            if not labels.get(PROFILE) or labels.get(ORIGIN):  # a learner's container (gateway)
                continue
            out.append(
                Sandbox(
                    c["Id"],
                    labels[SESSION],
                    labels[PROFILE],
                    labels.get(INSTANCE, ""),
                    c["State"] == "running",
                )
            )
        return out

    def running(self, handle: str) -> bool:
        """True while the container runs."""
        try:
            return bool(self.client.api.inspect_container(handle)["State"]["Running"])
        except docker.errors.NotFound:
            return False

    def attach(self, handle: str) -> DockerAttachment:
        """Attach to the container's TTY."""
        return DockerAttachment(self.client, handle)

    def resize(self, handle: str, rows: int, cols: int) -> None:
        """Resize the container's TTY."""
        self.client.api.resize(handle, height=rows, width=cols)

    def wait(self, handle: str, timeout: float) -> int | None:
        """Exit code of the container's main process; None while it runs or when it is gone."""
        try:
            return self.client.api.wait(handle, timeout=timeout).get("StatusCode")
        except Exception:  # noqa: BLE001 - still running (read timeout) or removed
            return None

    def exec(self, handle: str, argv: list[str], user: str) -> ExecResult:
        """Run `argv` in the container (no TTY); docker.errors.APIError when the engine refuses. Each
        stream is kept up to EXEC_OUTPUT_MAX bytes: the output is the learner's to make, and a check
        that `cat`s a 60 MB file must not load it into the service (reading stops when either stream
        is full; the command's own time limit ends it)."""
        api = self.client.api
        res = api.exec_create(handle, argv, user=user, stdout=True, stderr=True, tty=False)
        sock = api.exec_start(res["Id"], socket=True)
        out = {STDOUT: bytearray(), STDERR: bytearray()}
        try:
            for stream, data in frames_iter(sock, False):
                buf = out.get(stream)
                if buf is not None:
                    buf += data[: max(0, EXEC_OUTPUT_MAX - len(buf))]
                if buf is not None and len(buf) >= EXEC_OUTPUT_MAX:
                    break
        finally:  # shut the connection itself (the engine stops copying the rest), not just this handle
            with contextlib.suppress(OSError):
                getattr(sock, "_sock", sock).shutdown(socket.SHUT_RDWR)
            sock.close()
        code = api.exec_inspect(res["Id"]).get("ExitCode")
        return ExecResult(
            code, out[STDOUT].decode("utf-8", "replace"), out[STDERR].decode("utf-8", "replace")
        )

    def ping(self) -> bool:
        """True when the engine answers."""
        try:
            return bool(self.client.ping())
        except Exception:  # noqa: BLE001
            return False
