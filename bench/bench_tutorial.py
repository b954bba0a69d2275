"""Benchmark: tutorial terminal readiness and page weight, in Debian's Chromium (headless).

Prints, in one run:
- time from navigation to a usable prompt in a tutorial's terminal (warm pool): open the `containers`
  tutorial (shell profile, which is pooled), press its first ▶, wait until `window.atlasTerminal.text()`
  shows the shell prompt (`user@host:dir$`); each run in a fresh browser profile (cold cache), with
  its phases on one clock from the moment the bench asks for the page: the browser starts the
  navigation, the HTML has arrived, DOMContentLoaded, ▶ is wired (terminal.js's performance mark
  "atlas:run-ready"), ▶ clicked (Playwright's click returned), prompt; p50/p90 over N runs
  (target: p50 < 1.5 s);
- page weight of the home, a component page, the graph explorer and a tutorial: bytes transferred
  on first load with a cold cache (CDP Network.loadingFinished, encoded sizes, until the network is
  idle; target: < 1 MB for all but the graph explorer), and the search index the page fetches once
  it has settled (assets/js/search-later.js) or the reader opens search.

Usage: .venv/bin/python bench/bench_tutorial.py [--url http://127.0.0.1:8000 | --site DIR] [--runs 5]
Without --url it serves `site/` (rebuilt first when its sources changed, as `./atlas up` does) or
--site DIR with `atlas serve` on a free port (a
static server when the sandbox service cannot start, so page weights are still measured).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from realparts import CHROMIUM_ARGS as ARGS  # noqa: E402
from server_process import ServerProcess  # noqa: E402

PAGES = {
    "home": "/",
    "component (runc)": "/components/runc/",
    "graph explorer": "/graph/",
    "tutorial (first-container)": "/tutorials/first-container/",
}
PROMPT = re.compile(r"\$\s*$")
MB = 1024 * 1024


def _site(site: Path | None = None) -> Path:
    """`site` as given, else site/ built from the current sources when they changed (as `./atlas up`
    does: a stale site/ would measure yesterday's pages)."""
    if site:
        return site
    from atlas.provision.setup import SITE_DIR, build_site_step

    print(f"bench: site/: {build_site_step()}")
    return SITE_DIR


def start_server(tmp: Path, site: Path | None = None) -> tuple[str, ServerProcess, bool]:
    """Start `atlas serve` of `site` (default: site/, built if missing) (live=True) or, when it cannot
    start, a static server (live=False)."""
    site = _site(site)
    cmd = [sys.executable, "-m", "atlas.cli", "serve", "--site", str(site), "--port", "{port}"]
    srv = ServerProcess(cmd, tmp / "serve.log", {"ATLAS_STATE_DIR": str(tmp / "state")})
    if srv.start("/healthz"):
        return srv.url, srv, True
    srv.stop()
    print("bench: atlas serve did not start (see below); measuring page weight on a static server")
    print(srv.output(10))
    cmd = [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", str(site)]
    srv = ServerProcess(cmd, tmp / "static.log")
    srv.start("/")
    return srv.url, srv, False


def page_weight(browser, url: str) -> tuple[int, int, int]:
    """(bytes transferred, number of requests) for a first load of `url` in a fresh profile until the
    network is idle, and the bytes of the search index fetched after that (0 when none)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    first = dict(sizes)
    try:  # search-later.js asks for it once the page has settled (about 2 s after load)
        page.wait_for_event("requestfinished", lambda r: "search_index" in r.url, timeout=6000)
        page.wait_for_timeout(200)
    except Exception:  # noqa: BLE001 - fetched during the first load (or never): nothing deferred
        pass
    later = sum(v for k, v in sizes.items() if k not in first)
    ctx.close()
    return int(sum(first.values())), len(first), int(later)


PHASES = ("navigation", "HTML", "DOMContentLoaded", "▶ wired", "▶ clicked", "prompt")


def time_to_prompt(browser, url: str) -> dict[str, float | None]:
    """Seconds from asking for the page to each of PHASES (None: the page has no such mark)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    wall0, t0 = time.time(), time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    block = page.locator("[data-atlas-run]").first
    block.locator("button", has_text=re.compile("▶|Run|运行")).first.click()
    t1 = time.perf_counter()
    try:
        page.wait_for_function(
            "() => { const a = window.atlasTerminal, t = a && a.text && a.text();"
            " return !!t && /[\\w-]+@[\\w.-]+:[^\\n]*\\$/.test(t); }",
            timeout=30_000,
            polling=20,
        )
        t2 = time.perf_counter()
        # The page's own clock: its time origin is when the browser started the navigation.
        marks = page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
                const w = performance.getEntriesByName('atlas:run-ready')[0];
                return {origin: performance.timeOrigin, html: n.responseEnd,
                        dcl: n.domContentLoadedEventStart, wired: w ? w.startTime : null}; }"""
        )
    finally:
        page.evaluate(
            """async () => { const s = window.atlasTutorial && window.atlasTutorial.session('shell');
                if (s) await fetch('/api/sessions/' + s.id, {method: 'DELETE',
                    headers: {Authorization: 'Bearer ' + s.token}}); }"""
        )
        ctx.close()
    nav = marks["origin"] / 1000 - wall0
    at = {k: (None if marks[k] is None else nav + marks[k] / 1000) for k in ("html", "dcl", "wired")}
    return dict(zip(PHASES, (nav, at["html"], at["dcl"], at["wired"], t1 - t0, t2 - t0), strict=True))


def _pct(values: list[float], q: float) -> float:
    """The q-quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def report_prompt(runs: list[dict[str, float | None]]) -> None:
    """Print p50/p90 of each phase and the verdict on navigation -> prompt."""
    for name in PHASES:
        vals = [r[name] for r in runs if r[name] is not None]
        if vals:
            print(f"  {name:17s} p50 {statistics.median(vals):6.3f} s   p90 {_pct(vals, 0.9):6.3f} s")
    click = [r["prompt"] - r["▶ clicked"] for r in runs]
    print(f"  ▶ clicked -> prompt p50 {statistics.median(click):6.3f} s   p90 {_pct(click, 0.9):6.3f} s")
    p50 = statistics.median(r["prompt"] for r in runs)
    print(f"  target p50 < 1.5 s from navigation: {'OK' if p50 < 1.5 else 'OVER TARGET'} ({p50:.3f} s)")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers; exit 0 (numbers are reported, not asserted)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--site", type=Path, help="the built site to serve (default: site/)")
    ap.add_argument("--runs", type=int, default=5, help="prompt measurements (default 5)")
    ap.add_argument("--no-weight", action="store_true", help="skip the page weights")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-tutorial-"))
    proc, live, url = None, True, args.url
    if not url:
        url, proc, live = start_server(tmp, args.site)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            print(f"bench_tutorial: {url} ({'site + sandbox' if live else 'static site only'})")
            if not args.no_weight:
                print("\npage weight, first load, cold cache:")
            for name, path in {} if args.no_weight else PAGES.items():
                size, n, later = page_weight(browser, url + path)
                limit = "" if name == "graph explorer" else ("  OK (< 1 MB)" if size < MB else "  OVER 1 MB")
                then = f"  (+ {later / 1024:.0f} KiB search index once settled)" if later else ""
                print(f"  {name:28s} {size / 1024:8.0f} KiB in {n:3d} requests{limit}{then}")
            if live:
                page_url = url + "/tutorials/containers/"
                print(
                    f"\ntime to a usable prompt ('containers' tutorial, shell, warm pool), {args.runs} runs:"
                )
                runs = []
                for _ in range(args.runs):
                    time.sleep(2)  # let the warm pool refill
                    try:
                        r = time_to_prompt(browser, page_url)
                    except Exception as exc:  # noqa: BLE001 - report and go on
                        print(f"  run failed: {str(exc).splitlines()[0]}")
                        continue
                    runs.append(r)
                    print("  " + "  ".join(f"{k} {v:.3f}" for k, v in r.items() if v is not None))
                if runs:
                    report_prompt(runs)
            browser.close()
    finally:
        if proc:
            proc.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
