"""Benchmark: tutorial terminal readiness and page weight, in Debian's Chromium (headless).

Prints, in one run:
- time from navigation to a usable prompt in a tutorial's terminal (warm pool): open the `containers`
  tutorial (shell profile, which is pooled), press its first ▶, wait until `window.atlasTerminal.text()`
  shows the shell prompt (`user@host:dir$`); p50/max over N runs, each in a fresh browser profile
  (target: < 1.5 s);
- page weight of the home, a component page, the graph explorer and a tutorial: bytes transferred
  on first load with a cold cache (CDP Network.loadingFinished, encoded sizes; target: < 1 MB for all
  but the graph explorer).

Usage: .venv/bin/python bench/bench_tutorial.py [--url http://127.0.0.1:8000] [--runs 5]
Without --url it builds the site if needed and starts `atlas serve` on a free port (a static server
when the sandbox service cannot start, so page weights are still measured).
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


def _site() -> Path:
    site = ROOT / "site"
    if (site / "tutorials" / "first-container" / "index.html").is_file():
        return site
    from atlas.sitegen.publish import build_site

    out = Path(tempfile.mkdtemp(prefix="bench-site-")) / "site"
    build_site(ROOT / "kb", out)
    return out


def start_server(tmp: Path) -> tuple[str, ServerProcess, bool]:
    """Start `atlas serve` (live=True) or, when it cannot start, a static server (live=False)."""
    site = _site()
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


def page_weight(browser, url: str) -> tuple[int, int]:
    """(bytes transferred, number of requests) for a first load of `url` in a fresh profile."""
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    ctx.close()
    return int(sum(sizes.values())), len(sizes)


def time_to_prompt(browser, url: str) -> tuple[float, float, float]:
    """Seconds from navigation to: DOMContentLoaded, the ▶ click, the shell prompt in the terminal."""
    ctx = browser.new_context()
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    t_dcl = time.perf_counter()
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
    finally:
        page.evaluate(
            """async () => { const s = window.atlasTutorial && window.atlasTutorial.session('shell');
                if (s) await fetch('/api/sessions/' + s.id, {method: 'DELETE',
                    headers: {Authorization: 'Bearer ' + s.token}}); }"""
        )
        ctx.close()
    return t_dcl - t0, t1 - t0, t2 - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers; exit 0 (numbers are reported, not asserted)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--runs", type=int, default=5, help="prompt measurements (default 5)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-tutorial-"))
    proc, live, url = None, True, args.url
    if not url:
        url, proc, live = start_server(tmp)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            print(f"bench_tutorial: {url} ({'site + sandbox' if live else 'static site only'})")
            print("\npage weight, first load, cold cache:")
            for name, path in PAGES.items():
                size, n = page_weight(browser, url + path)
                limit = "" if name == "graph explorer" else ("  OK (< 1 MB)" if size < MB else "  OVER 1 MB")
                print(f"  {name:28s} {size / 1024:8.0f} KiB in {n:3d} requests{limit}")
            if live:
                page_url = url + "/tutorials/containers/"
                print(
                    f"\ntime to a usable prompt ('containers' tutorial, shell, warm pool), {args.runs} runs:"
                )
                nav, click = [], []  # navigation -> prompt, ▶ click -> prompt
                for _ in range(args.runs):
                    time.sleep(2)  # let the warm pool refill
                    try:
                        dcl, clicked, prompt = time_to_prompt(browser, page_url)
                    except Exception as exc:  # noqa: BLE001 - report and go on
                        print(f"  run failed: {str(exc).splitlines()[0]}")
                        continue
                    nav.append(prompt)
                    click.append(prompt - clicked)
                    print(f"  navigation -> prompt {prompt:6.3f} s   (DOMContentLoaded {dcl:.3f} s, "
                          f"▶ clicked {clicked:.3f} s, ▶ -> prompt {prompt - clicked:.3f} s)")  # fmt: skip
                if nav:
                    p50 = statistics.median(nav)
                    verdict = "OK" if p50 < 1.5 else "OVER TARGET"
                    p50c = statistics.median(click)
                    print(
                        f"  p50 {p50:.3f} s, max {max(nav):.3f} s from navigation (p50 {p50c:.3f} s from ▶)"
                    )
                    print(f"  target < 1.5 s from navigation: {verdict}")
            browser.close()
    finally:
        if proc:
            proc.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
