"""In-browser Python benchmark (issue 7): prints seconds, bytes and ratios, asserts nothing.

Real Chromium (Playwright) against the built site on a loopback static server that counts every
response body it sends (versioned files under assets/vendor/ and assets/wheels/ are served with a
one-year cache lifetime, the rest with `no-cache`, as a deployment should). For each page:

- cold: a fresh browser context (empty cache): load the page, press ▶ Run on the first block at
  once, wait for the first Python output;
- warm: the same context loads the page again (cached) and does the same;
- bytes: response bytes the server sent for that load.

Time to first output is counted from the start of navigation (what the learner waits for) and from
the click. Baseline, measured in the same run: a page without Python (the home page), whose load
must fetch no Pyodide file at all. Target (issue 7): warm under 3 s.

The server sends files as stored (no gzip), so "bytes sent" is what a host without compression
sends; `./atlas serve` gzips the WebAssembly and JavaScript (about 14 MB instead of 21 MB cold).
Each run also prints how the worker started Python ("snapshot" or "plain", see pyworker.js).

Usage: .venv/bin/python bench/bench_pyodide.py [--site DIR] [--repeat 3]
(without --site the site is built into a temporary folder with `./atlas build`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from pyexamples import StaticServer, built_site  # noqa: E402
from realparts import CHROMIUM_ARGS as ARGS  # noqa: E402

PAGES = {"hello (stdlib only)": "python/", "graph playground (networkx + G)": "python/graph-playground/"}
FIRST_OUTPUT_JS = """() => new Promise((resolve) => {
  const block = document.querySelector('[data-atlas-pyrun]');
  const out = block.querySelector('.atlas-pyrun__out');
  const clicked = performance.now();
  const done = () => resolve({clicked, output: performance.now(), state: block.dataset.state});
  new MutationObserver((_, obs) => { if (out.textContent) { obs.disconnect(); done(); } })
    .observe(out, {childList: true, subtree: true, characterData: true});
  block.querySelector('[data-action=run]').click();
})"""


def load_and_run(page, url: str, server: StaticServer) -> dict:
    """Load `url`, press ▶ Run on its first block; return seconds and bytes sent by the server."""
    before = len(server.sent)
    page.goto(url, wait_until="load")
    got = page.evaluate(FIRST_OUTPUT_JS)
    page.wait_for_function(
        "() => ['done','error'].includes(document.querySelector('[data-atlas-pyrun]').dataset.state)",
        timeout=180_000,
    )
    sent = server.sent[before:]
    return {
        "start": page.get_attribute("[data-atlas-pyrun]", "data-python-start"),
        "first_output": got["output"] / 1000,
        "after_click": (got["output"] - got["clicked"]) / 1000,
        "bytes": sum(n for _, n in sent),
        "pyodide_bytes": sum(n for p, n in sent if "/vendor/pyodide" in p),
    }


def plain_load(page, url: str, server: StaticServer) -> dict:
    """Load a page without Python blocks; return seconds to `load`, bytes, and Pyodide files fetched."""
    before = len(server.sent)
    page.goto(url, wait_until="networkidle")
    seconds = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    sent = server.sent[before:]
    py_files = [p for p, _ in sent if "pyodide" in p or "/wheels/" in p or "pyworker" in p]
    return {"seconds": seconds, "bytes": sum(n for _, n in sent), "py_files": py_files}


def median(rows: list[dict], key: str) -> float:
    """Median of one field over repeated measurements."""
    return statistics.median(r[key] for r in rows)


def main() -> int:
    """Build (or take) the site, measure, print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build one into a temp folder)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-pyodide-") as tmp:
        site = args.site or built_site(Path(tmp))
        with StaticServer(site) as server, sync_playwright() as pw:

            def profile(n: int):
                # A persistent profile has a disk cache, as a learner's browser does (an incognito
                # context keeps only a small memory cache that drops the 9.6 MB WebAssembly file).
                return pw.chromium.launch_persistent_context(
                    Path(tmp) / f"profile-{n}", executable_path="/usr/bin/chromium", args=ARGS
                )

            ctx = profile(0)
            page = ctx.new_page()
            base = [plain_load(page, server.url, server) for _ in range(args.repeat)]
            ctx.close()
            baseline = median(base, "seconds")
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
            print(
                f"baseline: home page (no Python), cached load: {baseline:.2f} s, "
                f"{base[0]['bytes']:,} bytes cold; Pyodide files fetched: {len(base[0]['py_files'])}"
            )
            print(
                f"{'page':<34} {'load':<5} {'first output':>12} {'after click':>12} "
                f"{'bytes sent':>12} {'ratio':>6}  python start"
            )
            n = 0
            for name, path in PAGES.items():
                cold, warm = [], []
                for _ in range(args.repeat):
                    n += 1
                    ctx = profile(n)
                    page = ctx.new_page()
                    cold.append(load_and_run(page, server.url + path, server))
                    warm.append(load_and_run(page, server.url + path, server))
                    ctx.close()
                for label, rows in (("cold", cold), ("warm", warm)):
                    first = median(rows, "first_output")
                    starts = ",".join(sorted({str(r["start"]) for r in rows}))
                    print(
                        f"{name:<34} {label:<5} {first:>10.2f} s {median(rows, 'after_click'):>10.2f} s "
                        f"{int(median(rows, 'bytes')):>12,} {first / baseline:>5.1f}x  {starts}"
                    )
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("target: warm first output < 3 s; ratio = first output / home page load (same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
