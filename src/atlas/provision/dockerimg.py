"""Small Docker helpers for the image steps: inspect, build-hash labels, build, tag, push to the mirror."""

from __future__ import annotations

import hashlib
from pathlib import Path

from atlas.provision import registry
from atlas.provision.engine import client
from atlas.provision.steps import note, run, step_log
from sandbox.labels import BUILD_HASH as HASH_LABEL  # the labels' one home

_CLIENT = None


def _docker():
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = client(timeout=120)
    return _CLIENT


def normalize(ref: str) -> str:
    """`busybox` -> `busybox:latest`; refs with a tag or digest stay as they are."""
    last = ref.rsplit("/", 1)[-1]
    return ref if (":" in last or "@" in ref) else f"{ref}:latest"


def inspect(ref: str) -> dict | None:
    """The engine's image attributes for `ref`, or None when there is no such image."""
    import docker.errors

    try:
        return _docker().images.get(ref).attrs
    except docker.errors.ImageNotFound:
        return None


def image_id(ref: str) -> str | None:
    """The image id of `ref`, or None."""
    attrs = inspect(ref)
    return attrs["Id"] if attrs else None


def build_label(ref: str) -> str | None:
    """The build-hash label of `ref`, or None."""
    attrs = inspect(ref)
    if not attrs:
        return None
    return ((attrs.get("Config") or {}).get("Labels") or {}).get(HASH_LABEL)


def hash_folder(folder: Path, extra: list[str]) -> str:
    """sha256 over every file in `folder` (relative path, mode, content) plus the `extra` strings."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(b"x\0" if path.stat().st_mode & 0o111 else b"-\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for item in extra:
        h.update(b"\1" + item.encode())
    return h.hexdigest()


def up_to_date(tags: list[str], want: str) -> bool:
    """True when every tag exists and carries build hash `want` (and all point to one image)."""
    ids = set()
    for tag in tags:
        attrs = inspect(tag)
        if not attrs:
            return False
        if ((attrs.get("Config") or {}).get("Labels") or {}).get(HASH_LABEL) != want:
            return False
        ids.add(attrs["Id"])
    return len(ids) == 1


def build(context: Path, tags: list[str], want: str, step: str, log_name: str) -> str:
    """`docker build` `context` with every tag and the build-hash label; return the image id."""
    cmd = ["docker", "build", "--force-rm", "--label", f"{HASH_LABEL}={want}"]
    for tag in tags:
        cmd += ["-t", tag]
    note(f"building {', '.join(tags)} (log: {step_log(log_name)})")
    run([*cmd, str(context)], step, step_log(log_name), timeout=1800)
    return image_id(tags[0]) or ""


def push_mirror(local: str, repo: str, tag: str, step: str) -> bool:
    """Push `local` to the local registry as `repo:tag` unless it already holds that image.

    Returns True when it pushed. The temporary `127.0.0.1:5000/...` tag is removed afterwards.
    """
    iid = image_id(local)
    if iid and registry.manifest_config_digest(repo, tag) == iid:
        return False
    remote = f"{registry.ADDRESS}/{repo}:{tag}"
    log = step_log(f"push-{repo.replace('/', '-')}")
    note(f"pushing {local} -> {remote}")
    run(["docker", "tag", local, remote], step, log)
    try:
        run(["docker", "push", remote], step, log, timeout=900)
    finally:
        run(["docker", "rmi", "--no-prune", remote], step, log)
    return True
