"""`/etc/docker/daemon.json`: add our registry mirror, the gVisor runtime and user-namespace remapping,
keep everything else.

`"userns-remap": "default"` makes container root the unprivileged host uid 100000 (dockerd creates the
`dockremap` user and its /etc/subuid range), so a policy bug in the gateway is not root on the host:
a host bind of /etc cannot read /etc/shadow, the engine socket cannot be opened. An operator's own
`userns-remap` value is kept; ATLAS_USERNS_REMAP=off leaves the key out. The engine must be restarted
(not reloaded) for it, which engine.py does for a dockerd atlas started.

The merge is a pure function (`merge`); `ensure` reads the file, merges, and writes it back
atomically only when something changed, keeping a one-time backup of the operator's original.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

from atlas.errors import SetupError
from atlas.provision.state import write_atomic
from atlas.provision.steps import Skipped

STEP = "daemon.json"
DAEMON_JSON = Path(os.environ.get("ATLAS_DAEMON_JSON", "/etc/docker/daemon.json"))
MIRROR = "http://127.0.0.1:5000"
RUNSC_ARGS = ["--network=none"]
USERNS = "default"
OURS = ("registry-mirrors", "runtimes", "userns-remap")


def userns_wanted() -> str | None:
    """The `userns-remap` value we add: "default", or None when ATLAS_USERNS_REMAP is off/0/false/no."""
    off = os.environ.get("ATLAS_USERNS_REMAP", "").strip().lower() in {"off", "0", "false", "no"}
    return None if off else USERNS


def merge(
    current: dict, mirror: str = MIRROR, runsc_path: str | None = None, userns: str | None = USERNS
) -> dict:
    """Return `current` plus our registry mirror (first), if given a `runsc` runtime, and, if given,
    `userns-remap`.

    Every key the operator had stays. Their mirrors stay (after ours); an existing `runsc`
    runtime entry and an existing `userns-remap` value are left exactly as they are.
    """
    merged = copy.deepcopy(current)
    mirrors = list(merged.get("registry-mirrors") or [])
    if mirror not in mirrors and mirror.rstrip("/") not in [m.rstrip("/") for m in mirrors]:
        merged["registry-mirrors"] = [mirror, *mirrors]
    if runsc_path:
        runtimes = dict(merged.get("runtimes") or {})
        if "runsc" not in runtimes:
            runtimes["runsc"] = {"path": runsc_path, "runtimeArgs": list(RUNSC_ARGS)}
            merged["runtimes"] = runtimes
    if userns and "userns-remap" not in merged:
        merged["userns-remap"] = userns
    return merged


def read(path: Path = DAEMON_JSON) -> dict:
    """Read daemon.json ({} when missing or empty); SetupError naming file and line when invalid."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SetupError(STEP, f"read {path}", str(exc)) from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SetupError(
            STEP,
            f"parse {path}",
            f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}",
            hint="Fix the JSON (we never overwrite a file we cannot read), then run again.",
        ) from None
    if not isinstance(data, dict):
        raise SetupError(STEP, f"parse {path}", f"{path}:1:1: top level must be a JSON object")
    return data


def ensure(path: Path = DAEMON_JSON) -> tuple[str, bool]:
    """Merge our settings into `path`; return (step result, changed)."""
    current = read(path)
    runsc = shutil.which("runsc")
    wanted = merge(current, MIRROR, runsc, userns_wanted())
    if wanted == current:
        return Skipped("mirror, runtimes and userns-remap already configured"), False
    writable = os.access(path if path.exists() else path.parent, os.W_OK)
    if not writable and os.geteuid() != 0:
        snippet = json.dumps({k: wanted[k] for k in OURS if k in wanted})
        return (
            f"NOT changed (no permission to write {path}); add this yourself and reload the engine: "
            f"{snippet}",
            False,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        backup = path.with_name(path.name + ".before-atlas")
        if path.exists() and not backup.exists():
            shutil.copy2(path, backup)
        write_atomic(path, json.dumps(wanted, indent=2) + "\n")
    except OSError as exc:
        raise SetupError(
            STEP, f"write {path}", str(exc), hint="Run as root, or add the settings yourself."
        ) from None
    added = [k for k in OURS if wanted.get(k) != current.get(k)]
    return f"added {', '.join(added)} to {path}", True
