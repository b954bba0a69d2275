"""The `/build` query: a typed allow-list of parameters, and the one place that says what a build is
forced to (labels, network, memory and CPU of each step, shm size, cgroup parent, removal of its
containers). The query sent to the engine is written from this model only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sandbox.labels import PREFIX as RESERVED_LABELS  # the labels' one home

from ..errors import Denied, Malformed
from .rules import rule

EMPTY_JSON = ("", "null", "[]", "{}")
# The one answer to every BuildKit request (`/session`, `/grpc`, `version=2`, `docker buildx build`).
BUILDKIT_REFUSED = (
    "BuildKit is not available in the sandbox (its gRPC session cannot be policed); use the classic "
    "builder: DOCKER_BUILDKIT=0 docker build ... (the default here), DOCKER_BUILDKIT=0 docker compose build"
)
BUILDKIT_IMAGE = "moby/buildkit"  # what `docker buildx` pulls to start a BuildKit container


def _bool(value: str) -> bool:
    """The engine's httputils.BoolValue: "", 0, no, false, none are false; anything else true."""
    return value.strip().lower() not in {"", "0", "no", "false", "none"}


def _int(name: str, value: str) -> int:
    if value == "":
        return 0
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", value):
        raise Malformed(f"query parameter {name}", f"expected an integer, got {value[:40]!r}")
    return int(value)


def _text(name: str, value: str) -> str:
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise Malformed(f"query parameter {name}", "control characters are not allowed")
    return value


def _strings(name: str, value: str) -> dict[str, str | None]:
    """A JSON object of string -> string (or null), duplicate keys refused."""
    if value in EMPTY_JSON:
        return {}

    def pairs(items: list) -> dict:
        out: dict = {}
        for k, v in items:
            if k in out:
                raise Malformed(f"query parameter {name}", f"key {k!r} given more than once")
            out[k] = v
        return out

    try:
        data = json.loads(value, object_pairs_hook=pairs)
    except ValueError as exc:
        raise Malformed(f"query parameter {name}", f"not valid JSON ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
        raise Malformed(f"query parameter {name}", "expected a JSON object of strings")
    return data


def _empty_list(name: str, value: str, reason: str) -> None:
    if value.strip() not in EMPTY_JSON:
        raise Denied(reason)


@dataclass
class BuildQuery:
    """What a learner may ask of a build."""

    tags: list[str] = field(default_factory=list)
    dockerfile: str = ""
    buildargs: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    target: str = ""
    quiet: bool = False
    nocache: bool = False
    shmsize: int = 0
    cpushares: int = 0
    networkmode: str = ""

    def forward(self, labels: dict[str, str], network: str, limits: object, cgroup_parent: str) -> list:
        """The query the engine receives: the learner's choices that are allowed, and what is forced."""
        most = limits.shm_size  # type: ignore[attr-defined] - sandbox.limits.Limits (config.yaml)
        shm = min(self.shmsize or most, most)
        query: list[tuple[str, str]] = [("t", t) for t in self.tags]
        query += [
            ("dockerfile", self.dockerfile),
            ("buildargs", json.dumps(self.buildargs)),
            ("labels", json.dumps({**self.labels, **labels})),
            ("q", "0"),  # a quiet build's output is cut by the gateway (build.py), which watches each step
            ("nocache", "1" if self.nocache else "0"),
            ("rm", "1"),
            ("forcerm", "1"),
            ("networkmode", "none" if self.networkmode == "none" else network),
            ("shmsize", str(shm)),
            *limits.build_params().items(),  # type: ignore[attr-defined]
        ]
        shares = getattr(limits, "cpu_shares", 0)
        if self.cpushares > 0 and shares:
            query.append(("cpushares", str(min(self.cpushares, shares))))
        if self.target:
            query.append(("target", self.target))
        if cgroup_parent:
            query.append(("cgroupparent", cgroup_parent))
        return query


@rule("build.query")
def parse(query: list[tuple[str, str]]) -> BuildQuery:
    """The typed build query; Malformed (400) naming an unknown or bad parameter, Denied for what the
    sandbox does not offer."""
    out = BuildQuery()
    seen: set[str] = set()
    for name, value in query:
        if name in seen and name != "t":
            raise Malformed(f"query parameter {name}", "given more than once")
        seen.add(name)
        handler = _PARAMS.get(name)
        if handler is None:
            raise Malformed(
                f"query parameter {name}",
                f"not accepted by POST /build (accepted: {', '.join(sorted(_PARAMS))})",
            )
        handler(out, name, value)
    return out


def _tag(q: BuildQuery, name: str, value: str) -> None:
    if value:
        q.tags.append(_text(name, value))


def _dockerfile(q: BuildQuery, name: str, value: str) -> None:
    q.dockerfile = _text(name, value)


def _buildargs(q: BuildQuery, name: str, value: str) -> None:
    for key, val in _strings(name, value).items():
        if val is None:
            raise Denied(f"--build-arg {key} has no value; give it one (--build-arg {key}=...)")
        q.buildargs[key] = val


def _labels(q: BuildQuery, name: str, value: str) -> None:
    for key, val in _strings(name, value).items():
        if key.lower().startswith(RESERVED_LABELS):
            raise Denied(f"labels {RESERVED_LABELS}* are reserved for the sandbox ({key})")
        q.labels[key] = val or ""


def _target(q: BuildQuery, name: str, value: str) -> None:
    q.target = _text(name, value)


def _flag(attr: str):
    def set_flag(q: BuildQuery, name: str, value: str) -> None:
        setattr(q, attr, _bool(value))

    return set_flag


def _ignored_bool(q: BuildQuery, name: str, value: str) -> None:
    """rm/forcerm are forced on; pull is the gateway's (base images come from the mirror)."""
    _bool(value)


def _ignored_int(q: BuildQuery, name: str, value: str) -> None:
    """Forced from the session's limits (memory, memswap, cpuperiod, cpuquota)."""
    _int(name, value)


def _shm(q: BuildQuery, name: str, value: str) -> None:
    q.shmsize = max(_int(name, value), 0)


def _shares(q: BuildQuery, name: str, value: str) -> None:
    q.cpushares = max(_int(name, value), 0)


def _network(q: BuildQuery, name: str, value: str) -> None:
    if value not in ("", "default", "bridge", "none"):
        raise Denied(f"--network {value} is not available for builds; build steps use the sandbox's network")
    q.networkmode = value


def _must_be_empty(reason: str):
    def check(q: BuildQuery, name: str, value: str) -> None:
        if value.strip():
            raise Denied(reason)

    return check


def _json_empty(reason: str):
    def check(q: BuildQuery, name: str, value: str) -> None:
        _empty_list(name, value, reason)

    return check


def _version(q: BuildQuery, name: str, value: str) -> None:
    if value not in ("", "1"):
        raise Denied(BUILDKIT_REFUSED)


def _platform(q: BuildQuery, name: str, value: str) -> None:
    if value.lower() not in ("", "linux", "linux/amd64", "linux/x86_64"):
        raise Denied(f"--platform {value} is not available; the sandbox builds for linux/amd64")


def _squash(q: BuildQuery, name: str, value: str) -> None:
    if _bool(value):
        raise Denied("--squash is not available")


def _isolation(q: BuildQuery, name: str, value: str) -> None:
    if value not in ("", "default"):
        raise Denied("--isolation is not allowed")


_PARAMS = {
    "t": _tag,
    "dockerfile": _dockerfile,
    "buildargs": _buildargs,
    "labels": _labels,
    "target": _target,
    "q": _flag("quiet"),
    "nocache": _flag("nocache"),
    "rm": _ignored_bool,
    "forcerm": _ignored_bool,
    "pull": _ignored_bool,
    "memory": _ignored_int,
    "memswap": _ignored_int,
    "cpuperiod": _ignored_int,
    "cpuquota": _ignored_int,
    "cpushares": _shares,
    "shmsize": _shm,
    "networkmode": _network,
    "cpusetcpus": _must_be_empty("--cpuset-cpus is not available"),
    "cpusetmems": _must_be_empty("--cpuset-mems is not available"),
    "cgroupparent": _must_be_empty("--cgroup-parent is not allowed"),
    "remote": _must_be_empty("building from a URL is not available; send a local context"),
    "session": _must_be_empty(BUILDKIT_REFUSED),
    "isolation": _isolation,
    "extrahosts": _must_be_empty("--add-host is not available for builds"),
    "securityopt": _must_be_empty("--security-opt is not available for builds"),
    "ulimits": _json_empty("--ulimit is not allowed"),
    "cachefrom": _json_empty("--cache-from is not available: each sandbox has its own build cache"),
    "outputs": _json_empty("--output needs BuildKit, which is not available"),
    "squash": _squash,
    "platform": _platform,
    "version": _version,
    "buildid": _must_be_empty("BuildKit build ids are not available"),
}
