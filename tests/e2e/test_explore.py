"""The graph explorer as a reader meets it: it fills the first screen, a selected node shows a card
and lands in the URL, reloading restores the view (node, filters, path), dark mode recolours it."""

from __future__ import annotations

import pytest
from test_site import click_node, open_graph_ready
from test_site_pages import axe_violations

pytestmark = pytest.mark.playwright


def test_explorer_fills_the_first_screen(page, site_url, artifacts):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    box = page.locator("#atlas-graph-canvas").bounding_box()
    view = page.viewport_size
    assert box["y"] + box["height"] <= view["height"] + 2, box  # all of it on the first screen
    assert box["height"] >= 0.6 * view["height"] and box["width"] >= 0.6 * view["width"], box
    assert page.locator(".atlas-graph-legend li").count() >= 4  # layers and relation types
    sizes = page.evaluate("[...new Set(window.atlasGraph.cy.nodes().map(n => n.data('size')))].length")
    assert sizes > 3  # sized by degree
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "explorer-desktop-en.png"))
    page.click(".atlas-graph-toggle")  # the side panel folds away, the graph takes the width
    wide = page.locator("#atlas-graph-canvas").bounding_box()
    assert wide["width"] > box["width"] + 100
    assert page.get_attribute(".atlas-graph-toggle", "aria-expanded") == "false"


def test_selecting_a_node_updates_the_url_and_reload_restores_it(page, site_url):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    click_node(page, "containerd")
    card = page.locator(".atlas-graph-card")
    assert card.is_visible() and "containerd" in card.inner_text()
    page.wait_for_function("location.search.includes('node=containerd')")
    page.uncheck("#atlas-f-layers-support")
    page.wait_for_timeout(400)  # the viewport write-back is debounced
    url = page.url
    assert "off=layers%3Asupport" in url or "off=layers:support" in url
    zoom = page.evaluate("window.atlasGraph.cy.zoom()")
    page.goto(url)
    open_graph_ready(page)
    assert page.locator(".atlas-graph-card").is_visible() and "containerd" in page.inner_text(
        ".atlas-graph-card"
    )
    assert page.evaluate("window.atlasGraph.cy.getElementById('containerd').hasClass('hit')")
    assert page.is_checked("#atlas-f-layers-support") is False
    assert abs(page.evaluate("window.atlasGraph.cy.zoom()") - zoom) < 0.01


def test_path_is_in_the_url(page, site_url):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    page.fill("#atlas-from", "Kubernetes")
    page.fill("#atlas-to", "runc")
    page.click("#atlas-path-go")
    page.locator(".atlas-graph-path li").first.wait_for()
    steps = page.locator(".atlas-graph-path li").count()
    page.wait_for_function("location.search.includes('from=Kubernetes')")
    page.goto(page.url)
    open_graph_ready(page)
    assert page.locator(".atlas-graph-path li").count() == steps
    assert page.input_value("#atlas-to") == "runc"


def test_keyboard_search_selects_and_escape_clears(page, site_url):
    page.goto(site_url + "/zh/graph/")
    open_graph_ready(page)
    page.focus("#atlas-search")
    page.keyboard.type("runc")
    page.keyboard.press("Enter")
    assert page.locator(".atlas-graph-card").is_visible()
    page.keyboard.press("Escape")
    assert page.locator(".atlas-graph-card").is_hidden()
    # a concept found by its English name is shown by its Chinese one (kb name_zh), label and card
    page.fill("#atlas-search", "Microservices")
    page.keyboard.press("Enter")
    assert page.locator(".atlas-graph-card h3").inner_text().strip() == "微服务"
    assert page.evaluate("window.atlasGraph.cy.getElementById('microservices').data('label')") == "微服务"


def test_dark_mode_recolours_the_labels(page, site_url, artifacts):
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    colour = "window.atlasGraph.cy.nodes()[0].style('color')"
    light = page.evaluate(colour)
    page.locator("label[for='__palette_1']").first.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_timeout(200)
    assert page.evaluate(colour) != light
    page.screenshot(path=str(artifacts / "explorer-desktop-dark.png"))


def test_explorer_on_a_phone(browser, site_url, artifacts):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(site_url + "/zh/graph/")
        open_graph_ready(page)
        assert page.get_attribute(".atlas-graph-toggle", "aria-expanded") == "false"  # panel folded
        box = page.locator("#atlas-graph-canvas").bounding_box()
        assert box["y"] < 740 and box["width"] > 300
        page.screenshot(path=str(artifacts / "explorer-phone-zh.png"))
    finally:
        context.close()


def test_keyboard_moves_between_nodes_announces_and_opens(page, site_url):
    """Tab to the graph, arrow keys walk to the nearest node in that direction, Enter opens it."""
    page.goto(site_url + "/graph/")
    open_graph_ready(page)
    canvas = page.locator("#atlas-graph-canvas")
    page.locator("input[data-filter]").last.focus()  # the last control before the graph
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "atlas-graph-canvas"
    assert canvas.evaluate("c => getComputedStyle(c).outlineStyle") == "solid"  # focus is visible
    assert "arrow keys" in canvas.get_attribute("aria-label")
    selected = "new URLSearchParams(location.search).get('node')"
    position = "id => window.atlasGraph.cy.getElementById(id).position()"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{selected} !== null")
    seen = [page.evaluate(selected)]
    for key, axis, sign in (("ArrowRight", "x", 1), ("ArrowDown", "y", 1), ("ArrowLeft", "x", -1)):
        page.keyboard.press(key)
        page.wait_for_function(f"{selected} !== {seen[-1]!r}")
        seen.append(page.evaluate(selected))
        before, after = page.evaluate(position, seen[-2]), page.evaluate(position, seen[-1])
        assert (after[axis] - before[axis]) * sign > 0, (key, seen, before, after)
    names = page.evaluate("window.atlasGraph.cy.nodes('[kind]').map(n => [n.id(), n.data('label')])")
    name = dict(names)[seen[-1]]
    live = page.locator(".atlas-graph-status")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text().startswith(name)
    assert name in page.inner_text(".atlas-graph-card")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/components/{seen[-1]}/")
    assert page.locator("h1").inner_text() == name


def test_categories_are_labelled_boxes_around_their_components(page, site_url):
    page.goto(site_url + "/zh/graph/")
    open_graph_ready(page)
    boxes = page.evaluate(
        """() => { const cy = window.atlasGraph.cy;
          return cy.nodes('.cat').map(c => ({label: c.data('label'),
            box: c.boundingBox({includeLabels: true}),
            inside: cy.nodes('[kind]').filter(n => n.data('category') === c.data('category')).every(n => {
              const p = n.position(), b = c.boundingBox({includeLabels: false});
              return p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2; }) })); }"""
    )
    assert len(boxes) >= 20 and all(b["inside"] for b in boxes)  # each box holds all its components
    assert "容器运行时" in [b["label"] for b in boxes]  # labelled in the page's language
    for i, a in enumerate(boxes):  # no two category boxes overlap
        for b in boxes[i + 1 :]:
            x = min(a["box"]["x2"], b["box"]["x2"]) - max(a["box"]["x1"], b["box"]["x1"])
            y = min(a["box"]["y2"], b["box"]["y2"]) - max(a["box"]["y1"], b["box"]["y1"])
            assert x <= 0 or y <= 0, (a["label"], b["label"])
