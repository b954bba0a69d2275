"""The real tutorials pass every tutorial rule, and their Dockerfiles build offline.

The rules themselves (front matter, steps, checks, runnable blocks, both languages, the learning
path) live in `atlas.content` and have one unit test each (tests/unit/test_content_tutorials.py).
"""

from __future__ import annotations

import re

from atlas.content.series import load_series
from tutorial_pages import DOCS, SLUGS, load_tutorials


def test_real_tutorials_have_no_problems() -> None:
    """Every tutorial rule (atlas.content: schema, steps, checks, blocks, en/zh, path) holds."""
    series = load_series(DOCS, root=DOCS.parent)
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
