"""Every image under `sandbox/images/<name>/Dockerfile`, built in dependency order, offline.

Convention for those Dockerfiles (documented in README.md too): the first comment lines may say

    # image: <repo:tag> [<repo:tag> ...]   tags to build (default: container-atlas/<name>:latest)
    # mirror: library/<name>               also push every tag to the local registry as that repo

`FROM` lines (with `ARG` defaults declared before the first `FROM` substituted, build stages and
`scratch` ignored) decide the order: an image is built after the images it starts from. Each image
carries the label `org.container-atlas.build-hash` = sha256 of its folder's files plus the ids of
its parent images, and is rebuilt only when that hash changes (so a new base rebuilds its children).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError
from atlas.provision import baseimages, dockerimg, imagewheels

STEP = "images"
IMAGES_DIR = ROOT / "sandbox" / "images"
_HEADER = re.compile(r"^#\s*(image|mirror)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_ARG = re.compile(r"^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?", re.IGNORECASE)
_FROM = re.compile(r"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class ImageSpec:
    """One `sandbox/images/<name>/` folder: the tags it builds, its mirror repo, its parents."""

    name: str
    folder: Path
    tags: list[str]
    mirror: str | None = None
    parents: list[str] = field(default_factory=list)


def parse(folder: Path) -> ImageSpec:
    """Read `folder/Dockerfile`: header comments (`# image:`, `# mirror:`) and FROM parents."""
    path = folder / "Dockerfile"
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    tags: list[str] = []
    mirror = None
    args: dict[str, str] = {}
    stages: set[str] = set()
    parents: list[str] = []
    in_header = True
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if in_header and line.startswith("#"):
            m = _HEADER.match(line)
            if m:
                key, value = m.group(1).lower(), m.group(2)
                values = [v for v in re.split(r"[\s,]+", value) if v]
                if not values:
                    raise AtlasError(f"{rel}:{lineno}: `# {key}:` needs a value")
                if key == "image":
                    tags += [dockerimg.normalize(v) for v in values]
                elif len(values) != 1 or ":" in values[0]:
                    raise AtlasError(f"{rel}:{lineno}: `# mirror:` takes one repository name without a tag")
                else:
                    mirror = values[0]
            continue
        if line:
            in_header = False
        m = _ARG.match(line)
        if m and not parents and not stages:
            args[m.group(1)] = m.group(2) or ""
            continue
        m = _FROM.match(line)
        if m:
            ref = _VAR.sub(lambda v: args.get(v.group(1) or v.group(2), ""), m.group(1))
            if m.group(2):
                stages.add(m.group(2).lower())
            if ref and ref.lower() != "scratch" and ref.lower() not in stages:
                parents.append(dockerimg.normalize(ref))
    if not parents and "FROM scratch" not in path.read_text():
        raise AtlasError(f"{rel}: no FROM line")
    return ImageSpec(folder.name, folder, tags or [f"container-atlas/{folder.name}:latest"], mirror, parents)


def discover(images_dir: Path = IMAGES_DIR) -> list[ImageSpec]:
    """Every `<images_dir>/<name>/Dockerfile`, in build order (parents first); error on a cycle."""
    specs = [parse(d) for d in sorted(images_dir.iterdir()) if (d / "Dockerfile").is_file()]
    by_tag = {tag: spec for spec in specs for tag in spec.tags}
    ordered: list[ImageSpec] = []
    state: dict[str, str] = {}

    def visit(spec: ImageSpec, chain: list[str]) -> None:
        if state.get(spec.name) == "done":
            return
        if state.get(spec.name) == "visiting":
            raise AtlasError(f"sandbox/images: FROM cycle {' -> '.join([*chain, spec.name])}")
        state[spec.name] = "visiting"
        for parent in spec.parents:
            if parent in by_tag and by_tag[parent] is not spec:
                visit(by_tag[parent], [*chain, spec.name])
        state[spec.name] = "done"
        ordered.append(spec)

    for spec in specs:
        visit(spec, [])
    return ordered


def build_spec(spec: ImageSpec) -> str:
    """Build one image unless its tags carry the current build hash; mirror it if asked."""
    parent_ids = []
    for parent in spec.parents:
        pid = dockerimg.image_id(parent)
        parent_ids.append(f"{parent}={pid or 'missing'}")
    want = dockerimg.hash_folder(spec.folder, parent_ids)
    if dockerimg.up_to_date(spec.tags, want):
        result = f"{spec.name} up to date"
    else:
        with imagewheels.build_context(spec.folder, STEP) as context:
            dockerimg.build(context, spec.tags, want, STEP, f"image-{spec.name}")
        result = f"{spec.name} built"
    if spec.mirror:
        for tag in spec.tags:
            if dockerimg.push_mirror(tag, spec.mirror, tag.rsplit(":", 1)[1], STEP):
                result += f", pushed {spec.mirror}:{tag.rsplit(':', 1)[1]}"
    return result


def ensure(images_dir: Path = IMAGES_DIR) -> str:
    """Build the base images, then every Dockerfile image; return a one-line summary."""
    from atlas.provision.steps import Skipped

    specs = discover(images_dir)
    lines = baseimages.build_all(STEP)
    lines += [build_spec(spec) for spec in specs]
    changed = [line for line in lines if "up to date" not in line]
    if not changed:
        return Skipped(f"{len(lines)} images up to date")
    return "; ".join(changed)
