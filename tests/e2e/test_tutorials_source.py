"""The real tutorials pass every tutorial rule, and their Dockerfiles build offline.

The rules themselves (front matter, steps, checks, runnable blocks, both languages, the learning
path) live in `atlas.content` and have one unit test each (tests/unit/test_content_tutorials.py).
"""

from __future__ import annotations

import re

from atlas.content.series import load_series
from atlas.provision import baseimages, images
from tutorial_pages import DOCS, SLUGS, load_tutorials


def test_real_tutorials_have_no_problems() -> None:
    """Every tutorial rule (atlas.content: schema, steps, checks, blocks, en/zh, path) holds."""
    series = load_series(DOCS, root=DOCS.parent)
    assert [str(p) for p in series.problems] == []
    assert len(SLUGS) >= 9 and SLUGS[0] == "ecosystem-map"
    for slug, zh in series.pages["zh"].items():
        assert re.search(r"[\u4e00-\u9fff]", zh.title + zh.body), f"{slug}.zh.md is not in Chinese"


def _offline_images() -> set[str]:
    """The names set-up provides offline: the two base images and every sandbox/images tag."""
    tags = {baseimages.BUSYBOX, baseimages.DEBIAN}
    for folder in sorted(p for p in images.IMAGES_DIR.iterdir() if (p / "Dockerfile").is_file()):
        tags.update(images.parse(folder).tags)
    return tags | {t.removesuffix(":latest") for t in tags}


def test_dockerfiles_in_tutorials_build_offline() -> None:
    """Dockerfiles in the tutorials start FROM an image set-up provides (builds have no network) or
    from an earlier stage of the same Dockerfile."""
    offline = _offline_images()
    for t in load_tutorials().values():
        for b in t.blocks:
            stages = {m.lower() for m in re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", b.code, re.M | re.I)}
            for base in re.findall(r"^FROM\s+(?:--\S+\s+)*(\S+)", b.code, re.M):
                assert base in offline or base.lower() in stages, f"{t.slug}: FROM {base}"
