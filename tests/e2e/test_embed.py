"""Embeds in Chromium: the snippet maker, and a snippet pasted into a page on another origin —
the frame sizes itself through postMessage and its links open in the host page."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.playwright


@pytest.fixture
def foreign_origin(tmp_path):
    """A second static server (another port, so another origin) for host pages; yields (dir, url)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_snippet_in_a_foreign_page_sizes_itself_and_opens_links_in_the_parent(page, site_url, foreign_origin):
    page.goto(site_url + "/embed/")
    page.select_option("select[name=view]", "card")
    page.select_option("select[name=id]", "containerd")
    snippet = page.input_value(".atlas-embed-snippet")
    assert "view=card" in snippet and "id=containerd" in snippet and "atlas-embed-height" in snippet
    folder, host = foreign_origin
    (folder / "host.html").write_text(
        f"<!doctype html><html><head><title>Host</title></head><body><h1>A blog</h1>{snippet}</body></html>",
        encoding="utf-8",
    )
    page.goto(host + "/host.html")
    assert urlparse(page.url).port != urlparse(site_url).port
    frame_el = page.locator("iframe[data-atlas-embed]")
    page.wait_for_function("document.querySelector('iframe[data-atlas-embed]').style.height !== '320px'")
    height = frame_el.bounding_box()["height"]
    frame = page.frame_locator("iframe[data-atlas-embed]")
    inner = frame.locator("main").bounding_box()["height"]
    assert abs(height - inner) < 4, (height, inner)  # the frame fits its content
    frame.locator("a.open").click()
    page.wait_for_url(site_url + "/components/containerd/")  # the host page navigated, not the frame
    assert page.locator("h1").first.inner_text() == "containerd"


def test_category_table_and_graph_views_in_chinese(page, site_url):
    cat = json.loads(page.request.get(site_url + "/data/v1/graph.json").text())
    members = [e for e in cat["entries"] if e["category"] == "runtimes"]
    page.goto(site_url + "/embed/view.html?view=category&id=runtimes&lang=zh")
    page.wait_for_selector("body[data-ready='true']")
    assert page.locator("tbody tr").count() == len(members), page.inner_text("main")[:300]
    assert page.locator("th").first.inner_text() == "名称"
    assert page.locator("a").first.get_attribute("href").startswith(site_url + "/zh/components/")
    page.goto(site_url + "/embed/view.html?view=graph&id=runc&lang=en")
    page.wait_for_selector("body[data-ready='true']")
    neighbours = {r["target"] for r in cat["relations"] if r["source"] == "runc"}
    assert page.locator("svg a").count() == min(len(neighbours), 16) + 1
