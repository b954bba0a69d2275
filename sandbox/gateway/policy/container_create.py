"""POST /containers/create: the body's model (engine_types.CONTAINER_CREATE) and the rules applied to it.

`parse` decodes the learner's bytes into canonical fields (400 on unknown, duplicate or case-variant
keys); `check_container_create` refuses what the sandbox does not allow (403 with the reason), forces
the session's budget and runtime, and returns the names the body refers to (which the handler resolves
in the session's own view). The handler then serialises the checked dict — never the learner's bytes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ..errors import Denied, Malformed
from . import CAP_ALLOWLIST, LOG_DRIVERS, STRONGER_RUNTIMES, Budget
from .engine_types import CONTAINER_CREATE
from .jsondecode import loads
from .labels import check_labels
from .rules import rule
from .schema import decode_body


@dataclass
class CreateRefs:
    """Names a container create refers to, which the handler must check for ownership."""

    volumes: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    ports: list[tuple[str, str]] = field(default_factory=list)  # (container port "80/tcp", asked host port)


def parse(body: bytes) -> dict:
    """The create body as canonical fields (HostConfig always present)."""
    data = decode_body(CONTAINER_CREATE, loads(body))
    data["HostConfig"] = data.get("HostConfig") or {}
    return data


@rule("containers.namespaces")
def host_mode(value: str | None, what: str, refs: CreateRefs) -> None:
    """--pid/--ipc/--uts/--network: never the host's namespace; `container:<name>` is a reference."""
    if not value or value in {"private", "shareable", "none", "default", "bridge"}:
        return
    if value == "host":
        raise Denied(f"--{what} host is not allowed (it shares the host's {what} namespace)")
    if value.startswith("container:") and what != "uts":  # the engine has no UTS container mode
        refs.containers.append(value.split(":", 1)[1])
        return
    if what != "network":
        raise Denied(f"--{what} {value} is not allowed")


@rule("containers.security-opt")
def check_security_opts(opts: list[str]) -> list[str]:
    """Security options may only tighten: no-new-privileges and the default AppArmor profile."""
    for opt in opts:
        key, _, value = opt.replace(":", "=", 1).partition("=")
        if key == "no-new-privileges" and value in {"", "true", "1"}:
            continue
        if key == "apparmor" and value == "docker-default":
            continue
        if key in {"seccomp", "apparmor", "systempaths"} and value == "unconfined":
            raise Denied(f"--security-opt {opt} is not allowed (it removes a protection)")
        if key == "label" and value == "disable":
            raise Denied(f"--security-opt {opt} is not allowed (it removes a protection)")
        raise Denied(f"--security-opt {opt} is not allowed (only no-new-privileges may be added)")
    return opts


@rule("containers.capabilities")
def check_caps(add: list[str], caps: frozenset) -> None:
    """--cap-add: only capabilities of the allow-list (never ALL)."""
    names = {c.upper().removeprefix("CAP_") for c in add}
    bad = sorted(names - caps - {"ALL"})
    if "ALL" in names or bad:
        raise Denied(f"--cap-add {(bad or ['ALL'])[0]} is not allowed (allowed: {', '.join(sorted(caps))})")


@rule("containers.isolation")
def check_isolation(hc: dict, runtime: str) -> None:
    """Namespaces, cgroups, devices, /proc paths, sysctls, runtime, OOM, ulimits, drivers, -P."""
    if hc.get("Privileged"):
        raise Denied("privileged containers are not allowed")
    if hc.get("UsernsMode"):
        raise Denied(f"--userns {hc['UsernsMode']} is not allowed")
    if hc.get("CgroupnsMode") == "host":
        raise Denied("--cgroupns host is not allowed")
    if hc.get("CgroupParent") or hc.get("Cgroup"):
        raise Denied("--cgroup-parent is not allowed")
    if hc.get("Devices") or hc.get("DeviceRequests") or hc.get("DeviceCgroupRules"):
        raise Denied("devices are not allowed in the sandbox")
    if hc.get("MaskedPaths") is not None or hc.get("ReadonlyPaths") is not None:
        raise Denied("changing masked or read-only /proc paths is not allowed")
    if hc.get("Sysctls"):
        raise Denied(f"--sysctl {next(iter(hc['Sysctls']))} is not allowed")
    check_runtime(hc.get("Runtime") or "", runtime)
    if hc.get("OomKillDisable") or (hc.get("OomScoreAdj") or 0) < 0:
        raise Denied("disabling the OOM killer is not allowed")
    if hc.get("Ulimits"):
        raise Denied("--ulimit is not allowed")
    if hc.get("StorageOpt") or hc.get("VolumeDriver"):
        raise Denied("storage and volume driver options are not allowed")
    if hc.get("PublishAllPorts"):
        raise Denied("-P is not available; publish each port with -p HOSTPORT:CONTAINERPORT")
    log = hc.get("LogConfig") or {}
    if log.get("Type", "") not in LOG_DRIVERS:
        raise Denied(f"--log-driver {log['Type']} is not allowed")


def check_runtime(asked: str, runtime: str) -> None:
    """--runtime (part of containers.isolation): empty, the configured runtime, or one of
    STRONGER_RUNTIMES, compared exactly (the engine would run `RUNSC` as an unknown name, not gVisor)."""
    if not asked or asked == runtime or asked in STRONGER_RUNTIMES:
        return
    also = sorted(STRONGER_RUNTIMES - {runtime})
    extra = f" (or {', '.join(also)}, a stronger sandbox, if you ask for it)" if also else ""
    raise Denied(f"--runtime {asked} is not allowed; containers here run with {runtime}{extra}")


@rule("containers.mounts")
def check_mounts(hc: dict, refs: CreateRefs, budget: Budget) -> None:
    """-v and --mount: named volumes and tmpfs only (tmpfs sizes clamped); no host paths."""
    for i, bind in enumerate(hc.get("Binds") or []):
        source = bind.split(":")[0]
        if not source:
            raise Malformed(f"HostConfig.Binds[{i}]", f"invalid volume specification {bind!r}")
        if source.startswith("/") or source.startswith(".") or "/" in source:
            raise Denied(f"bind mounts of host paths are not allowed ({source}); use a named volume")
        refs.volumes.append(source)
    for mount in hc.get("Mounts") or []:
        kind = mount.get("Type") or "volume"
        if kind in {"bind", "npipe"}:
            raise Denied(
                f"bind mounts of host paths are not allowed ({mount.get('Source')}); use a named volume"
            )
        if kind == "volume":
            check_labels((mount.get("VolumeOptions") or {}).get("Labels"), "--mount volume-label")
            if mount.get("Source"):
                refs.volumes.append(mount["Source"])
        elif kind == "tmpfs":
            opts = mount.get("TmpfsOptions") or {}
            size = opts.get("SizeBytes") or 0
            opts["SizeBytes"] = size if 0 < size <= budget.tmpfs_size else budget.tmpfs_size
            mount["TmpfsOptions"] = opts
        else:
            raise Denied(f"mounts of type {kind} are not allowed")


@rule("containers.anonymous-volumes")
def check_anonymous_volumes(body: dict, image_volumes: dict | None, allowed: int) -> None:
    """Anonymous volumes (`-v /path`, `--mount type=volume` without a source, and the image's VOLUMEs
    that no other mount covers): at most `allowed` (limits.volumes) per container, as the engine
    creates one volume for each, outside the session's count of volumes."""
    hc = body.get("HostConfig") or {}
    covered = {posixpath.normpath(b.split(":")[1]) for b in hc.get("Binds") or [] if ":" in b}
    covered |= {posixpath.normpath(t) for t in hc.get("Tmpfs") or {}}
    wanted = {posixpath.normpath(t) for t in [*(body.get("Volumes") or {}), *(image_volumes or {})]}
    for mount in hc.get("Mounts") or []:
        target = posixpath.normpath(mount.get("Target") or "/")
        if (mount.get("Type") or "volume") == "volume" and not mount.get("Source"):
            wanted.add(target)
        else:
            covered.add(target)
    anonymous = wanted - covered
    if len(anonymous) > allowed:
        raise Denied(
            f"at most {allowed} anonymous volumes per container ({len(anonymous)} asked, with the "
            "image's VOLUMEs); mount named volumes instead (-v NAME:/path)"
        )


SIZE = re.compile(r"([0-9]+)([kmg]?)", re.IGNORECASE)


@rule("containers.tmpfs")
def clamp_tmpfs_options(target: str, options: str, limit: int) -> str:
    """`--tmpfs /t:opts`: the options with one `size=` of at most `limit` bytes (added when missing).

    The kernel takes the last `size=` and also accepts `nr_blocks=` and percentages of RAM; the
    sandbox accepts `size=<n>[k|m|g]` only, and sends exactly one."""
    kept, size = [], limit
    for opt in (o.strip() for o in options.split(",")):
        name, _, value = opt.partition("=")
        name = name.strip().lower()
        if name == "nr_blocks":
            raise Denied(f"--tmpfs {target}: nr_blocks is not available; use size=<n>[k|m|g]")
        if name != "size":
            if opt:
                kept.append(opt)
            continue
        m = SIZE.fullmatch(value.strip())
        if not m:
            raise Denied(f"--tmpfs {target}: size={value} is not understood; use size=<n>[k|m|g]")
        asked = int(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " ")
        size = asked if 0 < asked <= limit else limit
    return ",".join([*kept, f"size={size}"])


MIN_HEALTH_INTERVAL = 1_000_000_000  # ns: each health check is an exec the shared engine runs


def clamp_healthcheck(body: dict) -> None:
    """--health-interval (and the 1.44+ start interval) at least 1 s: the engine accepts 1 ms,
    and ten containers checking every millisecond keep the shared engine busy for every session."""
    health = body.get("Healthcheck") or {}
    for key in ("Interval", "StartInterval"):
        if 0 < (health.get(key) or 0) < MIN_HEALTH_INTERVAL:
            health[key] = MIN_HEALTH_INTERVAL


def clamp_resources(hc: dict, budget: Budget, cgroup_parent: str) -> None:
    """Memory, CPU, pids, shm: forced to the session's budget (a smaller request is kept)."""
    mem = hc.get("Memory") or 0
    hc["Memory"] = min(mem, budget.memory) if mem > 0 else budget.memory
    hc["MemorySwap"] = hc["Memory"]
    hc["MemoryReservation"] = max(0, min(hc.get("MemoryReservation") or 0, hc["Memory"]))
    cpus = hc.get("NanoCpus") or 0
    hc["NanoCpus"] = min(cpus, budget.nano_cpus) if cpus > 0 else budget.nano_cpus
    shares = hc.get("CpuShares") or 0
    if shares:
        hc["CpuShares"] = max(2, min(shares, budget.cpu_shares))
    pids = hc.get("PidsLimit") or 0
    hc["PidsLimit"] = min(pids, budget.pids) if pids > 0 else budget.pids
    shm = hc.get("ShmSize") or 0
    hc["ShmSize"] = min(shm, budget.shm_size) if shm > 0 else budget.shm_size
    hc["Tmpfs"] = {
        t: clamp_tmpfs_options(t, o or "", budget.tmpfs_size) for t, o in (hc.get("Tmpfs") or {}).items()
    }
    if not hc["Tmpfs"]:
        del hc["Tmpfs"]
    if cgroup_parent:
        hc["CgroupParent"] = cgroup_parent


@rule("containers.create")
def check_container_create(
    body: dict, budget: Budget, runtime: str, caps: frozenset = CAP_ALLOWLIST, cgroup_parent: str = ""
) -> CreateRefs:
    """Check and rewrite a canonical create body (see `parse`) in place; return what it refers to."""
    hc = body.get("HostConfig") or {}
    body["HostConfig"] = hc
    refs = CreateRefs()
    check_isolation(hc, runtime)
    # Its own cgroup namespace: the container sees its cgroup as "/", not the host's paths (the
    # engine's default on a cgroup v1 host, and for API clients older than 1.41, is the host's).
    hc["CgroupnsMode"] = "private"
    host_mode(hc.get("PidMode"), "pid", refs)
    host_mode(hc.get("IpcMode"), "ipc", refs)
    host_mode(hc.get("UTSMode"), "uts", refs)
    host_mode(hc.get("NetworkMode"), "network", refs)
    check_caps(hc.get("CapAdd") or [], caps)
    check_security_opts(hc.get("SecurityOpt") or [])
    check_labels(body.get("Labels"))
    hc["Runtime"] = hc.get("Runtime") or runtime  # checked by check_isolation
    hc["LogConfig"] = budget.engine_log_config()  # config.yaml limits: log_max_size, log_max_files
    check_mounts(hc, refs, budget)
    clamp_resources(hc, budget, cgroup_parent)
    clamp_healthcheck(body)
    for key, bindings in (hc.get("PortBindings") or {}).items():
        for b in bindings or [{}]:
            refs.ports.append((key, (b or {}).get("HostPort") or ""))
    for key, ep in ((body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}).items():
        refs.networks.append(key)
        for link in (ep or {}).get("Links") or []:
            refs.containers.append(link.split(":")[0].lstrip("/"))
    for link in hc.get("Links") or []:
        refs.containers.append(link.split(":")[0].lstrip("/"))
    for vf in hc.get("VolumesFrom") or []:
        refs.containers.append(vf.split(":")[0])
    return refs
