"""The stats page: every chart's numbers agree with `./atlas kb export`, in both languages."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from atlas.kb.commands import export
from atlas.sitegen.render_stats import license_family

pytestmark = pytest.mark.slow
BAR = re.compile(r'<g class="atlas-bar[^"]*" data-key="([^"]*)" data-count="(\d+)">')


@pytest.fixture(scope="module")
def built(fixture_site, tmp_path_factory) -> dict:
    """The fixture site (built once per session); the catalog comes from `kb export` (what users download)."""
    graph = tmp_path_factory.mktemp("stats") / "graph.json"
    export(fixture_site["kb"], fmt="json", out=str(graph))
    return {"out": fixture_site["out"], "cat": json.loads(graph.read_text(encoding="utf-8"))}


def charts(html: str) -> dict[str, dict[str, int]]:
    found = {}
    for m in re.finditer(r'<figure class="atlas-chart" id="chart-(\w+)".*?</figure>', html, re.S):
        found[m.group(1)] = {k: int(n) for k, n in BAR.findall(m.group(0))}
    return found


def test_chart_counts_match_the_export_in_both_languages(built):
    cat = built["cat"]
    ents = cat["entries"]
    facts = [e["facts"] for e in ents]
    expected = {
        "layer": Counter(e["layer"] for e in ents),
        "category": Counter(e["category"] for e in ents),
        "status": Counter(f["status"] or "none" for f in facts),
        "foundation": Counter((f["foundation"] or {}).get("name") or "none" for f in facts),
        "maturity": Counter(f["foundation"]["status"] for f in facts if f["foundation"]),
        "relation": Counter(r["type"] for r in cat["relations"] if not r["derived"]),
    }
    years = Counter(str(f["first_release"]) if f["first_release"] else "none" for f in facts)
    for lang_dir in ("", "zh/"):
        html = (built["out"] / lang_dir / "stats" / "index.html").read_text(encoding="utf-8")
        got = charts(html)
        for name, want in expected.items():
            assert got[name] == dict(want), name
        assert {k: n for k, n in got["year"].items() if n} == dict(years)
        assert sum(got["license"].values()) == len(ents)
        neighbours = {
            e["id"]: {r["target"] for r in cat["relations"] if r["source"] == e["id"]} for e in ents
        }
        top = max(len(v) for v in neighbours.values())
        first = next(iter(got["connected"]))
        assert got["connected"][first] == top == len(neighbours[first])
    zh = (built["out"] / "zh" / "stats" / "index.html").read_text(encoding="utf-8")
    assert "各层条目数" in zh and "每年首次发布数" in zh
    en = (built["out"] / "stats" / "index.html").read_text(encoding="utf-8")
    assert f"{len(ents)} entries" in en


def test_years_without_releases_are_shown_as_empty_bars(built):
    html = (built["out"] / "stats" / "index.html").read_text(encoding="utf-8")
    years = [int(k) for k in charts(html)["year"] if k != "none"]
    assert years == list(range(min(years), max(years) + 1))


@pytest.mark.parametrize(
    ("expression", "family"),
    [
        ("Apache-2.0", "Apache"),
        ("Apache-2.0 WITH LLVM-exception", "Apache"),
        ("Apache-2.0 OR MIT", "several"),
        ("(GPL-2.0-only OR MIT) AND BSD-3-Clause", "several"),
        ("LGPL-2.1-or-later", "LGPL"),
        ("AGPL-3.0-only", "AGPL"),
        ("LicenseRef-Proprietary", "proprietary"),
        ("BUSL-1.1", "BUSL"),
        (None, "none"),
    ],
)
def test_license_family(expression, family):
    assert license_family(expression) == family


def test_stats_page_is_in_the_nav(built):
    assert 'href="stats/"' in (built["out"] / "index.html").read_text(encoding="utf-8")
