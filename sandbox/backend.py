"""The seam between the session service and wherever sandboxes run: one small interface.

`SessionManager`, the warm pool, the terminal bridge and the tutorial checks talk to sandboxes only
through a `Backend`. Today's implementation is `sandbox.backends.docker.DockerBackend` (one container per
session on the local engine); a Kubernetes backend (a Pod per session, see docs/scaling.md) is another
class with these methods, not a rewrite of the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.config import Profile


@dataclass(frozen=True)
class Sandbox:
    """What the backend knows about one sandbox of this service (from its immutable labels)."""

    id: str  # the backend's handle (a container id; a Pod name on Kubernetes)
    session: str
    profile: str
    instance: str
    running: bool


@dataclass(frozen=True)
class ExecResult:
    """The end of a command run in a sandbox."""

    code: int | None
    stdout: str
    stderr: str


class Attachment(Protocol):
    """A live byte stream to a sandbox's terminal (the shell's TTY)."""

    def read(self, size: int) -> bytes:
        """Up to `size` bytes of output; b"" at the end of the stream."""

    def write(self, data: bytes) -> None:
        """Type `data` into the terminal."""

    def close(self) -> None:
        """End the stream (the sandbox keeps running)."""


class Backend(Protocol):
    """Create, find, use and remove the sandboxes of one service instance."""

    def create(self, profile: Profile, session_id: str, extra: dict[str, Any] | None = None) -> str:
        """Start a sandbox for `session_id`; returns its handle (Unavailable-worthy errors raise)."""

    def remove(self, handles: list[str]) -> None:
        """Remove sandboxes (already gone is fine), in parallel."""

    def list(self, instance: str | None = None) -> list[Sandbox]:
        """Every sandbox of this service (of `instance` when given), running or not."""

    def running(self, handle: str) -> bool:
        """True while the sandbox exists and runs (used when adopting sessions after a restart)."""

    def attach(self, handle: str) -> Attachment:
        """Attach to the sandbox's terminal."""

    def resize(self, handle: str, rows: int, cols: int) -> None:
        """Resize the sandbox's terminal."""

    def wait(self, handle: str, timeout: float) -> int | None:
        """The exit code once the sandbox's main process ended, None if it still runs or is gone."""

    def exec(self, handle: str, argv: list[str], user: str) -> ExecResult:
        """Run `argv` in the sandbox as `user` and collect its output (tutorial checks)."""

    def ping(self) -> bool:
        """True when the backend answers."""
