"""In-browser Python (Pyodide) on the built site, in real Chromium, with the network cut off.

The site is built into a temporary folder and served from 127.0.0.1; every request to anything
else is aborted (and recorded, so a test fails if the page even tries). Every ```pyrun block of
docs/python/ is run with its ▶ button and its output compared with the same block run in CPython.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from pyexamples import StaticServer, blocks_of, cpython_outputs, page_url, pages

pytestmark = [pytest.mark.playwright, pytest.mark.slow]

FINISHED = "done,error,stopped"
RUN_TIMEOUT = 120_000  # ms: the first run on a cold cache boots Pyodide on a busy 2-core machine


@pytest.fixture(scope="module")
def site(request):
    """(base URL, site dir) of the built site on a loopback static server.

    The site is `$ATLAS_TEST_SITE` when set, else the e2e session's `built_site` (tests/e2e/conftest.py).
    """
    site_dir = Path(os.environ["ATLAS_TEST_SITE"]) if os.environ.get("ATLAS_TEST_SITE") else None
    site_dir = site_dir or request.getfixturevalue("built_site")
    assert (site_dir / "assets" / "wheels" / "wheels.json").is_file(), (
        "the site has no assets/wheels/: run `.venv/bin/python -m atlas.provision.wheels` before building"
    )
    with StaticServer(site_dir) as server:
        yield server.url, site_dir


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module (Chromium is the e2e session's `browser` fixture)."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context, site):
    """A page whose every request off the site is aborted; `page.requests` / `page.blocked` record them.

    The route is the page's own (it also sees the page's worker's requests), so each test sees only
    its own requests.
    """
    base, _ = site
    requests: list[str] = []
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base):
            requests.append(url)
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.route("**/*", route)
    pg.requests, pg.blocked, pg.base = requests, blocked, base
    yield pg
    pg.close()
    assert not [u for u in blocked if not u.startswith("data:")], f"requests off the site: {blocked}"
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def catalog(site):
    """The catalog the built site ships (assets/graph.json)."""
    _, site_dir = site
    return json.loads((site_dir / "assets" / "graph.json").read_text())


def run_block(pg, index: int, code: str | None = None) -> dict:
    """Press ▶ Run on the index-th pyrun block (after replacing its code); return state and output."""
    block = pg.locator("[data-atlas-pyrun]").nth(index)
    if code is not None:
        block.locator("textarea").fill(code)
    block.get_by_role("button", name=re.compile("^(Run|运行)")).click()
    pg.wait_for_function(
        "([el, states]) => states.split(',').includes(el.dataset.state)",
        arg=[block.element_handle(), FINISHED],
        timeout=RUN_TIMEOUT,
    )
    return {
        "state": block.get_attribute("data-state"),
        "output": block.locator(".atlas-pyrun__out").text_content(),
        "status": block.locator(".atlas-pyrun__status").text_content(),
        "missing": block.get_attribute("data-missing"),
        "start": block.get_attribute("data-python-start"),
    }


@pytest.mark.parametrize("md", pages(), ids=lambda p: p.name)
def test_every_block_runs_in_the_browser(page, site, catalog, md):
    blocks = blocks_of(md)
    expected = cpython_outputs(blocks, catalog) if not md.name.startswith("index") else None
    page.goto(page.base + page_url(md))
    assert page.locator("[data-atlas-pyrun] textarea").count() == len(blocks)
    for i, code in enumerate(blocks):
        assert page.locator("[data-atlas-pyrun] textarea").nth(i).input_value() == code
        got = run_block(page, i)
        assert got["state"] == "done", f"{md.name} block {i + 1}: {got}"
        assert got["start"] == "snapshot", f"{md.name}: Python was not restored from the snapshot"
        if expected is not None:
            assert got["output"] == expected[i], f"{md.name} block {i + 1}"
        else:
            assert re.match(r"Hello from CPython 3\.\d+\.\d+ on emscripten\n5050\n$", got["output"])
    assert any("pyodide.asm.wasm" in u for u in page.requests)  # the worker's requests were routed too


def axe_source(site) -> str:
    """The vendored axe-core script of the built site."""
    _, site_dir = site
    axe = sorted((site_dir / "assets" / "vendor").glob("axe-core-*.js"))
    assert axe, "axe-core is not vendored"
    return axe[0].read_text()


def test_playground_answers_the_three_questions(page, site, catalog):
    """The playground's blocks answer as atlasgraph in CPython does; an edited block sees the graph."""
    import atlasgraph

    g = atlasgraph.load(catalog)
    page.goto(page.base + "python/graph-playground/")
    path = run_block(page, 1)["output"].splitlines()
    steps = atlasgraph.path(g, "kubectl", "runc", types=["manages", "uses", "implemented-by"])
    assert path[0] == atlasgraph.format_path(steps)
    assert path[0].startswith("kubectl —") and path[0].endswith("→ runc")
    runtimes = run_block(page, 2)["output"]
    for rid in atlasgraph.implementers(g, "oci-runtime-spec"):
        assert g.nodes[rid]["name"] in runtimes
    assert "runc" in runtimes
    rkt = run_block(page, 3)["output"]
    assert rkt.startswith(f"rkt: {g.nodes['rkt']['facts']['status']} since")
    assert ("succeeded by:" in rkt) == bool(atlasgraph.successors_of(g, "rkt"))
    # The console: an edited block sees the preloaded graph.
    got = run_block(page, 0, "len(atlasgraph.by_kind(G, 'runtime'))")
    assert got["output"] == f"{len(atlasgraph.by_kind(g, 'runtime'))}\n"
    # The blocks, run and with a focused Run button, pass axe-core (no violation at all).
    page.locator("[data-atlas-pyrun] [data-action=run]").nth(1).focus()
    page.add_script_tag(content=axe_source(site))
    violations = page.evaluate(
        """async () => (await axe.run(document.querySelectorAll('[data-atlas-pyrun]')))
            .violations.map(v => `${v.id}: ${v.nodes.map(n => n.html.slice(0, 80)).join(' | ')}`)"""
    )
    assert violations == []


def test_page_without_python_loads_no_pyodide(page):
    for path in ("", "graph/", "components/runc/"):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
    assert page.requests, "the site was not reached"
    py = [u for u in page.requests if re.search(r"pyodide|/wheels/|pyworker|pyrun", u)]
    assert py == []


def test_python_page_loads_pyodide_only_on_run_then_shows_errors(page):
    """Pyodide is fetched on the first ▶ only; then the same Python shows syntax and runtime errors and a
    missing package (check_errors)."""
    page.goto(page.base + "python/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.requests if "pyodide" in u or "/wheels/" in u]
    assert run_block(page, 0)["state"] == "done"
    assert [u for u in page.requests if u.endswith("pyodide.asm.wasm")]
    assert [u for u in page.requests if u.endswith(".snapshot.gz")]
    assert not [u for u in page.requests if u.endswith(".whl") or "graph.json" in u]  # no graph needed
    check_errors(page)


@pytest.mark.parametrize("served", ["missing", "corrupt", "unpacked"])
def test_python_starts_whatever_the_host_does_to_the_snapshot(page, site, served):
    """A snapshot the browser cannot fetch or restore costs time, not the run: Python starts plainly.
    A host that sends it unpacked (labelled Content-Encoding: gzip) still gets a restored Python."""
    _, site_dir = site
    index = json.loads((site_dir / "assets" / "wheels" / "wheels.json").read_text())
    tried: list[str] = []

    def serve(route):
        tried.append(route.request.url)
        if served == "missing":
            route.fulfill(status=404, body="gone")
        elif served == "corrupt":  # valid gzip, but not a Pyodide heap
            route.fulfill(status=200, body=gzip.compress(b"\0" * 65536))
        else:
            packed = (site_dir / "assets" / "wheels" / index["snapshot"]["file"]).read_bytes()
            route.fulfill(status=200, body=gzip.decompress(packed))

    page.route("**/*.snapshot.gz", serve)
    page.goto(page.base + "python/")
    got = run_block(page, 0, "import hashlib\nprint(hashlib.sha256(b'atlas').hexdigest()[:12])")
    assert got["state"] == "done", got
    assert got["output"] == hashlib.sha256(b"atlas").hexdigest()[:12] + "\n"
    assert got["start"] == ("snapshot" if served == "unpacked" else "plain")
    assert tried  # the snapshot was asked for first


def check_errors(page) -> None:
    """On python/ (Python started): each error shows its traceback (a syntax error runs nothing), and
    the next run still works."""
    got = run_block(page, 0, "print('hi')\nprint(1 +\n")
    assert got["state"] == "error"
    assert 'File "<block 1>", line 2' in got["output"]
    assert "SyntaxError" in got["output"]
    assert "hi" not in got["output"]
    got = run_block(page, 0, "print('before')\n{}['key']\n")
    assert got["state"] == "error"
    assert got["output"].startswith("before\nTraceback (most recent call last):")
    assert "KeyError: 'key'" in got["output"]
    got = run_block(page, 0, "import numpy\n")
    assert got["state"] == "error" and got["missing"] == "numpy"
    assert "Missing package: 'numpy'" in got["output"]
    assert "numpy" in got["status"]


def test_stop_ends_an_endless_loop_and_the_next_run_works(page):
    page.goto(page.base + "python/")
    block = page.locator("[data-atlas-pyrun]").first
    block.locator("textarea").fill("print('started', flush=True)\nwhile True:\n    pass\n")
    block.get_by_role("button", name="Run").click()
    page.wait_for_function(
        "el => el.querySelector('.atlas-pyrun__out').textContent.includes('started')",
        arg=block.element_handle(),
        timeout=RUN_TIMEOUT,
    )
    assert block.get_attribute("data-state") == "running"
    page.wait_for_timeout(300)
    assert page.evaluate("1 + 1") == 2  # the page itself is not frozen
    block.get_by_role("button", name="Stop").click()
    assert block.get_attribute("data-state") == "stopped"
    assert block.get_by_role("button", name="Run").is_enabled()
    got = run_block(page, 0, "print(6 * 7)")
    assert got == {**got, "state": "done", "output": "42\n"}


def test_editor_is_accessible(page):
    page.goto(page.base + "zh/python/")
    block = page.locator("[data-atlas-pyrun]").first
    editor = block.get_by_role("textbox")
    assert editor.get_attribute("aria-label")
    assert block.get_by_role("button", name=re.compile("^运行")).is_visible()
    editor.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("print('你好')")
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "el => el.dataset.state === 'done'", arg=block.element_handle(), timeout=RUN_TIMEOUT
    )
    assert block.locator(".atlas-pyrun__out").text_content() == "你好\n"
