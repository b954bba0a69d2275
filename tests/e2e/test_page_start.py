"""What a page does while it starts (the tutorial benchmark's path, bench/bench_tutorial.py): every
module it runs is asked for from <head> at once, and the site's search index waits until the reader
opens search or the page has settled (site-src/assets/js/search-later.js); search then works."""

from __future__ import annotations

import re


def _load(page, url: str, requested: list[str]) -> None:
    """Open `url` with an empty `requested`; again (at most twice) when Chromium aborted one of its
    requests with ERR_NETWORK_CHANGED (the host gained or lost a Docker interface meanwhile)."""
    aborted: list[str] = []

    def note(req) -> None:
        if "ERR_NETWORK_CHANGED" in (req.failure or ""):
            aborted.append(req.url)

    page.on("requestfailed", note)
    for _ in range(3):
        aborted.clear()
        requested.clear()
        page.goto(url, wait_until="load")
        if not aborted:
            return
    raise AssertionError(f"requests aborted by network changes three times: {aborted}")


def test_modules_are_preloaded_and_search_waits_for_the_reader(page, site_url):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _load(page, site_url + "/tutorials/containers/", requested)
    early = [u for u in requested if "search_index" in u]  # held until 2 s after load, or search opens
    assert not early, "the search index was fetched while the page started"
    page.locator(".atlas-run__run").first.wait_for()  # ▶ is wired
    modules = page.evaluate(
        """() => performance.getEntriesByType('resource')
             .filter((e) => /\\/assets\\/js\\/[\\w-]+\\.js$/.test(e.name) && !/search-later/.test(e.name))
             .map((e) => ({name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd}))"""
    )
    page_modules = {
        "terminal.js", "tutorial.js", "terminal-panel.js", "sessions.js", "common.js", "strings.js"
    }  # fmt: skip
    first = {}
    for m in modules:  # a request cut off by a network change (Docker adding a bridge) is asked again
        first.setdefault(m["name"], m)
    assert page_modules <= set(first)
    # No module waits for another to arrive before it is asked for (one round trip, not one per level).
    last_asked = max(m["start"] for m in first.values())
    assert last_asked < min(m["end"] for m in first.values()), f"modules fetched one after another: {modules}"

    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("runc")
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=20_000)
    assert any("search_index" in u for u in requested)
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(re.search(r"components/runc/", h) for h in hrefs), hrefs


def test_search_survives_a_dropped_index_request(page, site_url):
    """The first request for the search index fails at the network level (as when Wi-Fi changes, or
    Chromium drops requests because Docker added an interface): it is asked again, search works, and
    the page throws nothing (the `page` fixture fails the test on any uncaught error)."""
    attempts: list[str] = []

    def drop_first(route) -> None:
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r".*/search/search_index\.json$"), drop_first)
    page.goto(site_url + "/components/runc/", wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("containerd")
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=20_000)
    assert len(attempts) == 2, attempts
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("components/containerd/" in h for h in hrefs), hrefs
