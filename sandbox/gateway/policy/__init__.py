"""The sandbox policy of the Docker API gateway: every refusal the gateway can give is decided here.

`ROUTES` lists every Engine API endpoint a sandbox may call (anything else is denied); each names the
handler that applies the ownership rules. Each request body has a typed model and its rules in its own
module (container_create, networks, volumes, exec, commit; query strings in query.py, all decoded by
jsondecode + schema); the rules about what a session owns and sends are in budget, names, ports,
containers, images, buildcontext, buildquery and dockerfile. Each rule is a function registered with
`@rule("id")` in `RULES` (rules.py); the proxy and handler modules only ask them, passing the facts they
looked up in the engine. docs/sandbox-policy.md lists every rule id and is checked against `RULES`.
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

from ..errors import PREFIX, Denied, HttpError, NoSuchObject  # noqa: F401 - re-exported: policy.Denied
from .buildquery import BUILDKIT_REFUSED
from .rules import rule

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
# Runtimes a learner may choose instead of the configured one (`--runtime`, Compose `runtime:`), because
# they sandbox MORE: gVisor's runsc runs the container on its own user-space kernel. Every other rule
# (budget, cgroup parent, capabilities, userns-remap, network) applies to them unchanged.
STRONGER_RUNTIMES = frozenset({"runsc"})


@dataclass(frozen=True)
class Route:
    """An allowed endpoint: HTTP methods, a path pattern, and the handler that enforces ownership."""

    methods: str
    pattern: str
    handler: str
    big_body: bool = False  # build contexts and archives may exceed the JSON body limit
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kinds = {"c": "container", "i": "image", "n": "network", "v": "volume", "e": "exec"}
        rx = re.sub(
            r"\{(\w)\}",
            lambda m: f"(?P<{kinds[m.group(1)]}>{'.+' if m.group(1) == 'i' else '[^/]+'})",
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
    "/session": BUILDKIT_REFUSED,
    "/grpc": BUILDKIT_REFUSED,
    "/swarm": "swarm mode is not available in the sandbox",
}


SWARM_OBJECTS = re.compile(r"^/(plugins|nodes|services|tasks|secrets|configs)/(?P<name>.+?)(/json)?$")
# The engine's routes take any name, slashes included: `docker inspect prom/prometheus` asks for the
# container `prom/prometheus` first and falls back to the image on a 404. A lookup (GET, HEAD) of a name
# with a slash, which no `[^/]+` of ROUTES matches and no container, network, volume or exec can have,
# gets the engine's own 404 (never a refusal, which would stop the CLI's fallback).
LOOKUPS = (
    (
        re.compile(r"^/containers/(?P<name>.+)/(json|top|logs|changes|export|stats|archive)$"),
        "No such container: {}",
    ),
    (re.compile(r"^/networks/(?P<name>.+)$"), "network {} not found"),
    (re.compile(r"^/volumes/(?P<name>.+)$"), "get {}: no such volume"),
    (re.compile(r"^/exec/(?P<name>.+)/json$"), "No such exec instance: {}"),
)


@rule("api.endpoints")
def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route allowing `method path`, with its named groups; Denied when none does."""
    for route in ROUTES:
        m = route.regex.match(path)
        if m and method in route.methods.split():
            return route, {k: v for k, v in m.groupdict().items() if v is not None}
    m = SWARM_OBJECTS.match(path)
    if m and method == "GET":  # `docker inspect X` probes every kind of object: answer "no such object"
        raise NoSuchObject(f"No such object: {m.group('name')}")
    for rx, missing in LOOKUPS if method in ("GET", "HEAD") else ():
        m = rx.match(path)
        if m:
            raise NoSuchObject(missing.format(m.group("name")))
    for pattern, reason in EXPLAINED.items():
        rx = "^" + re.sub(r"\{\w\}", "[^/]+", pattern) + "(/.*)?$"
        if re.match(rx, path):
            raise Denied(reason)
    raise Denied(f"{method} {path} is not available in the sandbox")


def check_before_body(method: str, path: str, params: list[tuple[str, str]]) -> None:
    """The rules decided from the request line alone, asked before the body is read: `docker import`
    (POST /images/create?fromSrc=-, its body an archive of any size) gets the policy's refusal instead
    of a body-size error."""
    if method == "POST" and path == "/images/create":
        images.check_not_import(dict(params).get("fromSrc", ""))


@rule("api.version")
def check_version(version: str) -> None:
    """Refuse API versions older than MIN_API_VERSION (they accept host config at start)."""
    if version:
        major, _, minor = version.partition(".")
        if not (major.isdigit() and minor.isdigit()):
            raise HttpError(400, f"the API version in the request path (v{version}) is malformed")
        if (int(major), int(minor)) < MIN_API_VERSION:
            raise Denied(f"API version {version} is too old; use 1.30 or newer")


# The rules of each request body live in their own modules (re-exported here for callers and tests).
# Every module holding rules, so that RULES (policy.rules) lists them all once the package is imported.
from . import budget, buildcontext, commit, containers, dockerfile, images, names, ports, query  # noqa: E402, F401
from .container_create import CreateRefs, check_container_create, check_security_opts  # noqa: E402
from .exec import check_exec_create  # noqa: E402
from .networks import check_network_create  # noqa: E402
from .rules import RULES  # noqa: E402
from .volumes import check_volume_create  # noqa: E402

__all__ = [
    "RULES",
    "CreateRefs",
    "check_container_create",
    "check_exec_create",
    "check_network_create",
    "check_security_opts",
    "check_volume_create",
]
