"""The generated site in a real browser: map → component → relation → graph → node, path finding,
language switch, search in both languages, accessibility (axe-core), phone layout, screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.playwright


def open_graph_ready(page) -> None:
    page.wait_for_selector("[data-atlas-graph][data-ready='true']", timeout=20_000)


def click_node(page, node_id: str) -> None:
    """Centre a node through the explorer's search, then click it on the canvas."""
    page.locator("#atlas-graph-canvas").scroll_into_view_if_needed()
    page.evaluate("id => window.atlasGraph.focus(id)", node_id)
    page.wait_for_timeout(300)
    page.wait_for_function("!window.atlasGraph.cy.animated()")  # the centring animation is over
    pos = page.evaluate("id => window.atlasGraph.cy.getElementById(id).renderedPosition()", node_id)
    box = page.locator("#atlas-graph-canvas").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def test_map_component_relation_graph_node(page, site_url, artifacts):
    page.goto(site_url + "/")
    page.screenshot(path=str(artifacts / "site-home.png"), full_page=True)
    page.locator(".atlas-map a", has_text=re.compile(r"^runc$")).first.click()
    page.wait_for_url(re.compile(r"/components/runc/$"))
    assert page.locator("h1").first.inner_text() == "runc"
    page.screenshot(path=str(artifacts / "site-component-runc.png"), full_page=True)
    relation = page.locator(".atlas-relations a").first
    target = relation.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    relation.click()
    page.wait_for_url(re.compile(rf"/components/{target}/$"))
    page.locator(".atlas-open-graph a").click()
    page.wait_for_url(re.compile(rf"/graph/#{target}$"))
    open_graph_ready(page)
    page.locator("#atlas-graph-canvas").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "site-graph.png"))
    click_node(page, "containerd")  # selects it: a card with its summary and a link to its page
    page.locator(".atlas-graph-card a").click()
    page.wait_for_url(re.compile(r"/components/containerd/$"))


def test_graph_path_between_two_components(page, site_url):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    page.fill("#atlas-from", "Kubernetes")
    page.fill("#atlas-to", "runc")
    page.click("#atlas-path-go")
    steps = page.locator(".atlas-graph-path li")
    steps.first.wait_for()
    assert steps.count() >= 1
    assert steps.first.locator("a").first.inner_text() == "Kubernetes"
    assert steps.last.locator("a").last.inner_text() == "runc"
    highlighted = page.evaluate("window.atlasGraph.cy.elements('.hit').length")
    assert highlighted == 2 * steps.count() + 1  # nodes and edges of the path


def test_graph_filters_hide_a_layer(page, site_url):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    visible = "window.atlasGraph.cy.nodes(':visible').length"
    before = page.evaluate(visible)
    page.uncheck("#atlas-f-layers-platform")
    after = page.evaluate(visible)
    assert 0 < after < before
    assert page.evaluate("window.atlasGraph.cy.getElementById('kubernetes').visible()") is False


def test_language_switch_keeps_the_page(page, site_url):
    page.goto(site_url + "/components/runc/")
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a.md-select__link[hreflang="zh"]').click()
    page.wait_for_url(re.compile(r"/zh/components/runc/$"))
    assert "基本信息" in page.content()
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a.md-select__link[hreflang="en"]').click()
    page.wait_for_url(re.compile(r"/components/runc/$"))
    assert "/zh/" not in page.url


@pytest.mark.parametrize(
    ("start", "query", "expect"),
    [("/", "runc", "/components/runc/"), ("/zh/", "运行时", "/zh/")],
)
def test_search_finds_english_and_chinese_terms(page, site_url, start, query, expect):
    page.goto(site_url + start)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially(query)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=20_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(expect in h for h in hrefs), hrefs


@pytest.mark.parametrize(
    "url", ["/", "/components/runc/", "/graph/", "/zh/components/runc/", "/categories/runtimes/"]
)
def test_no_serious_accessibility_violations(page, site_url, url):
    manifest = json.loads((ROOT / "site-src" / "assets" / "vendor" / "manifest.json").read_text())
    axe = ROOT / "site-src" / "assets" / "vendor" / manifest["axe-core"]["files"][0]
    page.goto(site_url + url)
    if url == "/graph/":
        open_graph_ready(page)
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert bad == [], "\n".join(bad)


def test_home_map_fits_a_phone(browser, site_url, artifacts):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(site_url + "/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        columns = page.evaluate(
            "getComputedStyle(document.querySelector('.atlas-cats')).gridTemplateColumns.split(' ').length"
        )
        assert columns == 1
        page.screenshot(path=str(artifacts / "site-home-phone.png"), full_page=False)
    finally:
        context.close()


@pytest.mark.slow
def test_graph_explorer_with_2000_components(browser, built_site, tmp_path, artifacts):
    """The explorer stays usable with a synthetic catalog of 2,000 entries / 6,000 relations."""
    import functools
    import http.server
    import shutil
    import threading

    from atlas.kb.export import catalog
    from atlas.kb.synthetic import write_synthetic_kb
    from atlas.sitegen.layout import graph_layout

    big = catalog(write_synthetic_kb(tmp_path / "kb", 2000, 6000))
    site = tmp_path / "site"
    shutil.copytree(built_site / "graph", site / "graph")
    shutil.copytree(built_site / "assets", site / "assets")
    (site / "assets" / "graph.json").write_text(json.dumps(big), encoding="utf-8")
    (site / "assets" / "graph-layout.json").write_text(json.dumps(graph_layout(big)), encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/graph/")
        open_graph_ready(page)
        assert page.evaluate("window.atlasGraph.cy.nodes('[kind]').length") == 2000  # + category boxes
        first, last = big["entries"][0], big["entries"][-1]
        page.fill("#atlas-from", first["name"])
        page.fill("#atlas-to", last["name"])
        page.click("#atlas-path-go")
        page.locator(".atlas-graph-path li").first.wait_for(timeout=10_000)
        page.uncheck("#atlas-f-layers-support")  # filtering 2,000 nodes answers too
        assert page.evaluate("window.atlasGraph.cy.nodes('[kind]:visible').length") < 2000
        page.locator("#atlas-graph-canvas").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "site-graph-2000.png"))
    finally:
        context.close()
        server.shutdown()
        server.server_close()
