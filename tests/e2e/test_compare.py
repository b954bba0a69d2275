"""Compare in Chromium: from a component's alternatives to a side-by-side table whose selection
lives in the URL; the picker adds, × removes, reload keeps it; both languages, phone."""

from __future__ import annotations

import json

import pytest
from test_site_pages import axe_violations

pytestmark = pytest.mark.playwright


def columns(page) -> list[str]:
    page.locator(".atlas-compare-table table").wait_for()
    return page.eval_on_selector_all(
        ".atlas-compare-table thead th a", "as => as.map(a => a.getAttribute('href').split('/').slice(-2)[0])"
    )


def test_compare_from_alternatives_with_picker_and_url(page, site_url, artifacts):
    cat = json.loads(page.request.get(site_url + "/data/v1/graph.json").text())
    alts = [r["target"] for r in cat["relations"] if r["source"] == "runc" and r["type"] == "alternative-to"]
    assert alts
    page.goto(site_url + "/components/runc/")
    page.locator(".atlas-compare-link a").click()
    page.wait_for_url("**/compare/?ids=*")
    assert columns(page) == ["runc", *alts][:4]
    runc = next(e for e in cat["entries"] if e["id"] == "runc")
    row = page.locator("tr[data-row='first_release'] td").first.inner_text()
    assert row == str(runc["facts"]["first_release"])
    page.locator(".atlas-compare-remove").last.click()
    page.fill("#atlas-compare-input", "Kubernetes")
    page.click(".atlas-compare-pick button")
    page.wait_for_function("location.search.includes('kubernetes')")
    shown = columns(page)
    assert shown[-1] == "kubernetes" and "runc" in shown
    page.reload()
    assert columns(page) == shown
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "compare-desktop-en.png"))


def test_compare_in_chinese_on_a_phone(browser, site_url, artifacts):
    phone = {"width": 375, "height": 740}
    context = browser.new_context(viewport=phone, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site_url + "/zh/compare/?ids=docker-swarm,kubernetes")
        assert columns(page) == ["docker-swarm", "kubernetes"]
        assert page.locator("tr[data-row='first_release'] th").inner_text() == "首次发布"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "compare-phone-zh.png"))
    finally:
        context.close()
