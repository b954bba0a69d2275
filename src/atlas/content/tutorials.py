"""What the hand-written pages contribute to generated ones: tutorial mentions and the learning path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pymdownx.slugs import slugify

WIKI_LINK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)\]\]")
PAGE_LINK = re.compile(r"components/([a-z0-9][a-z0-9-]*)(?:\.md|/)")
HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*(?:\{([^}]*)\})?\s*$")
_slug = slugify(case="lower")

#: The series' order: (tutorial slug, title, KB ids of the concepts and components it teaches).
LEARNING_PATH: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "ecosystem-map",
        {"en": "The ecosystem map", "zh": "容器生态地图"},
        ["oci", "docker-engine", "kubernetes"],
    ),
    (
        "containers",
        {"en": "Containers: what, why, how", "zh": "容器是什么、为什么、怎么做"},
        ["container", "container-vs-vm", "namespaces", "cgroups"],
    ),
    (
        "first-container",
        {"en": "Your first container", "zh": "你的第一个容器"},
        ["container", "docker-engine"],
    ),
    (
        "docker-architecture",
        {"en": "Docker's architecture", "zh": "Docker 的架构"},
        ["docker-architecture", "docker-engine", "docker-image", "docker-registry"],
    ),
    (
        "how-it-works",
        {"en": "How the parts work together", "zh": "各部分如何协同工作"},
        ["docker-engine", "containerd", "runc", "docker-hub"],
    ),
    (
        "image-layers",
        {"en": "Image layers", "zh": "镜像分层"},
        ["image", "image-layers", "base-image", "overlayfs"],
    ),
    (
        "building-images",
        {"en": "Building images", "zh": "构建镜像"},
        ["dockerfile", "buildkit", "docker-image"],
    ),
    (
        "port-mapping",
        {"en": "Reaching a container from outside", "zh": "从外部访问容器"},
        ["port-mapping", "docker-networking"],
    ),
    ("registries", {"en": "Registries", "zh": "镜像仓库"}, ["docker-registry", "docker-hub", "harbor"]),
]


@dataclass(frozen=True)
class Mention:
    """A tutorial step that mentions a component."""

    slug: str
    tutorial_title: str
    step_title: str
    anchor: str


def tutorial_file(docs_dir: Path, slug: str, lang: str) -> Path | None:
    """The tutorial source for `lang` (falls back to English), or None when it does not exist."""
    base = docs_dir / "tutorials"
    for p in ([base / f"{slug}.{lang}.md"] if lang != "en" else []) + [base / f"{slug}.md"]:
        if p.is_file():
            return p
    return None


def tutorial_slugs(docs_dir: Path) -> list[str]:
    """Slugs of the English tutorials present, learning-path order first."""
    found = {p.name[:-3] for p in (docs_dir / "tutorials").glob("*.md") if p.name.count(".") == 1}
    order = [s for s, _, _ in LEARNING_PATH if s in found]
    return order + sorted(found - set(order))


def _front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            try:
                meta = yaml.safe_load(text[4:end]) or {}
            except yaml.YAMLError:
                meta = {}
            return (meta if isinstance(meta, dict) else {}), text[end + 4 :]
    return {}, text


def _plain(heading: str) -> str:
    heading = WIKI_LINK.sub(lambda m: m.group(1), heading)
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return heading.replace("`", "").replace("*", "").strip()


def scan_mentions(docs_dir: Path, lang: str) -> dict[str, list[Mention]]:
    """Map component id -> tutorial steps (in `lang`) that mention it by `[[id]]` or a KB-page link."""
    found: dict[str, list[Mention]] = {}
    for slug in tutorial_slugs(docs_dir):
        path = tutorial_file(docs_dir, slug, lang)
        if path is None:
            continue
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        title = str(meta.get("title") or slug)
        step_title, anchor = title, ""
        used: dict[str, int] = {}
        in_fence = False
        for line in body.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            if in_fence:
                continue
            m = HEADING.match(line)
            if m:
                text = _plain(m.group(2))
                explicit = re.search(r"#([\w-]+)", m.group(3) or "")
                a = explicit.group(1) if explicit else _slug(text, "-")
                if not explicit and a in used:
                    used[a] += 1
                    a = f"{a}_{used[a]}"
                used.setdefault(a, 0)
                if len(m.group(1)) == 1:
                    title = meta.get("title") or text
                    step_title, anchor = str(title), ""
                else:
                    step_title, anchor = text, a
                continue
            for cid in set(WIKI_LINK.findall(line)) | set(PAGE_LINK.findall(line)):
                lst = found.setdefault(cid, [])
                mention = Mention(slug, str(title), step_title, anchor)
                if mention not in lst:
                    lst.append(mention)
    return found
