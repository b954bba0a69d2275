"""POST /containers/{id}/exec and /exec/{id}/start: the bodies' models and rules."""

from __future__ import annotations

from ..errors import Denied
from .engine_types import STRS, B, S
from .jsondecode import loads
from .rules import rule
from .schema import UINT64, Field, Int, ListOf, StrSlice, Struct, decode_body

EXEC_CREATE = Struct(
    "ExecConfig",
    {
        "User": S,
        "Privileged": B,
        "Tty": B,
        "ConsoleSize": ListOf(Int(UINT64), length=2),
        "AttachStdin": B,
        "AttachStderr": B,
        "AttachStdout": B,
        "Detach": B,
        "DetachKeys": S,
        "Env": STRS,
        "WorkingDir": S,
        "Cmd": StrSlice(),
        "Container": Field(S, drop=True),  # sent by docker-py; the engine ignores it (the path names it)
    },
)
EXEC_START = Struct("ExecStartCheck", {"Detach": B, "Tty": B, "ConsoleSize": ListOf(Int(UINT64), length=2)})


def parse_create(body: bytes) -> dict:
    """The exec-create body as canonical fields."""
    return decode_body(EXEC_CREATE, loads(body))


def parse_start(body: bytes) -> dict:
    """The exec-start body as canonical fields."""
    return decode_body(EXEC_START, loads(body))


@rule("exec.create")
def check_exec_create(body: dict) -> None:
    """Exec: no privileged processes."""
    if body.get("Privileged"):
        raise Denied("privileged exec is not allowed")


# The engine keeps an exec instance until it has run and its collector (every 5 minutes) takes it, and
# one never started until its container is removed: a loop of creates would grow the engine's memory.
MAX_EXECS = 256


@rule("exec.count")
def check_exec_room(count: int) -> None:
    """A container holds at most MAX_EXECS of the learner's exec instances at once (`count`: those the
    engine still lists for it, running, never started or finished in the last minutes; health checks
    are not counted)."""
    if count >= MAX_EXECS:
        raise Denied(
            f"the container has {count} exec instances, the most the sandbox allows; "
            "wait a few minutes for finished ones to go, or recreate the container"
        )
