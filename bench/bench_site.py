"""Site build benchmark (issue 3): prints seconds and ratios, asserts nothing.

1. generator: load + validate + graph/export + every generated page's HTML (both languages) for a
   synthetic KB of 2,000 entries / 6,000 relations (target < 2 s);
2. full bilingual site build of that KB vs a plain MkDocs Material build of the same number of
   trivial pages (not in nav), measured in the same run (target ratio <= 1.5);
3. the real kb/ build (target < 20 s on 2 cores).
Each build runs in a fresh Python process so both sides pay the same start-up costs.

Usage: .venv/bin/python bench/bench_site.py [--entries 2000] [--relations 6000] [--skip-real]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

BASELINE_YML = """site_name: Baseline
docs_dir: docs
site_dir: {site}
use_directory_urls: true
theme:
  name: material
  font: false
plugins:
  - search
nav:
  - index.md
not_in_nav: |
  /p/
"""


def _timed(code: str) -> tuple[float, float]:
    """Run `code` in a fresh interpreter; return (wall seconds, CPU seconds of that process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"benchmark step failed:\n{code}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def generator_seconds(kb: Path) -> tuple[float, float]:
    """CPU seconds of (load + validate + export, every generated page's HTML in both languages)."""
    from atlas.kb.export import catalog
    from atlas.sitegen.model import SiteModel
    from atlas.sitegen.render_component import component_page
    from atlas.sitegen.render_lists import category_page, ecosystem_map

    start = time.process_time()
    data = catalog(kb)
    loaded = time.process_time()
    model = SiteModel.from_catalog(data)
    for lang in ("en", "zh"):
        for entry_id in model.entries:
            component_page(model, entry_id, lang, [])
        for cat in model.vocab["categories"]:
            category_page(model, cat, lang)
        ecosystem_map(model, lang)
    return loaded - start, time.process_time() - loaded


def baseline_docs(directory: Path, n_pages: int) -> None:
    """A plain docs folder: an index and `n_pages` trivial pages under p/."""
    (directory / "p").mkdir(parents=True)
    (directory / "index.md").write_text("# Baseline\n\nHello.\n")
    for i in range(n_pages):
        (directory / "p" / f"page-{i:05d}.md").write_text(f"# Page {i}\n\nA trivial page number {i}.\n")


def main() -> int:
    """Run the benchmark and print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--relations", type=int, default=6000)
    ap.add_argument("--skip-real", action="store_true", help="do not build the real kb/")
    args = ap.parse_args()
    from atlas.kb.synthetic import write_synthetic_kb

    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        tmp = Path(tmp)
        kb = write_synthetic_kb(tmp / "kb", args.entries, args.relations)
        load, pages = generator_seconds(kb)
        size = f"{args.entries} entries, {args.relations} relations"
        print(
            f"generator ({size}), CPU: load+validate+export {load:.2f} s + page HTML en+zh {pages:.2f} s "
            f"= {load + pages:.2f} s (target < 2 s)"
        )

        site = tmp / "site"
        docs = tmp / "docs"  # top-level hand-written pages only (tutorials etc. link real KB entries)
        docs.mkdir()
        for page in (ROOT / "docs").glob("*.md"):
            shutil.copy(page, docs / page.name)
        full = _timed(
            "from pathlib import Path; from atlas.kb.export import catalog; "
            "from atlas.sitegen.publish import build_from_catalog; "
            f"build_from_catalog(catalog(Path({str(kb)!r})), Path({str(site)!r}), "
            f"docs_dir=Path({str(docs)!r}))"
        )
        n_pages = sum(1 for _ in site.rglob("index.html"))
        print(f"full site build, both languages: {full[0]:.2f} s wall, {full[1]:.2f} s CPU ({n_pages} pages)")

        base = tmp / "baseline"
        baseline_docs(base / "docs", n_pages - 1)
        (base / "mkdocs.yml").write_text(BASELINE_YML.format(site=base / "site"))
        plain = _timed(
            "import logging; from mkdocs.config import load_config; from mkdocs.commands.build import build; "
            f"build(load_config(config_file={str(base / 'mkdocs.yml')!r}))"
        )
        print(
            f"plain MkDocs Material build, {n_pages} trivial pages not in nav: "
            f"{plain[0]:.2f} s wall, {plain[1]:.2f} s CPU"
        )
        print(
            f"ratio full/plain: {full[0] / plain[0]:.2f} wall, {full[1] / plain[1]:.2f} CPU (target <= 1.5)"
        )

    if not args.skip_real:
        with tempfile.TemporaryDirectory(prefix="atlas-bench-real-") as tmp:
            code = (
                "from pathlib import Path; from atlas.sitegen.publish import build_site; "
                f"build_site(Path({str(ROOT / 'kb')!r}), Path({str(Path(tmp) / 'site')!r}))"
            )
            try:
                real = _timed(code)
                print(
                    f"real kb/ build, both languages: {real[0]:.2f} s wall, {real[1]:.2f} s CPU "
                    "(target < 20 s)"
                )
            except SystemExit as exc:
                print(f"real kb/ build failed: {str(exc)[-1500:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
