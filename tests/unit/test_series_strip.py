"""The home page's tutorial list follows the learning path through every real tutorial."""

from __future__ import annotations

import re

from atlas import ROOT
from atlas.content.series import load_series
from atlas.sitegen.render_lists import tutorial_strip


def test_every_tutorial_in_learning_path_order_with_its_steps():
    series = load_series(ROOT / "docs")
    assert series.problems == [] and len(series.path) >= 11
    for lang in ("en", "zh"):
        html = tutorial_strip(lang, series)
        listed = re.findall(r'<li data-tutorial="([^"]+)"><a href="tutorials/\1/">', html)
        assert listed == series.path, "the home page lists the tutorials in learning-path order"
        total = sum(len(series.get(s, lang).steps) for s in series.path)
        assert f"{len(series.path)} " in html and str(total) in html
