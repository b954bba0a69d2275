"""The timeline in Chromium: archived components end, successors are named, filters live in the URL,
component pages carry their own history strip."""

from __future__ import annotations

import json

import pytest
from test_site_pages import axe_violations

pytestmark = pytest.mark.playwright


def catalog(page, site_url) -> dict:
    return json.loads(page.request.get(site_url + "/data/v1/graph.json").text())


def test_timeline_shows_archival_and_successors(page, site_url, artifacts):
    cat = catalog(page, site_url)
    entries = {e["id"]: e for e in cat["entries"]}
    page.goto(site_url + "/timeline/")
    rkt = page.locator(".atlas-tl-row[data-id='rkt']")
    end = entries["rkt"]["facts"]["status_since"]
    assert "ended" in rkt.locator(".atlas-tl-bar").get_attribute("class")
    assert rkt.locator(f".atlas-tl-mark.end[title^='{end}']").count() == 1
    coreos = page.locator(".atlas-tl-row[data-id='coreos-container-linux'] .atlas-tl-next a")
    successors = sorted(r["target"] for r in cat["relations"] if r["source"] == "coreos-container-linux"
                        and r["type"] == "succeeded-by")  # fmt: skip
    assert successors == ["fedora-coreos", "flatcar"]
    hrefs = sorted(h.split("/")[-2] for h in coreos.evaluate_all("as => as.map(a => a.href)"))
    assert hrefs == successors
    # every dated component has a row, each bar links to its page
    dated = [e for e in cat["entries"] if e["facts"]["first_release"]]
    assert page.locator(".atlas-tl-row").count() == len(dated)
    page.locator(".atlas-tl-row[data-id='rkt'] .atlas-tl-bar").click()
    page.wait_for_url("**/components/rkt/")
    assert page.locator("h1").inner_text() == "rkt"
    history = page.locator(".atlas-history")
    assert (
        str(end) in history.inner_text()
        and str(entries["rkt"]["facts"]["first_release"]) in history.inner_text()
    )


def test_timeline_filters_are_in_the_url(page, site_url, artifacts):
    page.goto(site_url + "/timeline/")
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "timeline-desktop-en.png"), full_page=False)
    page.select_option("select[name=layer]", "platform")
    assert "layer=platform" in page.url
    layers = page.eval_on_selector_all(
        ".atlas-tl-row:not([hidden])", "rs => [...new Set(rs.map(r => r.dataset.layer))]"
    )
    assert layers == ["platform"]
    page.select_option("select[name=category]", "orchestration")
    shown = page.locator(".atlas-tl-row:not([hidden])").count()
    assert shown > 0 and "category=orchestration" in page.url
    page.reload()
    assert page.locator(".atlas-tl-row:not([hidden])").count() == shown
    assert page.input_value("select[name=category]") == "orchestration"


def test_timeline_in_chinese_on_a_phone(browser, site_url, artifacts):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(site_url + "/zh/timeline/")
        assert page.locator("h1").inner_text() == "时间线"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "timeline-phone-zh.png"), full_page=False)
    finally:
        context.close()
