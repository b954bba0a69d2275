"""The sandbox policy of the Docker API gateway, in one declarative module.

`ROUTES` lists every Engine API endpoint a sandbox may call (anything else is denied); each names the
handler that applies the ownership rules. The pure checks below (`check_container_create`, ...) decide
what a request may ask for and rewrite it to the session's budget. docs/sandbox-policy.md explains it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Re-exported (policy.LABEL_*, policy.Budget); their one home is sandbox/labels.py, sandbox/limits.py.
from sandbox.labels import DEFAULT_NETWORK as LABEL_DEFAULT  # noqa: F401
from sandbox.labels import INSTANCE as LABEL_INSTANCE  # noqa: F401
from sandbox.labels import MANAGED as LABEL_MANAGED  # noqa: F401
from sandbox.labels import ORIGIN as LABEL_ORIGIN  # noqa: F401
from sandbox.labels import SESSION as LABEL_SESSION  # noqa: F401
from sandbox.limits import Budget  # noqa: F401

from ..errors import PREFIX, Denied, HttpError, NotFound  # noqa: F401 - re-exported: policy.Denied, policy.NotFound

MIN_API_VERSION = (1, 30)

CAP_ALLOWLIST = frozenset(
    {
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "SETGID",
        "SETUID",
        "SETPCAP",
        "NET_BIND_SERVICE",
        "NET_RAW",
        "SYS_CHROOT",
        "MKNOD",
        "AUDIT_WRITE",
        "SETFCAP",
    }
)
LOG_DRIVERS = {"", "json-file", "local", "none"}
DEFAULT_LOG = {"Type": "json-file", "Config": {"max-size": "1m", "max-file": "2"}}


@dataclass(frozen=True)
class Route:
    """An allowed endpoint: HTTP methods, a path pattern, and the handler that enforces ownership."""

    methods: str
    pattern: str
    handler: str
    big_body: bool = False  # build contexts and archives may exceed the JSON body limit
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {"c": "container", "i": "image", "n": "network", "v": "volume", "e": "exec"}
        rx = re.sub(
            r"\{(\w)\}",
            lambda m: f"(?P<{names[m.group(1)]}>{'.+' if m.group(1) == 'i' else '[^/]+'})",
            self.pattern,
        )
        object.__setattr__(self, "regex", re.compile(f"^{rx}$"))


ROUTES: tuple[Route, ...] = (
    Route("GET HEAD", "/_ping", "passthrough"),
    Route("GET", "/version", "passthrough"),
    Route("GET", "/info", "info"),
    Route("GET", "/events", "events"),
    Route("GET", "/system/df", "system_df"),
    Route("GET", "/containers/json", "containers_list"),
    Route("POST", "/containers/create", "container_create"),
    Route("POST", "/containers/prune", "prune"),
    Route("GET", "/containers/{c}/(json|top|logs|changes|export|stats)", "container"),
    Route("POST", "/containers/{c}/(stop|restart|kill|pause|unpause|wait|resize|rename)", "container"),
    Route("POST", "/containers/{c}/start", "container_start"),
    Route("POST", "/containers/{c}/attach", "container_attach"),
    Route("GET HEAD", "/containers/{c}/archive", "container"),
    Route("PUT", "/containers/{c}/archive", "container", big_body=True),
    Route("DELETE", "/containers/{c}", "container_delete"),
    Route("POST", "/containers/{c}/exec", "exec_create"),
    Route("POST", "/exec/{e}/start", "exec_start"),
    Route("POST", "/exec/{e}/resize", "exec"),
    Route("GET", "/exec/{e}/json", "exec"),
    Route("GET", "/images/json", "images_list"),
    Route("POST", "/images/create", "image_pull"),
    Route("POST", "/build", "image_build", big_body=True),
    Route("POST", "/build/prune", "build_prune"),
    Route("POST", "/images/prune", "prune"),
    Route("POST", "/commit", "image_commit"),
    Route("GET", "/images/get", "image_save"),
    Route("GET", "/images/{i}/(json|history|get)", "image"),
    Route("POST", "/images/{i}/tag", "image_tag"),
    Route("POST", "/images/{i}/push", "image_push"),
    Route("DELETE", "/images/{i}", "image_delete"),
    Route("GET", "/networks", "networks_list"),
    Route("POST", "/networks/create", "network_create"),
    Route("POST", "/networks/prune", "prune"),
    Route("POST", "/networks/{n}/(connect|disconnect)", "network_connect"),
    Route("GET", "/networks/{n}", "network"),
    Route("DELETE", "/networks/{n}", "network_delete"),
    Route("GET", "/volumes", "volumes_list"),
    Route("POST", "/volumes/create", "volume_create"),
    Route("POST", "/volumes/prune", "prune"),
    Route("GET", "/volumes/{v}", "volume"),
    Route("DELETE", "/volumes/{v}", "volume_delete"),
)
EXPLAINED = {  # endpoints people try that have a specific reason
    "/containers/{c}/update": "docker update is not available: the sandbox fixes every container's limits",
    "/images/load": "docker load is not available: images come from the mirror, builds and commits",
    "/images/search": "docker search is not available: there is no Docker Hub here, only the local mirror",
    "/auth": "docker login is not needed: your own registry at localhost:<port> accepts pushes as is",
    "/session": "BuildKit sessions are not available; the classic builder is used",
    "/swarm": "swarm mode is not available in the sandbox",
}


SWARM_OBJECTS = re.compile(r"^/(plugins|nodes|services|tasks|secrets|configs)/(?P<name>[^/]+)(/json)?$")


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route allowing `method path`, with its named groups; Denied when none does."""
    for route in ROUTES:
        m = route.regex.match(path)
        if m and method in route.methods.split():
            return route, {k: v for k, v in m.groupdict().items() if v is not None}
    m = SWARM_OBJECTS.match(path)
    if m and method == "GET":  # `docker inspect X` probes every kind of object: answer "no such object"
        raise NotFound(f"No such object: {m.group('name')}")
    for pattern, reason in EXPLAINED.items():
        rx = "^" + re.sub(r"\{\w\}", "[^/]+", pattern) + "(/.*)?$"
        if re.match(rx, path):
            raise Denied(reason)
    raise Denied(f"{method} {path} is not available in the sandbox")


def check_version(version: str) -> None:
    """Refuse API versions older than MIN_API_VERSION (they accept host config at start)."""
    if version:
        major, _, minor = version.partition(".")
        if not (major.isdigit() and minor.isdigit()):
            raise HttpError(400, f"the API version in the request path (v{version}) is malformed")
        if (int(major), int(minor)) < MIN_API_VERSION:
            raise Denied(f"API version {version} is too old; use 1.30 or newer")


@dataclass
class CreateRefs:
    """Names a container create refers to, which the handler must check for ownership."""

    volumes: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    ports: list[tuple[str, str]] = field(default_factory=list)  # (container port "80/tcp", asked host port)


def _host_mode(value: str | None, what: str, refs: CreateRefs) -> None:
    if not value or value in {"private", "shareable", "none", "default", "bridge"}:
        return
    if value == "host":
        raise Denied(f"--{what} host is not allowed (it shares the host's {what} namespace)")
    if value.startswith("container:"):
        refs.containers.append(value.split(":", 1)[1])
        return
    if what != "network":
        raise Denied(f"--{what} {value} is not allowed")


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


def check_container_create(
    body: dict, budget: Budget, runtime: str, caps: frozenset = CAP_ALLOWLIST
) -> CreateRefs:
    """Check and rewrite a container-create body in place; return what it refers to."""
    hc = body.get("HostConfig") or {}
    body["HostConfig"] = hc
    refs = CreateRefs()
    if hc.get("Privileged"):
        raise Denied("privileged containers are not allowed")
    _host_mode(hc.get("PidMode"), "pid", refs)
    _host_mode(hc.get("IpcMode"), "ipc", refs)
    _host_mode(hc.get("UTSMode"), "uts", refs)
    _host_mode(hc.get("NetworkMode"), "network", refs)
    if hc.get("UsernsMode"):
        raise Denied(f"--userns {hc['UsernsMode']} is not allowed")
    if hc.get("CgroupnsMode") == "host":
        raise Denied("--cgroupns host is not allowed")
    if hc.get("CgroupParent") or hc.get("Cgroup"):
        raise Denied("--cgroup-parent is not allowed")
    if hc.get("Devices") or hc.get("DeviceRequests") or hc.get("DeviceCgroupRules"):
        raise Denied("devices are not allowed in the sandbox")
    bad_caps = sorted({c.upper().removeprefix("CAP_") for c in hc.get("CapAdd") or []} - caps - {"ALL"})
    if "ALL" in {c.upper() for c in hc.get("CapAdd") or []} or bad_caps:
        raise Denied(
            f"--cap-add {(bad_caps or ['ALL'])[0]} is not allowed (allowed: {', '.join(sorted(caps))})"
        )
    check_security_opts(hc.get("SecurityOpt") or [])
    if hc.get("MaskedPaths") is not None or hc.get("ReadonlyPaths") is not None:
        raise Denied("changing masked or read-only /proc paths is not allowed")
    if hc.get("Sysctls"):
        raise Denied(f"--sysctl {next(iter(hc['Sysctls']))} is not allowed")
    if hc.get("Runtime") and hc["Runtime"] != runtime:
        raise Denied(f"--runtime {hc['Runtime']} is not allowed; containers here run with {runtime}")
    hc["Runtime"] = runtime
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
    hc["LogConfig"] = DEFAULT_LOG
    _check_mounts(hc, refs)
    # Resources: forced to the session's budget (a smaller request is kept).
    mem = hc.get("Memory") or 0
    hc["Memory"] = min(mem, budget.memory) if mem > 0 else budget.memory
    hc["MemorySwap"] = hc["Memory"]
    hc["MemoryReservation"] = min(hc.get("MemoryReservation") or 0, hc["Memory"])
    cpus = hc.get("NanoCpus") or 0
    hc["NanoCpus"] = min(cpus, budget.nano_cpus) if cpus > 0 else budget.nano_cpus
    hc["CpuQuota"], hc["CpuPeriod"] = 0, 0
    pids = hc.get("PidsLimit") or 0
    hc["PidsLimit"] = min(pids, budget.pids) if pids > 0 else budget.pids
    for key, bindings in (hc.get("PortBindings") or {}).items():
        for b in bindings or [{}]:
            refs.ports.append((key, (b or {}).get("HostPort") or ""))
    for key in (body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}:
        refs.networks.append(key)
    for link in hc.get("Links") or []:
        refs.containers.append(link.split(":")[0].lstrip("/"))
    for vf in hc.get("VolumesFrom") or []:
        refs.containers.append(vf.split(":")[0])
    return refs


def _check_mounts(hc: dict, refs: CreateRefs) -> None:
    for bind in hc.get("Binds") or []:
        source = bind.split(":")[0]
        if source.startswith("/") or source.startswith(".") or "/" in source:
            raise Denied(f"bind mounts of host paths are not allowed ({source}); use a named volume")
        refs.volumes.append(source)
    for mount in hc.get("Mounts") or []:
        kind = mount.get("Type", "volume")
        if kind == "bind" or kind == "npipe":
            raise Denied(
                f"bind mounts of host paths are not allowed ({mount.get('Source')}); use a named volume"
            )
        if kind == "volume":
            opts = mount.get("VolumeOptions") or {}
            if (opts.get("DriverConfig") or {}).get("Name") or (opts.get("DriverConfig") or {}).get(
                "Options"
            ):
                raise Denied("volume driver options are not allowed")
            if mount.get("Source"):
                refs.volumes.append(mount["Source"])
        elif kind != "tmpfs":
            raise Denied(f"mounts of type {kind} are not allowed")


def check_volume_create(body: dict) -> None:
    """Volumes: the local driver without options (options can bind a host path)."""
    if body.get("Driver") not in (None, "", "local"):
        raise Denied(f"volume driver {body['Driver']} is not allowed")
    if body.get("DriverOpts"):
        raise Denied("volume driver options are not allowed (they can mount host paths)")


def check_network_create(body: dict, internal: bool) -> None:
    """Networks: plain bridge networks without driver options."""
    if body.get("Driver") not in (None, "", "bridge"):
        raise Denied(f"network driver {body['Driver']} is not allowed; use bridge")
    if body.get("Options"):
        raise Denied("network driver options are not allowed")
    if (
        body.get("Ingress")
        or body.get("ConfigFrom")
        or body.get("ConfigOnly")
        or body.get("Scope") == "swarm"
    ):
        raise Denied("swarm networks are not available")
    if (body.get("IPAM") or {}).get("Driver") not in (None, "", "default"):
        raise Denied("IPAM drivers are not allowed")
    if (body.get("IPAM") or {}).get("Config"):
        raise Denied("--subnet, --ip-range and --gateway are not available; each network gets its own range")
    body["Driver"] = "bridge"
    body["CheckDuplicate"] = True
    if internal:
        body["Internal"] = True


BUILD_DENIED_PARAMS = {
    "remote": "building from a URL is not available; send a local context",
    "cgroupparent": "--cgroup-parent is not allowed",
    "isolation": "--isolation is not allowed",
    "session": "BuildKit sessions are not available",
}
BUILD_FORCED = (
    "networkmode",
    "memory",
    "memswap",
    "cpuquota",
    "cpuperiod",
    "cpusetcpus",
    "shmsize",
    "ulimits",
)


def check_exec_create(body: dict) -> None:
    """Exec: no privileged processes."""
    if body.get("Privileged"):
        raise Denied("privileged exec is not allowed")
