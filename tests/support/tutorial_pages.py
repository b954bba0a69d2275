"""The real tutorials as the tutorial tests walk them, read by the site's own parser (atlas.content)."""

from __future__ import annotations

from atlas.content.series import load_series
from atlas.content.tutorial import Tutorial
from realparts import ROOT

__all__ = ["DOCS", "SLUGS", "Tutorial", "load_tutorials"]

DOCS = ROOT / "docs"
#: The learning path, from the tutorials' front matter (`next`), as the site shows it.
SLUGS = load_series(DOCS).path


def load_tutorials(lang: str = "en") -> dict[str, Tutorial]:
    """Every tutorial of the learning path in `lang`, by slug: what a learner would press, in order."""
    series = load_series(DOCS)
    return {s: series.pages[lang][s] for s in series.path}
