"""The real tutorials pass every tutorial rule; what the other tutorial tests load.

The rules themselves (front matter, steps, checks, runnable blocks, both languages, the learning
path) live in `atlas.content` and have one unit test each (tests/unit/test_content_tutorials.py).
`load_tutorials` gives the other tutorial tests what a learner would press, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

from atlas.content.series import load_series
from atlas.content.tutorial import Tutorial

__all__ = ["SLUGS", "Tutorial", "load_tutorials"]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: The learning path, from the tutorials' front matter (`next`), as the site shows it.
SLUGS = load_series(DOCS).path


def load_tutorials(lang: str = "en") -> dict[str, Tutorial]:
    """Every tutorial of the learning path in `lang`, by slug (parsed by the site's own parser)."""
    series = load_series(DOCS)
    return {s: series.pages[lang][s] for s in series.path}


def test_real_tutorials_have_no_problems() -> None:
    """Every tutorial rule (atlas.content: schema, steps, checks, blocks, en/zh, path) holds."""
    series = load_series(DOCS, root=ROOT)
    assert [str(p) for p in series.problems] == []
    assert len(SLUGS) >= 9 and SLUGS[0] == "ecosystem-map"
    for slug, zh in series.pages["zh"].items():
        assert re.search(r"[\u4e00-\u9fff]", zh.title + zh.body), f"{slug}.zh.md is not in Chinese"


def test_dockerfiles_in_tutorials_build_offline() -> None:
    """Dockerfiles in the tutorials start FROM busybox or debian:bookworm (builds have no network)."""
    for t in load_tutorials().values():
        for b in t.blocks:
            for base in re.findall(r"^FROM\s+(\S+)", b.code, re.M):
                assert base in {"busybox", "debian:bookworm"}, f"{t.slug}: FROM {base}"
