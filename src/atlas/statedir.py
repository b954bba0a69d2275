"""The one rule for where Container Atlas keeps its state (downloads, builds, logs, sessions).

`$ATLAS_STATE_DIR` when set; else `/var/lib/container-atlas` as root; else
`$XDG_STATE_HOME/container-atlas` (`~/.local/state/container-atlas` when XDG_STATE_HOME is unset
or empty, as the XDG spec says). Set-up, the sandbox service and the gateway all ask here.
"""

from __future__ import annotations

import os
from pathlib import Path

NAME = "container-atlas"


def state_dir_path(environ: dict[str, str] | None = None, euid: int | None = None) -> Path:
    """The state directory's path (not created; `environ`/`euid` default to this process's)."""
    env = os.environ if environ is None else environ
    if env.get("ATLAS_STATE_DIR"):
        return Path(env["ATLAS_STATE_DIR"])
    if (os.geteuid() if euid is None else euid) == 0:
        return Path("/var/lib") / NAME
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / NAME
