"""Per-session state of the gateway: labels, what the session owns, published ports; image references."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Malformed
from .policy import LABEL_INSTANCE, LABEL_MANAGED, LABEL_ORIGIN, LABEL_SESSION
from .policy.names import RESERVED, check_reserved_name, reserved  # noqa: F401 - re-exported

SESSION_ID = re.compile(r"^[a-z0-9]{1,40}$")
# Names the learner gives (containers, networks, volumes, image repositories) live in the engine as
# "atlas-<session>.<name>", so two sandboxes can both have a container `web` or an image `mine`; the
# gateway adds the prefix to requests and removes it from every answer.
OWNED_NAME = re.compile(r"(?:^|/)atlas-([a-z0-9]+)\.")
HEX = re.compile(r"[0-9a-f]+")


def id_prefix(ref: str) -> str:
    """The hex ID (prefix) a reference spells (`sha256:` optional), or "" when it is not one."""
    hexpart = ref.removeprefix("sha256:")
    return hexpart if 0 < len(hexpart) <= 64 and HEX.fullmatch(hexpart) else ""


def normalize(ref: str) -> str:
    """The engine's familiar form of an image reference: `httpd` -> `httpd:latest`, no docker.io/library."""
    ref = ref.strip()
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    if ref.startswith("library/") and ref.count("/") == 1:
        ref = ref[len("library/") :]
    if "@" in ref:
        return ref
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last else ref + ":latest"


def split_ref(ref: str) -> tuple[str, str, str]:
    """(registry, repository, tag) of a reference; registry is "" for Docker Hub names."""
    ref = normalize(ref)
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "", ref
    repo, _, tag = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "latest")
    return registry, repo, tag


def looks_like_id(ref: str) -> bool:
    """True for a full or short image/container ID (with or without `sha256:`)."""
    return bool(re.fullmatch(r"(sha256:)?[0-9a-f]{12,64}", ref))


@dataclass
class PortMap:
    """A port the learner published: sandbox-visible port -> the real 127.0.0.1 host port."""

    container: str
    host_port: int
    container_port: str


@dataclass
class Session:
    """Everything the gateway knows about one sandbox session."""

    id: str
    instance: str
    dir: Path
    network: str = ""
    network_id: str = ""
    cgroup_parent: str = ""  # HostConfig.CgroupParent of everything the session runs ("" = none)
    containers: set[str] = field(default_factory=set)  # full IDs known to be ours
    execs: set[str] = field(default_factory=set)
    image_ids: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    ports: dict[int, PortMap] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    conns: set[socket.socket] = field(default_factory=set)
    listeners: list[socket.socket] = field(default_factory=list)
    closed: bool = False
    ctl: socket.socket | None = None
    ack: threading.Condition = field(default_factory=threading.Condition)
    big_slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(2))
    acks: int = 0

    @property
    def labels(self) -> dict[str, str]:
        """The labels every object of this session carries."""
        labels = {LABEL_MANAGED: "true", LABEL_SESSION: self.id, LABEL_ORIGIN: "gateway"}
        if self.instance:
            labels[LABEL_INSTANCE] = self.instance
        return labels

    @property
    def prefix(self) -> str:
        """The engine-side prefix of the names this session gives."""
        return f"atlas-{self.id}."

    def inner(self, name: str) -> str:
        """Engine name of a container, network or volume name the learner gave; Denied for a name that
        looks like an engine-side one (lookups check `reserved` first and answer NoSuchObject)."""
        if not name:
            raise Malformed("name", "a name is required")
        check_reserved_name(name)
        return self.prefix + name

    def inner_image(self, ref: str) -> str:
        """Engine name of an image reference the learner gave (`mine` -> `atlas-<id>.mine:latest`)."""
        check_reserved_name(ref)
        registry, repo, tag = split_ref(ref)
        return f"{registry}/{self.prefix}{repo}:{tag}" if registry else f"{self.prefix}{repo}:{tag}"

    def outer(self, obj: object) -> object:
        """An engine answer as the learner sees it: the session's name prefix removed everywhere."""
        text = json.dumps(obj)
        return json.loads(text.replace(self.prefix, "")) if self.prefix in text else obj

    def outer_text(self, text: str) -> str:
        """An engine message as the learner sees it (see `outer`)."""
        return text.replace(self.prefix, "")

    @property
    def label_filter(self) -> list[str]:
        """`key=value` label filters selecting this session's objects (the sandbox itself excluded)."""
        return [f"{LABEL_SESSION}={self.id}", f"{LABEL_ORIGIN}=gateway"]

    def owns(self, labels: dict | None) -> bool:
        """True when `labels` (of a container, network, volume, image) are this session's."""
        labels = labels or {}
        return labels.get(LABEL_SESSION) == self.id and labels.get(LABEL_ORIGIN) == "gateway"

    def save(self) -> None:
        """Persist what the engine cannot tell us (tags on shared images, ports) for cleanup after a crash."""
        with self.lock:
            data = {
                "tags": sorted(self.tags),
                "image_ids": sorted(self.image_ids),
                "ports": {
                    str(p): [pm.container, pm.host_port, pm.container_port] for p, pm in self.ports.items()
                },
            }
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.dir / "state.json")


def restore_ports(saved: dict, containers: set[str]) -> dict[int, PortMap]:
    """Published ports from a saved state, kept only for containers that still exist (after a restart:
    the learner-visible port is ours, the engine only knows the real host port)."""
    out: dict[int, PortMap] = {}
    for port, entry in (saved or {}).items():
        try:
            container, host_port, cport = entry
            if str(port).isdigit() and container in containers:
                out[int(port)] = PortMap(str(container), int(host_port), str(cport))
        except (TypeError, ValueError):
            continue
    return out


def load_saved(path: Path) -> dict:
    """The persisted state of a session folder ({} when missing or unreadable)."""
    try:
        return json.loads((path / "state.json").read_text())
    except (OSError, ValueError):
        return {}
