"""Disk bounded per session: container layers + volumes + images together, measured, enforced.

`measure` adds up what the engine holds for one session: the writable layer (SizeRw) of each of its
containers (and, found through the session's cgroup, of the unlabelled containers of its running build
steps: `du` of their upper directory), the bytes under each of its volumes' mount points (`du`, on the
host: with userns-remap they live in the remapped data root, which the engine reports), and its images
(each image's size above the largest shared base image it is built on, so `FROM debian` does not charge
debian to the session).

`DiskWatcher` measures every open session every few seconds (and soon after each create/build/pull,
see `poke`). A session over its budget is refused anything that makes it grow (`refusal`), and its
running containers that grew since the last measure are stopped, so a `dd` into a layer stops near the
budget instead of filling the host.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import docker.errors

from sandbox.labels import PROFILE as SANDBOX_LABEL  # the learner's own container (read-only, no layer)

log = logging.getLogger(__name__)
MiB = 1024 * 1024
#: Route handlers (policy.ROUTES) whose requests can make a session use more disk.
GROWING = frozenset(
    {"container_create", "container_start", "image_pull", "image_build", "image_commit", "volume_create"}
)
GROWING_ACTIONS = ("/restart", "/unpause", "/archive")


@dataclass
class DiskUsage:
    """What one session holds on disk, in bytes."""

    layers: int = 0
    volumes: int = 0
    images: int = 0
    per_container: dict[str, int] = field(default_factory=dict)
    build_steps: set[str] = field(default_factory=set)  # running, unlabelled, found in the cgroup

    @property
    def total(self) -> int:
        """Layers + volumes + images."""
        return self.layers + self.volumes + self.images

    def describe(self, budget: int) -> str:
        """`312 MiB of 200 MiB (container layers 300 MiB, volumes 0 MiB, images 12 MiB)`."""
        return (
            f"{self.total // MiB} MiB of {budget // MiB} MiB (container layers {self.layers // MiB} MiB, "
            f"volumes {self.volumes // MiB} MiB, images {self.images // MiB} MiB)"
        )


def du(path: str) -> int:
    """Bytes allocated under `path` (st_blocks, no symlinks followed, one file system); 0 if missing."""
    total = 0
    try:
        dev = os.lstat(path).st_dev
    except OSError:
        return 0
    stack = [path]
    while stack:
        top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += st.st_blocks * 512
            if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                stack.append(entry.path)
    return total


def _layers(api, image_id: str, cache: dict[str, list[str]]) -> list[str]:
    if image_id not in cache:
        try:
            cache[image_id] = list((api.inspect_image(image_id).get("RootFS") or {}).get("Layers") or [])
        except docker.errors.APIError:
            cache[image_id] = []
    return cache[image_id]


def image_bytes(api, own: Iterable[dict], everything: Iterable[dict]) -> int:
    """Disk of the session's images `own` (and of their untagged ancestors up to a shared image): each
    image counts its size above its parent, so a chain of build steps counts once; an image without a
    local parent counts its size above the largest shared image whose layers it starts with."""
    by_id = {i["Id"]: i for i in everything}
    shared = {i["Id"] for i in by_id.values() if any(map(_base_tag, i.get("RepoTags") or []))}
    chain: dict[str, dict] = {}
    for img in own:
        cur: dict | None = by_id.get(img["Id"], img)
        while cur is not None and cur["Id"] not in chain and cur["Id"] not in shared:
            chain[cur["Id"]] = cur
            cur = by_id.get(cur.get("ParentId") or "")
    cache: dict[str, list[str]] = {}
    bases: list[tuple[int, list[str]]] | None = None
    total = 0
    for img in chain.values():
        parent = by_id.get(img.get("ParentId") or "")
        if parent is not None:
            base = parent.get("Size", 0)
        else:
            if bases is None:
                bases = [(by_id[s].get("Size", 0), _layers(api, s, cache)) for s in shared]
            layers = _layers(api, img["Id"], cache)
            base = max((size for size, lay in bases if lay and layers[: len(lay)] == lay), default=0)
        total += max(0, img.get("Size", 0) - base)
    return total


def _base_tag(tag: str) -> bool:
    """A tag that no session gave (sessions' names start `atlas-<id>.`), i.e. a shared base image."""
    return tag != "<none>:<none>" and not (tag.startswith("atlas-") or "/atlas-" in tag)


def measure(api, sess, own_images: Callable[[object], list[dict]], running: Iterable[str] = ()) -> DiskUsage:
    """The disk one session holds now: its containers, volumes and `own_images(sess)`, and the layers
    of the other containers `running` in its cgroup (build steps), except its sandbox."""
    flt = {"label": sess.label_filter}
    usage = DiskUsage()
    containers = api.containers(all=True, size=True, filters=flt)
    # Volumes by mount point: the session's named ones, and the anonymous ones (`-v /data`, an image's
    # VOLUME, also in a build step, labelled as the build is), which the engine creates without labels.
    mountpoints = {v.get("Mountpoint") or "" for v in api.volumes(filters=flt).get("Volumes") or []}
    for c in containers:
        usage.per_container[c["Id"]] = int(c.get("SizeRw") or 0)
        if any(m.get("Type") == "volume" and not m.get("Source") for m in c.get("Mounts") or []):
            with contextlib.suppress(docker.errors.APIError):  # a list gives no anonymous volume's path
                c = api.inspect_container(c["Id"])
        mountpoints |= {m.get("Source") or "" for m in c.get("Mounts") or [] if m.get("Type") == "volume"}
    for cid in set(running) - set(usage.per_container):
        with contextlib.suppress(docker.errors.APIError):
            info = api.inspect_container(cid)
            if not (info["Config"].get("Labels") or {}).get(SANDBOX_LABEL):
                upper = ((info.get("GraphDriver") or {}).get("Data") or {}).get("UpperDir") or ""
                usage.per_container[cid] = du(upper)
                usage.build_steps.add(cid)
    usage.layers = sum(usage.per_container.values())
    usage.volumes = sum(du(path) for path in mountpoints if path)
    usage.images = image_bytes(api, own_images(sess), api.images(all=True))
    return usage


def session_images(api, sess) -> list[dict]:
    """The session's images: labelled with its id, named with its prefix, or recorded in image_ids."""
    out = []
    for img in api.images(all=True):
        labels = img.get("Labels") or {}
        named = any(sess.prefix in t for t in img.get("RepoTags") or [])
        if named or sess.owns(labels) or img["Id"] in sess.image_ids:
            out.append(img)
    return out


class DiskWatcher:
    """A background thread that measures every open session's disk and enforces `budget` bytes."""

    def __init__(
        self, api, sessions: Callable[[], list], budget: int, own_images, interval: float = 5.0, running=None
    ):
        self.api = api
        self.running: Callable[[object], list[str]] = running or (lambda sess: [])
        self.sessions = sessions
        self.budget = budget
        self.own_images = own_images
        self.interval = interval
        self.usage: dict[str, DiskUsage] = {}
        self.over: dict[str, str] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="atlas-gw-disk", daemon=True)

    def start(self) -> None:
        """Start the watcher thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the watcher thread."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def poke(self) -> None:
        """Measure soon (something was just created, built or pulled)."""
        self._wake.set()

    def forget(self, session_id: str) -> None:
        """Drop what is known of a closed session."""
        self.usage.pop(session_id, None)
        self.over.pop(session_id, None)

    def refusal(self, session_id: str) -> str:
        """'' when the session may grow, else the reason it may not (for policy.Denied)."""
        return self.over.get(session_id, "")

    def _loop(self) -> None:
        while not self._stop.is_set():
            for sess in list(self.sessions()):
                if self._stop.is_set():
                    return
                try:
                    self.check(sess)
                except Exception:  # noqa: BLE001 - one session's failure must not stop the watcher
                    log.exception("gateway: disk check of session %s failed", sess.id)
            self._wake.wait(self.interval)
            self._wake.clear()

    def check(self, sess) -> DiskUsage:
        """Measure one session; over budget, mark it refused and stop its containers that grew."""
        if sess.closed:
            return DiskUsage()
        before = self.usage.get(sess.id, DiskUsage())
        usage = measure(self.api, sess, self.own_images, self.running(sess))
        self.usage[sess.id] = usage
        if usage.total <= self.budget:
            self.over.pop(sess.id, None)
            return usage
        # What grew: layers that got bigger, and, when the volumes did, what runs with a volume mounted.
        # Images only grow by builds, pulls and commits, which are refused from now on.
        grew = {cid for cid, size in usage.per_container.items() if size > before.per_container.get(cid, 0)}
        running = self.api.containers(filters={"label": sess.label_filter})
        if usage.volumes > before.volumes:
            grew |= {c["Id"] for c in running if any(m.get("Type") == "volume" for m in c.get("Mounts", ()))}
        alive = {c["Id"] for c in running} | usage.build_steps
        stopped = sorted(grew & alive)
        for cid in stopped:
            with contextlib.suppress(docker.errors.APIError):
                self.api.stop(cid, timeout=1)
        what = f"; stopped {len(stopped)} container(s) that grew" if stopped else ""
        self.over[sess.id] = (
            f"the sandbox's disk budget is used up: {usage.describe(self.budget)}{what}. "
            "Remove containers (docker rm), volumes (docker volume rm) or images (docker rmi) first"
        )
        log.warning("gateway: session %s over its disk budget: %s", sess.id, self.over[sess.id])
        return usage


def grows(handler: str, path: str, method: str) -> bool:
    """True when a request (its route handler, path and method) can make the session use more disk."""
    if handler in GROWING:
        return True
    return handler == "container" and method in {"POST", "PUT"} and path.endswith(GROWING_ACTIONS)
