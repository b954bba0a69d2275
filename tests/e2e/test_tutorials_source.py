"""The tutorials' Markdown is consistent: front matter, steps, checks, runnable blocks, both languages.

Also the parser the other tutorial tests use (`load_tutorials`): what a learner would press, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
SLUGS = [
    "ecosystem-map",
    "containers",
    "first-container",
    "docker-architecture",
    "how-it-works",
    "image-layers",
    "building-images",
    "port-mapping",
    "registries",
]
FENCE = re.compile(r"^```run(?P<attrs>[^\n]*)\n(?P<code>.*?)\n```[ \t]*$", re.M | re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
CHECK_DIV = re.compile(r'data-atlas-(?:check|quiz)="([^"]+)"')
HEADING = re.compile(r"^##\s+.*\{#([\w-]+)\}\s*$", re.M)


@dataclass
class Block:
    """One ```run block: its code, profile and step id (None when it belongs to no step)."""

    code: str
    profile: str
    step: str | None


@dataclass
class Tutorial:
    """A parsed tutorial page."""

    slug: str
    lang: str
    path: Path
    meta: dict
    body: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def step_ids(self) -> list[str]:
        """Step ids in page order."""
        return [s["id"] for s in self.meta["steps"]]

    def blocks_of(self, step: str) -> list[Block]:
        """The runnable blocks of `step`, in page order."""
        return [b for b in self.blocks if b.step == f"{self.slug}/{step}"]


def parse(path: Path) -> Tutorial:
    """Parse one tutorial file (front matter + body + runnable blocks)."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no front matter"
    fm, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(fm)
    slug, _, lang = path.name[:-3].partition(".")
    tut = Tutorial(slug, lang or "en", path, meta, body)
    for m in FENCE.finditer(body):
        attrs = dict(ATTR.findall(m.group("attrs")))
        tut.blocks.append(Block(m.group("code"), attrs.get("profile", "shell"), attrs.get("step")))
    return tut


def load_tutorials(lang: str = "en") -> dict[str, Tutorial]:
    """Every tutorial of the learning path in `lang`, by slug."""
    suffix = ".md" if lang == "en" else f".{lang}.md"
    return {s: parse(TUTORIALS / f"{s}{suffix}") for s in SLUGS}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("slug", SLUGS)
def test_tutorial_front_matter_and_body_agree(slug: str, lang: str) -> None:
    """Each step: a heading anchor, a Check placeholder, and (sandbox tutorials) a check and a ▶ block."""
    suffix = ".md" if lang == "en" else f".{lang}.md"
    t = parse(TUTORIALS / f"{slug}{suffix}")
    meta = t.meta
    assert meta["title"] and meta["profile"] in {"shell", "docker", "none"}
    assert meta["order"] == SLUGS.index(slug) + 1
    expected_next = SLUGS[SLUGS.index(slug) + 1] if slug != SLUGS[-1] else ""
    assert (meta.get("next") or "") == expected_next
    assert HEADING.findall(t.body) == t.step_ids, "each step needs a `## Title {#step-id}` heading, in order"
    assert CHECK_DIV.findall(t.body) == [f"{slug}/{s}" for s in t.step_ids]
    checks = meta.get("checks") or {}
    if meta["profile"] == "none":
        assert not checks
        assert 'data-atlas-quiz="' in t.body
        return
    assert list(checks) == t.step_ids, "one check per step, in step order"
    for step, check in checks.items():
        assert set(check) == {"run", "expect", "hint"}, f"{slug}/{step}: keys"
        re.compile(check["expect"])
        assert set(check["hint"]) == {"en", "zh"} and all(check["hint"].values())
        assert t.blocks_of(step), f'{slug}/{step}: no ```run block with step="{slug}/{step}"'
    for b in t.blocks:
        assert b.profile == meta["profile"], f"{slug}: block profile {b.profile} on a {meta['profile']} page"
        assert b.step is None or b.step.split("/")[1] in t.step_ids


@pytest.mark.parametrize("slug", SLUGS)
def test_chinese_page_mirrors_english(slug: str) -> None:
    """Same steps, checks and commands in both languages; only the prose differs."""
    en, zh = parse(TUTORIALS / f"{slug}.md"), parse(TUTORIALS / f"{slug}.zh.md")
    assert en.step_ids == zh.step_ids
    assert (en.meta.get("checks") or {}) == (zh.meta.get("checks") or {})
    assert [(b.code, b.step) for b in en.blocks] == [(b.code, b.step) for b in zh.blocks]
    assert re.search(r"[\u4e00-\u9fff]", zh.meta["title"] + zh.body), "the zh page is not in Chinese"


def test_dockerfiles_in_tutorials_build_offline() -> None:
    """Dockerfiles in the tutorials start FROM busybox or debian:bookworm (builds have no network)."""
    for t in load_tutorials().values():
        for b in t.blocks:
            for base in re.findall(r"^FROM\s+(\S+)", b.code, re.M):
                assert base in {"busybox", "debian:bookworm"}, f"{t.slug}: FROM {base}"
