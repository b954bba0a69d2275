"""Every kind of page in Chromium: no request that fails, no console error; the stats page
(charts with the export's numbers, axe, phone, dark mode); the data files at their URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.playwright

PAGES = [
    "/",
    "/zh/",
    "/components/runc/",
    "/zh/components/rkt/",
    "/categories/",
    "/categories/runtimes/",
    "/zh/categories/runtimes/",
    "/graph/",
    "/zh/graph/",
    "/learning-path/",
    "/stats/",
    "/zh/stats/",
    "/data/",
    "/zh/data/",
    "/sandbox-policy/",
    "/architecture/",
    "/timeline/",
    "/zh/timeline/",
    "/compare/?ids=runc,crun",
    "/zh/compare/?ids=runc,crun",
    "/embed/",
    "/zh/embed/",
    "/embed/view.html?view=graph&id=runc&lang=zh",
]  # fmt: skip  (tutorial pages call the sandbox service, which this static server does not run)


def axe_violations(page) -> list[str]:
    manifest = json.loads((ROOT / "site-src" / "assets" / "vendor" / "manifest.json").read_text())
    page.add_script_tag(path=str(ROOT / "site-src" / "assets" / "vendor" / manifest["axe-core"]["files"][0]))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


#: The newer pages that axe-core checks too (no critical or serious violation), on the same load.
AXE_PAGES = {"/data/", "/zh/stats/", "/embed/", "/zh/compare/?ids=runc,crun", "/zh/timeline/", "/zh/graph/"}


@pytest.mark.parametrize("url", PAGES)
def test_page_loads_without_404s_or_console_errors(page, site_url, url):
    """Every kind of page; the newer ones (AXE_PAGES) also have no serious accessibility violation."""
    failed: list[str] = []
    console: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(site_url + url, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert failed == [] and console == [], (failed, console)
    if url in AXE_PAGES:
        assert axe_violations(page) == []


def chart_counts(page) -> dict[str, dict[str, int]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-chart]')].map(f =>
            [f.dataset.chart, Object.fromEntries([...f.querySelectorAll('.atlas-bar')]
                .map(g => [g.dataset.key, +g.dataset.count]))]))"""
    )


def test_stats_charts_show_the_exported_counts(page, site_url, artifacts):
    cat = json.loads(page.request.get(site_url + "/data/v1/graph.json").text())
    page.goto(site_url + "/stats/")
    got = chart_counts(page)
    layers: dict[str, int] = {}
    for e in cat["entries"]:
        layers[e["layer"]] = layers.get(e["layer"], 0) + 1
    assert got["layer"] == layers
    assert sum(got["category"].values()) == len(cat["entries"])
    assert sum(got["relation"].values()) * 2 == len(cat["relations"])
    # the bars are drawn: the longest bar of a chart belongs to its largest count
    widths = page.evaluate(
        "[...document.querySelectorAll('#chart-layer .atlas-bar')].map(g => [g.dataset.key,"
        " g.querySelector('rect').getBoundingClientRect().width])"
    )
    assert max(widths, key=lambda kv: kv[1])[0] == max(layers, key=layers.get)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "stats-desktop-en.png"), full_page=False)


def test_stats_on_a_phone_in_chinese_and_in_dark_mode(browser, site_url, artifacts):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(site_url + "/zh/stats/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert "各层条目数" in page.inner_text("#chart-layer figcaption")
        page.screenshot(path=str(artifacts / "stats-phone-zh.png"), full_page=False)
        fill = "getComputedStyle(document.querySelector('#chart-layer text')).fill"
        light = page.evaluate(fill)
        page.locator("label[for='__palette_1']").first.click()  # Material's toggle to the dark scheme
        page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        dark = page.evaluate(fill)
        assert light != dark, (light, dark)
        page.screenshot(path=str(artifacts / "stats-phone-zh-dark.png"), full_page=False)
    finally:
        context.close()


def test_data_files_are_served_at_their_documented_paths(page, site_url, built_site):
    page.goto(site_url + "/data/")
    links = page.eval_on_selector_all("article a[href*='data/v1/']", "as => as.map(a => a.href)")
    files = {p.name for p in (built_site / "data" / "v1").iterdir() if p.is_file()}
    # every file of the data API is documented and linked (one entry file stands for entries/)
    assert {h.rsplit("/", 1)[1] for h in links if "/entries/" not in h} == files, links
    for href in links:
        r = page.request.get(href)
        assert r.ok, href
        if href.endswith(".json"):
            assert r.json()["version"] == 1


SHOTS = {
    "explorer": "graph/",
    "timeline": "timeline/",
    "stats": "stats/",
    "compare": "compare/?ids=runc,crun,youki",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_new_pages_fit_the_screen(browser, site_url, artifacts, lang, device):
    """Screenshots for README and review; on a phone no page scrolls sideways."""
    size = {"width": 1366, "height": 900} if device == "desktop" else {"width": 375, "height": 740}
    context = browser.new_context(viewport=size, device_scale_factor=1 if device == "desktop" else 2)
    try:
        page = context.new_page()
        for name, path in SHOTS.items():
            page.goto(f"{site_url}/{'zh/' if lang == 'zh' else ''}{path}", wait_until="networkidle")
            if name == "explorer":
                page.wait_for_selector("[data-atlas-graph][data-ready='true']")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
            page.screenshot(path=str(artifacts / f"shot-{name}-{lang}-{device}.png"))
    finally:
        context.close()
