"""Page weight and explorer start-up (issue 14): prints numbers, asserts nothing.

1. bytes each kind of page transfers on a cold load in Chromium (every response body as served,
   the same gzip-compressed as a production server sends it, and how much of it is Material's
   search index, which every page fetches), against the budget (1 MB, explorer 1.5 MB);
2. the graph explorer's time to first interactive paint (navigation start -> the graph drawn and
   answering, `data-ready`) with the real KB (~300 nodes) and a synthetic one of 2,000 nodes.

Usage: .venv/bin/python bench/bench_pages.py [--site DIR]  (default: build the real kb/ into a temp dir)
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "support")]

PAGES = [
    "/", "/zh/", "/components/runc/", "/zh/components/kubernetes/", "/categories/runtimes/", "/graph/",
    "/timeline/", "/zh/timeline/", "/stats/", "/compare/?ids=runc,crun,youki", "/data/", "/embed/",
    "/embed/view.html?view=card&id=containerd", "/learning-path/",
]  # fmt: skip
BUDGET = {"/graph/": 1_500_000}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def weight(browser, url: str) -> tuple[int, int, int]:
    """(bytes as served, bytes gzip-compressed, bytes of the search index among them)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sizes: list[tuple[int, int, bool]] = []

    def on_response(r) -> None:
        try:
            body = r.body()
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            return
        sizes.append((len(body), len(gzip.compress(body, 6)), "search_index.json" in r.url))

    page.on("response", on_response)
    page.goto(url, wait_until="networkidle")
    if "/graph/" in url:
        page.wait_for_selector("[data-atlas-graph][data-ready='true']", timeout=60_000)
    context.close()
    return sum(a for a, _, _ in sizes), sum(z for _, z, _ in sizes), sum(a for a, _, idx in sizes if idx)


def first_paint(browser, url: str, runs: int = 3) -> float:
    """Median seconds from navigation start to the explorer's data-ready."""
    times = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("[data-atlas-graph][data-ready='true']", timeout=60_000)
        times.append(page.evaluate("performance.now()") / 1000)
        context.close()
    return sorted(times)[len(times) // 2]


def main() -> None:
    from atlas.kb.export import catalog
    from atlas.kb.synthetic import write_synthetic_kb
    from atlas.sitegen.layout import graph_layout
    from atlas.sitegen.publish import build_site
    from playwright.sync_api import sync_playwright
    from realparts import CHROMIUM_ARGS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", help="an already built site (default: build kb/ now)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    site = Path(args.site) if args.site else tmp / "site"
    if not args.site:
        t0 = time.perf_counter()
        build_site(ROOT / "kb", site)
        print(f"built the real site in {time.perf_counter() - t0:.1f} s")
    big = tmp / "big"
    shutil.copytree(site / "graph", big / "graph")
    shutil.copytree(site / "assets", big / "assets")
    cat = catalog(write_synthetic_kb(tmp / "kb", 2000, 6000))
    (big / "assets" / "graph.json").write_text(json.dumps(cat), encoding="utf-8")
    t1 = time.perf_counter()
    lay = graph_layout(cat)
    print(f"build-time explorer layout, 2000 nodes: {time.perf_counter() - t1:.2f} s")
    (big / "assets" / "graph-layout.json").write_text(json.dumps(lay), encoding="utf-8")
    server, url = serve(site)
    server2, url2 = serve(big)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            print(f"{'page':44} {'bytes':>10} {'gzip':>10} {'search idx':>10} {'budget':>10}  ok (gzip)")
            for p in PAGES:
                n, z, idx = weight(browser, url + p)
                budget = BUDGET.get(p, 1_000_000)
                print(f"{p:44} {n:>10,} {z:>10,} {idx:>10,} {budget:>10,}  {'yes' if z <= budget else 'NO'}")
            nodes = len(json.loads((site / "assets" / "graph.json").read_text(encoding="utf-8"))["entries"])
            for n, base in ((nodes, url), (2000, url2)):
                secs = first_paint(browser, base + "/graph/")
                print(f"explorer first interactive paint, {n} nodes: {secs:.2f} s")
            browser.close()
    finally:
        server.shutdown()
        server2.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
