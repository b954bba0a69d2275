"""Who may connect to a session's gateway socket, with and without the engine's userns-remap.

The socket is bind-mounted into the learner's sandbox. With `userns-remap` the learner (gid 1000 in
the container) is gid 101000 on the host (the first id of `dockremap` in /etc/subgid, plus 1000).
The session folder and its sockets belong to root and to that group only (0750 / 0660): the learner's
sandbox can connect, other users of the host and other sessions' containers cannot.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

SUBGID = Path("/etc/subgid")


def remapped(info: dict) -> bool:
    """True when the engine (its /info answer) runs with user-namespace remapping."""
    return any("name=userns" in opt for opt in info.get("SecurityOptions") or [])


def subid_start(name: str = "dockremap", path: Path = SUBGID) -> int | None:
    """The first subordinate id of `name` in /etc/subgid (the remapped container root), or None."""
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            user, _, rest = line.strip().partition(":")
            if user == name and rest:
                return int(rest.split(":")[0])
    return None


def host_gid(info: dict, sandbox_gid: int, remap_user: str = "dockremap") -> int:
    """The host gid of the sandbox's group `sandbox_gid` under this engine."""
    if not remapped(info):
        return sandbox_gid
    start = subid_start(remap_user)
    if start is None:
        raise RuntimeError(
            f"the engine remaps user namespaces but {SUBGID} has no range for {remap_user!r}; "
            "cannot give the sandbox access to its gateway socket"
        )
    return start + sandbox_gid


def restrict(folder: Path, sockets: list[Path], gid: int) -> None:
    """Give `folder` (0750) and its `sockets` (0660) to root and group `gid` only."""
    for sock in sockets:
        os.chown(sock, 0 if os.geteuid() == 0 else -1, gid if os.geteuid() == 0 else -1)
        os.chmod(sock, 0o660 if os.geteuid() == 0 else 0o666)
    if os.geteuid() == 0:
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o750)
    else:  # a developer's unprivileged gateway cannot chown: the sandbox needs 0666 sockets then
        os.chmod(folder, 0o755)
