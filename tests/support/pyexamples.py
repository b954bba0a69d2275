"""Shared by the in-browser Python tests and bench: the pyrun examples, a CPython reference run of
them, and a loopback static server for a built site.

- `blocks_of(page)`: the code of every ```pyrun block of a Markdown page, as the site renders it;
- `load_runner()`: site-src/assets/py/atlas_runner.py (what the browser's worker runs) as a fresh
  module in this CPython;
- `cpython_outputs(blocks, catalog)`: each block's stdout when run in order through that runner in
  this CPython (the reference the Pyodide outputs must equal);
- `StaticServer(site_dir)`: serves a built site on 127.0.0.1 (WebAssembly and module MIME types,
  long cache lifetimes for versioned files under assets/vendor/ and assets/wheels/);
- `built_site(tmp)`: `./atlas build --out <tmp>/site` (or `$ATLAS_TEST_SITE` when it is set);
- `need(what, ok, reason)`: tests/realparts.py's, re-exported for the Python tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import io
import os
import re
import subprocess
import threading
import types
from pathlib import Path

from realparts import need  # noqa: F401 - re-exported for the Python tests

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "site-src" / "assets"
DOCS = ROOT / "docs" / "python"
FENCE = re.compile(r"^```pyrun[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
VERSIONED = ("/assets/vendor/", "/assets/wheels/")


def blocks_of(page: Path) -> list[str]:
    """The code of every pyrun block of a Markdown page, in order."""
    return [m.group(1).strip("\n") for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def pages() -> list[Path]:
    """Every Markdown page under docs/python/ (en and zh)."""
    return sorted(DOCS.glob("*.md"))


def page_url(page: Path) -> str:
    """The site path of a docs/python page: `python/x/`, `zh/python/x/`, `python/` for index."""
    stem = page.name.removesuffix(".md")
    lang = ""
    if stem.endswith(".zh"):
        stem, lang = stem[:-3], "zh/"
    return f"{lang}python/" + ("" if stem == "index" else f"{stem}/")


RUNNER = ASSETS / "py" / "atlas_runner.py"


def load_runner() -> types.ModuleType:
    """A fresh copy of the block runner the browser's worker imports (its own namespace each time)."""
    spec = importlib.util.spec_from_file_location("atlas_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpython_outputs(code_blocks: list[str], catalog: dict) -> list[str]:
    """Run blocks in order through atlas_runner.py in this CPython; return each stdout.

    Raises AssertionError naming the block when one fails in CPython too.
    """
    import atlasgraph

    runner = load_runner()
    runner.preload(catalog, atlasgraph.load(catalog))
    outs = []
    for i, code in enumerate(code_blocks):
        buf, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
            outcome = _drive(runner.run(code, f"<block {i + 1}>"))
        assert outcome == "", f"block {i + 1} fails in CPython too:\n{code}\n{err.getvalue()}"
        outs.append(buf.getvalue())
    return outs


def _drive(coro):
    """Run a coroutine that never suspends (works inside another event loop, e.g. Playwright's)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("an example awaited something; the CPython reference cannot run it")


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".whl": "application/zip",
    }

    def end_headers(self) -> None:
        if any(part in self.path for part in VERSIONED):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:
        """Send a file body, counting its bytes and path on the server (for the benchmark)."""
        start = source.tell()
        super().copyfile(source, outputfile)
        self.server.sent.append((self.path, source.tell() - start))

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


class StaticServer:
    """A built site on http://127.0.0.1:<free port>/ in a background thread (a context manager).

    `sent` lists (path, body bytes) for every response body sent, 304s excluded.
    """

    @property
    def sent(self) -> list[tuple[str, int]]:
        """(path, bytes) of every response body sent so far."""
        return self.httpd.sent

    def __init__(self, site_dir: Path) -> None:
        handler = functools.partial(_Handler, directory=str(site_dir))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.sent = []  # (path, body bytes) of every response body sent
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def built_site(tmp: Path) -> Path:
    """A freshly built site (`./atlas build --out tmp/site`), or `$ATLAS_TEST_SITE` when set."""
    given = os.environ.get("ATLAS_TEST_SITE")
    if given:
        return Path(given)
    out = tmp / "site"
    proc = subprocess.run(
        [str(ROOT / "atlas"), "build", "--out", str(out)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"./atlas build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return out
