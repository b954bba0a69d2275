"""Named set-up steps: printing, timing, running commands with a log, and failing clearly.

A step prints one line, `[engine] Docker engine ... ok (skipped: already running)`. A step function
returns the text in the parentheses; `Skipped(reason)` marks it as skipped. Commands run with their
output in a log file under the state directory; when one fails, `SetupError` names the step, the
command and the last lines of its log.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.errors import AtlasError, MissingPrerequisite, SetupError
from atlas.provision.state import logs_dir


class Skipped(str):
    """A step result meaning "nothing to do"; printed as `ok (skipped: <reason>)`."""


class _Line:
    """Tracks whether the step header line is still open (no newline yet)."""

    open = False


def note(message: str) -> None:
    """Print a progress line inside the current step (indented under its header)."""
    if _Line.open:
        print(flush=True)
        _Line.open = False
    print(f"    {message}", flush=True)


def run_step(name: str, title: str, func: Callable[[], str | None]) -> str:
    """Run one step: print its header, call `func`, print `ok (...)` or let SetupError through."""
    print(f"[{name}] {title} ...", end="", flush=True)
    _Line.open = True
    started = time.monotonic()
    try:
        result = func() or ""
    except BaseException as exc:
        if _Line.open:
            print(" FAILED", flush=True)
        else:
            print(f"[{name}] FAILED", flush=True)
        _Line.open = False
        if isinstance(exc, AtlasError) and not isinstance(exc, SetupError | MissingPrerequisite):
            log = step_log(name)
            command = f"{title} (log: {log})" if log.is_file() else title
            raise SetupError(name, command, hint=str(exc)) from exc  # the error's own words, in full
        raise
    took = time.monotonic() - started
    detail = f"skipped: {result}" if isinstance(result, Skipped) else result
    timing = f"{took:.1f}s" if took >= 0.1 else ""
    inner = "; ".join(x for x in (detail, timing) if x)
    suffix = f" ok ({inner})" if inner else " ok"
    if _Line.open:
        print(suffix, flush=True)
    else:
        print(f"[{name}]{suffix}", flush=True)
    _Line.open = False
    return result


def log_tail(path: Path, lines: int = 20) -> str:
    """Return the last `lines` lines of a log file ('' when it does not exist)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def step_log(step: str) -> Path:
    """Return the log file for a step (`<state>/logs/<step>.log`)."""
    return logs_dir() / f"{step}.log"


def run(
    cmd: list[str],
    step: str,
    log: Path | None = None,
    *,
    timeout: float | None = None,
    input_bytes: bytes | None = None,
    hint: str = "",
    **kw,
) -> str:
    """Run `cmd`, appending its output to `log`; return its stdout+stderr text.

    Raises SetupError (step, command, log tail, hint) when it exits non-zero, times out or is missing.
    """
    log = log or step_log(step)
    command = shlex.join(cmd)
    with open(log, "ab") as fh:
        fh.write(f"\n$ {command}\n".encode())
        fh.flush()
        try:
            proc = subprocess.run(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                input=input_bytes,
                timeout=timeout,
                **kw,
            )
        except FileNotFoundError as exc:
            raise SetupError(step, command, str(exc), hint) from None
        except subprocess.TimeoutExpired as exc:
            fh.write(exc.output or b"")
            fh.write(f"\n(timed out after {timeout:.0f}s)\n".encode())
            fh.flush()
            why = hint or f"timed out after {timeout:.0f}s"
            raise SetupError(step, command, log_tail(log), why) from None
        fh.write(proc.stdout)
    if proc.returncode != 0:
        raise SetupError(step, f"{command} (exit {proc.returncode}; log: {log})", log_tail(log), hint)
    return proc.stdout.decode("utf-8", "replace")


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send everything written to file descriptors 1 and 2 (this process and its children) to `log`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(log, "ab") as fh:
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            try:
                yield
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def warn(message: str) -> None:
    """Print a warning to standard error (outside any step line)."""
    if _Line.open:
        print(flush=True)
        _Line.open = False
    print(f"atlas: warning: {message}", file=sys.stderr, flush=True)


def run_alone(step: str, title: str, install: Callable[..., str]) -> int:
    """Run one set-up step as a program (`python -m atlas.provision.<step> [--force]`); exit code."""
    try:
        run_step(step, title, lambda: install(force="--force" in sys.argv))
    except AtlasError as exc:
        print(f"atlas: error: {exc}\n(log: {step_log(step)})", file=sys.stderr)
        return 1
    return 0
