"""Per-session build cache lineage, and every image a session caused.

The classic builder reuses any local image whose parent and config match a step: two sessions
building `FROM busybox` + the same `RUN` would share that RUN's result (and whatever it generated).
So every base image a session builds on is first wrapped in a per-session *lineage image*: a build of
`FROM <base id>` + `LABEL org.container-atlas.lineage=<session>` (+ the session's labels), made once
per (session, base) and reused. The session's Dockerfiles start `FROM <lineage image>`: its cache
works across its own builds, and no image of another session can ever be a cache hit (their parents
differ). Lineage images are hidden from the learner's image list.

`session_images` finds every image a session caused — tagged, untagged, intermediate images of failed
builds — by its labels, its names, the IDs it was told, and ancestry (ParentId) from any of those;
the image budget counts them and `remove_session_images` removes them when the session ends.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import Iterable

import docker
import docker.errors

from sandbox.labels import LINEAGE as LABEL_LINEAGE  # the labels' one home
from sandbox.labels import LINEAGE_BASE as LABEL_LINEAGE_BASE

from .policy import LABEL_ORIGIN, LABEL_SESSION
from .policy.images import check_base_prepared

SCRATCH = "scratch"


def is_lineage(image: dict) -> bool:
    """True for a lineage image itself (its children inherit the labels but have another parent)."""
    labels = image.get("Labels") or (image.get("Config") or {}).get("Labels") or {}
    base = labels.get(LABEL_LINEAGE_BASE)
    parent = image.get("ParentId", image.get("Parent")) or SCRATCH
    return bool(base) and base == parent


def made_by(labels: dict | None, image_id: str, session_id: str, known_ids: Iterable[str] = ()) -> bool:
    """The one rule of whether the session made an image, tagged or not (`<none>`): it carries the
    session's labels (every image it builds or commits, and every build step, which inherits them from
    the session's lineage image), or its lineage label, or it is an ID the gateway recorded for the
    session (Session.image_ids: build results, commits). Images built on one of those count too, by
    ancestry, where `session_images` walks it."""
    labels = labels or {}
    if labels.get(LABEL_SESSION) == session_id and labels.get(LABEL_ORIGIN) == "gateway":
        return True
    return labels.get(LABEL_LINEAGE) == session_id or image_id in known_ids


def lineage_image(api: docker.APIClient, session_id: str, labels: dict[str, str], base_id: str) -> str:
    """The ID of the session's lineage image of `base_id` ("" for scratch), built on first use."""
    base = base_id or SCRATCH
    flt = {"label": [f"{LABEL_LINEAGE}={session_id}", f"{LABEL_LINEAGE_BASE}={base}"]}
    for image in api.images(all=True, filters=flt):
        if is_lineage(image):
            return image["Id"]
    all_labels = {**labels, LABEL_LINEAGE: session_id, LABEL_LINEAGE_BASE: base}
    text = f"FROM {base}\nLABEL " + " ".join(
        f"{json.dumps(k)}={json.dumps(v)}" for k, v in all_labels.items()
    )
    data = (text + "\n").encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    image_id = ""
    for line in api.build(
        fileobj=buf, custom_context=True, rm=True, forcerm=True, network_mode="none", decode=True
    ):
        if line.get("error"):
            check_base_prepared(base_id, "", line["error"])
        aux = line.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            image_id = aux["ID"]
    check_base_prepared(base_id, image_id)
    return image_id


def session_images(
    api: docker.APIClient, session_id: str, known_ids: Iterable[str] = (), images: list[dict] | None = None
) -> list[dict]:
    """Every image of the session as /images/json entries (all=True), deepest first. Each has "_owned":
    True for images the session made (removed when it ends), False for shared images it only named
    (`docker tag busybox mine`: only the name goes)."""
    images = api.images(all=True) if images is None else images
    by_id = {i["Id"]: i for i in images}
    prefix = f"atlas-{session_id}."
    known = set(known_ids)
    owned = set()
    for img in images:
        if made_by(img.get("Labels"), img["Id"], session_id, known):
            owned.add(img["Id"])
    depth: dict[str, int] = {}

    def ancestry(image_id: str) -> list[str]:
        chain, seen = [], set()
        while image_id in by_id and image_id not in seen:
            seen.add(image_id)
            chain.append(image_id)
            image_id = by_id[image_id].get("ParentId") or ""
        return chain

    for img in images:
        chain = ancestry(img["Id"])
        depth[img["Id"]] = len(chain)
        if any(i in owned for i in chain):
            owned.add(img["Id"])  # built on the session's images: the session's
    out = []
    for img in images:
        named = any(prefix in t for t in (img.get("RepoTags") or []))
        if img["Id"] in owned or named:
            out.append({**img, "_owned": img["Id"] in owned})
    out.sort(key=lambda i: -depth.get(i["Id"], 0))
    return out


def remove_session_images(
    api: docker.APIClient, session_id: str, names: Iterable[str] = (), known_ids: Iterable[str] = ()
) -> list[str]:
    """Remove the session's image names and every image it made, children first; what could not go."""
    prefix = f"atlas-{session_id}."
    found = session_images(api, session_id, known_ids)
    tags = {t for i in found for t in i.get("RepoTags") or [] if prefix in t} | {
        n for n in names if prefix in n
    }
    for tag in sorted(tags):
        with contextlib.suppress(docker.errors.APIError):
            api.remove_image(tag, noprune=False)
    left = []
    for img in found:
        if img["_owned"]:
            try:
                api.remove_image(img["Id"], force=True, noprune=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError:
                left.append(img["Id"])
    return left
