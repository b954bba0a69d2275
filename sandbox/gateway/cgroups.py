"""One cgroup per session holding the session's TOTAL memory, CPU and pids.

Every container a session causes (its sandbox, `docker run`, Compose, build steps) is created with
`CgroupParent=/atlas/<session>`; Docker's cgroupfs driver then puts the container's own cgroup below
ours, and the kernel enforces our limits on the sum (memory and pids are hierarchical; a CFS quota on a
parent caps its children together). Two sessions are siblings with equal CPU weight, so one session's
`--cpu-shares 262144` only competes with its own containers.

The learner's own sandbox sits directly in the session's cgroup; everything it runs goes one level
down, in `/atlas/<sid>/run`, whose memory and pids limits leave the sandbox its own share (its own
container limits): a fork bomb or a memory hog in the learner's containers cannot take the last pids or
memory from the learner's shell, so `docker rm -f` still works.

cgroup v1 (this machine: /sys/fs/cgroup/{memory,cpu,pids}/atlas/<sid>): memory.limit_in_bytes and
memory.memsw.limit_in_bytes (when swap accounting exists), cpu.cfs_quota_us/cfs_period_us, pids.max.
cgroup v2 (unified, /sys/fs/cgroup/atlas/<sid>): memory.max, memory.swap.max=0, cpu.max, pids.max, with
the controllers enabled in each parent's cgroup.subtree_control. `probe()` says at start-up whether this
host can do either, so a gateway that cannot says so loudly instead of running without totals.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(os.environ.get("ATLAS_CGROUP_ROOT", "/sys/fs/cgroup"))
PARENT = "atlas"
V1_CONTROLLERS = ("memory", "cpu", "pids")
PERIOD_US = 100_000
RUN = "run"  # the child cgroup of the containers a session runs (not its sandbox)
MIN_RUN_PIDS = 16
MIN_RUN_MEMORY = 32 * 1024 * 1024


class CgroupError(RuntimeError):
    """The session cgroup cannot be made (no cgroup file system, not root, controller missing)."""


def version(root: Path = ROOT) -> int:
    """2 on a unified (v2) hierarchy, 1 on v1/hybrid with the memory, cpu and pids controllers, else 0."""
    if (root / "cgroup.controllers").is_file():
        return 2
    if all((root / c).is_dir() for c in V1_CONTROLLERS):
        return 1
    return 0


def probe(root: Path = ROOT) -> str:
    """'' when session cgroups can be created here, else the reason (for one loud start-up error)."""
    v = version(root)
    if v == 0:
        return f"no cgroup v1 memory/cpu/pids controllers and no cgroup v2 hierarchy under {root}"
    try:
        for base in _bases(root, v):
            _mkdir(base)
            if not os.access(base, os.W_OK):
                return f"{base} is not writable (the gateway must run as root)"
        if v == 2:
            _enable_v2(root, root / PARENT)
    except (OSError, CgroupError) as exc:
        return f"cannot create {PARENT}/ cgroups under {root}: {exc}"
    return ""


def _bases(root: Path, v: int) -> list[Path]:
    return [root / PARENT] if v == 2 else [root / c / PARENT for c in V1_CONTROLLERS]


def _mkdir(path: Path) -> None:
    with contextlib.suppress(FileExistsError):
        path.mkdir()


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError as exc:
        raise CgroupError(f"write {value!r} to {path}: {exc.strerror or exc}") from None


def _enable_v2(root: Path, parent: Path) -> None:
    """Enable memory, cpu and pids for the children of every level from `root` down to `parent`."""
    wanted = {"memory", "cpu", "pids"}
    have = set((root / "cgroup.controllers").read_text().split())
    if not wanted <= have:
        raise CgroupError(f"cgroup v2 controllers {sorted(wanted - have)} are not available in {root}")
    level = root
    for part in [None, *parent.relative_to(root).parts]:
        if part is not None:
            level = level / part
            _mkdir(level)
        enabled = set((level / "cgroup.subtree_control").read_text().split())
        if not wanted <= enabled:
            _write(level / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(wanted - enabled)))


@dataclass
class SessionCgroup:
    """The cgroup of one session: create with limits, read usage, remove."""

    session_id: str
    memory: int
    cpus: float
    pids: int
    reserve_pids: int = 0  # of `pids`, kept for the sandbox itself (its own pids limit)
    reserve_memory: int = 0  # of `memory`, kept for the sandbox itself (its own memory limit)
    root: Path = ROOT

    @property
    def parent(self) -> str:
        """HostConfig.CgroupParent of the session's sandbox (the path Docker's cgroupfs driver expects)."""
        return f"/{PARENT}/{self.session_id}"

    @property
    def run_parent(self) -> str:
        """HostConfig.CgroupParent of every container and build step the session runs."""
        return f"{self.parent}/{RUN}"

    def dirs(self) -> list[Path]:
        """The session's directories (one per v1 controller, one on v2)."""
        v = version(self.root)
        return [b / self.session_id for b in _bases(self.root, v)] if v else []

    def create(self) -> str:
        """Create the cgroup with the session's limits; return `parent`. CgroupError when impossible."""
        v = version(self.root)
        if v == 0:
            raise CgroupError(probe(self.root))
        quota = max(1000, int(self.cpus * PERIOD_US))
        run_pids = str(max(MIN_RUN_PIDS, self.pids - self.reserve_pids))
        run_memory = str(max(MIN_RUN_MEMORY, self.memory - self.reserve_memory))
        if v == 2:
            path = self.root / PARENT / self.session_id
            _enable_v2(self.root, path)
            _write(path / "memory.max", str(self.memory))
            with contextlib.suppress(CgroupError):  # no swap controller: nothing to limit
                _write(path / "memory.swap.max", "0")
            _write(path / "cpu.max", f"{quota} {PERIOD_US}")
            _write(path / "pids.max", str(self.pids))
            _enable_v2(self.root, path / RUN)
            _write(path / RUN / "pids.max", run_pids)
            _write(path / RUN / "memory.max", run_memory)
            return self.parent
        mem, cpu, pids = (self.root / c / PARENT / self.session_id for c in V1_CONTROLLERS)
        for d in (mem, cpu, pids):
            d.parent.mkdir(exist_ok=True)
            _mkdir(d)
            _mkdir(d / RUN)
        _memory_v1(mem, self.memory)
        _write(cpu / "cpu.cfs_period_us", str(PERIOD_US))
        _write(cpu / "cpu.cfs_quota_us", str(quota))
        _write(pids / "pids.max", str(self.pids))
        _write(pids / RUN / "pids.max", run_pids)
        _memory_v1(mem / RUN, int(run_memory))
        return self.parent

    def usage(self) -> dict[str, int]:
        """Current memory, peak memory, and pids of the whole session (0 for what this host lacks)."""
        v = version(self.root)
        out = {"memory": 0, "memory_peak": 0, "pids": 0, "pids_peak": 0}
        if v == 2:
            path = self.root / PARENT / self.session_id
            files = {"memory": "memory.current", "memory_peak": "memory.peak", "pids": "pids.current"}
            files["pids_peak"] = "pids.peak"
        elif v == 1:
            mem, pids = self.root / "memory" / PARENT / self.session_id, self.root / "pids" / PARENT
            pids = pids / self.session_id
            files = {
                "memory": str(mem / "memory.usage_in_bytes"),
                "memory_peak": str(mem / "memory.max_usage_in_bytes"),
                "pids": str(pids / "pids.current"),
                "pids_peak": str(pids / "pids.peak"),
            }
            path = Path("/")
        else:
            return out
        for key, name in files.items():
            with contextlib.suppress(OSError, ValueError):
                out[key] = int((path / name).read_text().split()[0])
        return out

    def container_ids(self) -> list[str]:
        """Ids of the containers running in the session's cgroup (Docker names their cgroups so)."""
        dirs = self.dirs()
        if not dirs or not dirs[0].is_dir():
            return []
        found = [p for d in (dirs[0], dirs[0] / RUN) if d.is_dir() for p in d.iterdir()]
        return [p.name for p in found if p.is_dir() and len(p.name) == 64]

    def remove(self, wait: float = 5.0) -> list[str]:
        """Remove the session's cgroup directories (children first); returns those still busy."""
        left: list[str] = []
        for d in self.dirs():
            if not d.is_dir():
                continue
            subdirs = sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
            for path in [*subdirs, d]:
                if not _rmdir(path, wait):
                    left.append(str(path))
        return left


def _memory_v1(path: Path, limit: int) -> None:
    """memory and memory+swap limits (no swap) of a v1 cgroup; memsw may never be below memory, so the
    order depends on whether the cgroup (e.g. left by a crash) had higher or lower limits."""
    names = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
    names = [n for n in names if (path / n).exists()]
    try:
        for name in names:
            _write(path / name, str(limit))
    except CgroupError:
        for name in reversed(names):
            _write(path / name, str(limit))


def _rmdir(path: Path, wait: float) -> bool:
    """rmdir a cgroup, retrying while its last processes exit (EBUSY); True when gone."""
    deadline = time.monotonic() + wait
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return False
            time.sleep(0.1)
