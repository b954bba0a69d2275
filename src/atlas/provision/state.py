"""Set-up's state directory (where it is: `atlas.statedir`), created on use; pid and atomic files."""

from __future__ import annotations

import os
from pathlib import Path

from atlas.statedir import state_dir_path


def state_dir() -> Path:
    """Return the state directory (created if missing; where: `atlas.statedir`)."""
    path = state_dir_path()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from atlas.errors import MissingPrerequisite

        raise MissingPrerequisite(
            f"cannot create the state directory {path} ({exc.strerror}); "
            "set ATLAS_STATE_DIR to a writable folder"
        ) from None
    return path


def logs_dir() -> Path:
    """Return the folder for step and daemon logs (created if missing)."""
    path = state_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_pid(pid_file: Path, name: str | None = None) -> int | None:
    """Return the pid recorded in `pid_file` if that process is alive, else None (stale files removed).

    With `name`, the process must also be called that (/proc/<pid>/comm), so a pid reused by
    another program after a crash or kill does not count.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if pid_alive(pid) and (name is None or process_name(pid) in ("", name[:15])):
        return pid
    try:
        pid_file.unlink(missing_ok=True)
    except OSError:
        pass
    return None


def process_name(pid: int) -> str:
    """The kernel's short name of process `pid` ('' when unknown)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
