"""What a learner may use: the types of the `limits:` section of sandbox/config.yaml, and the hardening.

The numbers live in ONE place, the `limits:` section of `sandbox/config.yaml` (read and checked by
`sandbox.config`). This module gives them a type (`Limits`) and holds what is never configurable
(`HARDENING`: every capability dropped, no new privileges, read-only root, no network). The same
`Limits` object is

- the hardening of a learner's own container (`sandbox.containers.create_kwargs`),
- the budget the Docker API gateway enforces on every container a learner starts (`Budget` is this
  class, re-exported by `sandbox.gateway.policy`),
- what each build step is forced to (memory, memory+swap, CPU quota, /dev/shm).

`Limits()` with no arguments is the declared configuration's limits (config.yaml plus the
environment), so a test or tool never writes a number of its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

#: A size in bytes; config.yaml may write Docker's suffixes: 512m, 2g, 64k (binary units).
Size = Annotated[int, "size"]

UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)

#: The least memory a learner's container may get: Docker itself refuses less than 6 MiB; a bash with
#: the docker CLI starts in 8 MiB (measured), a verify check runs next to it, and tutorials run servers.
MIN_MEMORY = 32 * 1024**2
MIN_PIDS = 16  # bash, the docker CLI, a verify check (`timeout sh -c ...`) and a pipe or two

#: Never configurable: how a learner's own container is locked down (see create_kwargs). Read-only.
HARDENING: Mapping[str, Any] = MappingProxyType(
    {
        "cap_drop": ("ALL",),
        "security_opt": ("no-new-privileges",),
        "read_only": True,
        "network_mode": "none",
        "init": False,
    }
)


def parse_size(value: object) -> int:
    """Bytes from an int or a Docker size string (`512m`, `2g`); ValueError with a readable reason."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 512m, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        m = SIZE_RE.match(value)
        if m:
            return int(float(m.group(1)) * UNITS[m.group(2).lower()])
    raise ValueError(f"expected a size such as 512m or a number of bytes, got {value!r}")


def _declared(name: str) -> Any:
    """A field whose default is the declared configuration's value (config.yaml must write it)."""
    return field(default_factory=lambda: getattr(declared_limits(), name), metadata={"declared": True})


@dataclass(frozen=True)
class Limits:
    """The `limits:` section: resources of every learner container, and what one session may own."""

    memory: Size = _declared("memory")  # each container and build step; swap is not allowed
    cpu: float = _declared("cpu")  # cores, each container and build step
    pids: int = _declared("pids")  # processes, each container and build step
    tmpfs: dict[str, str] = _declared("tmpfs")  # the learner container's writable folders: path -> options
    tmpfs_size: Size = _declared("tmpfs_size")  # each tmpfs mount (default and most)
    shm_size: Size = _declared("shm_size")  # /dev/shm of each container (default and most)
    cpu_shares: int = _declared("cpu_shares")  # the most CpuShares (CPU weight) a container gets
    log_max_size: str = _declared("log_max_size")  # json-file log of each container: size of a file
    log_max_files: int = _declared("log_max_files")  # ... and how many files it rotates through
    containers: int = _declared("containers")  # a docker sandbox's containers at once
    images: int = _declared("images")  # ... its images
    volumes: int = _declared("volumes")  # ... its volumes
    networks: int = _declared("networks")  # ... its networks (besides its own)
    image_disk: Size = _declared("image_disk")  # ... disk its images take
    build_context: Size = _declared("build_context")  # largest `docker build` context
    session_memory: Size = _declared("session_memory")  # the whole session (sandbox + all it runs)
    session_cpus: float = _declared("session_cpus")
    session_pids: int = _declared("session_pids")
    session_disk: Size = _declared("session_disk")  # layers + volumes + images of the session

    @property
    def nano_cpus(self) -> int:
        """`cpu` in the engine's unit (billionths of a core)."""
        return int(round(self.cpu * 1_000_000_000))

    def tmpfs_mounts(self) -> dict[str, str]:
        """The learner container's tmpfs mounts, each with `size=tmpfs_size` unless it names a size."""
        out = {}
        for path, options in self.tmpfs.items():
            opts = [o for o in options.split(",") if o.strip()]
            if not any(o.strip().startswith("size=") for o in opts):
                opts.insert(0, f"size={self.tmpfs_size}")
            out[path] = ",".join(opts)
        return out

    def build_params(self) -> dict[str, str]:
        """The `/build` query parameters every build step is forced to (memory, no swap, CPU quota)."""
        period = 100_000
        return {
            "memory": str(self.memory),
            "memswap": str(self.memory),
            "cpuperiod": str(period),
            "cpuquota": str(self.nano_cpus * period // 1_000_000_000),
        }

    def docker_log_config(self) -> dict:
        """The docker-py `log_config` of a learner's container."""
        return {"type": "json-file", "config": self._log_options()}

    def engine_log_config(self) -> dict:
        """The Engine API `HostConfig.LogConfig` of every container a learner starts."""
        return {"Type": "json-file", "Config": self._log_options()}

    def _log_options(self) -> dict[str, str]:
        return {"max-size": self.log_max_size, "max-file": str(self.log_max_files)}


#: The gateway's name for the limits it enforces on a session (one class, one declaration).
Budget = Limits


@functools.cache  # read once per process: the configuration does not change while the service runs
def declared_limits() -> Limits:
    """The limits of the default configuration (sandbox/config.yaml and ATLAS_SANDBOX_* variables)."""
    from sandbox.config import load_config  # config imports this module

    return load_config(None).limits
