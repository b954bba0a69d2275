"""The page scripts speak the page's language, from the one strings table (site-src/assets/js/strings.js).

Real Chromium on the built site, served statically (no sandbox service): what a Chinese reader sees
from terminal.js, tutorial.js and graph.js uses the site's terms (沙箱 for the sandbox), and the
English pages stay English.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.playwright

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_tutorial_offline_messages_use_the_site_terms(page, site_url):
    page.goto(site_url + "/zh/tutorials/first-container/")
    block = page.locator('[data-atlas-run][data-step="first-container/run-httpd"]').first
    assert block.locator(".atlas-run__copy").inner_text() == "复制"
    run = block.locator(".atlas-run__run")
    assert run.inner_text() == "▶ 运行"
    run.click()
    page.wait_for_function("b => b.disabled", arg=run.element_handle(), timeout=15_000)
    assert run.inner_text() == "沙箱离线"
    assert block.locator(".atlas-run__note").inner_text().startswith("本站没有运行沙箱服务")

    check = page.locator('[data-atlas-check="first-container/run-httpd"]')
    assert check.locator("button").inner_text() == "检查"
    check.locator("button").click()
    status = check.locator(".atlas-check-status")
    status.filter(has_text="沙箱").wait_for(timeout=15_000)
    assert "无法连接沙箱服务" in status.inner_text()
    assert "沙盒" not in page.locator("article").inner_text()


def test_graph_labels_follow_the_page_language(page, site_url):
    page.goto(site_url + "/zh/graph/")
    page.wait_for_selector("[data-atlas-graph][data-ready='true']", timeout=20_000)
    assert page.locator("#atlas-path-go").inner_text() == "显示路径"
    assert re.fullmatch(r"显示 \d+ 个组件、\d+ 条关系。", page.locator(".atlas-graph-status").inner_text())

    page.goto(site_url + "/graph/")
    page.wait_for_selector("[data-atlas-graph][data-ready='true']", timeout=20_000)
    assert page.locator("#atlas-path-go").inner_text() == "Show path"
    status = page.locator(".atlas-graph-status").inner_text()
    assert re.fullmatch(r"\d+ components, \d+ relations shown\.", status) and not CJK.search(status)
