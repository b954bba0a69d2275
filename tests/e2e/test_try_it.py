"""The "Try it" section of component and concept pages on the built site.

- The share of entry pages with a runnable example (a ▶ block, an in-browser Python block or a link to
  a tutorial step), counted from the built HTML, stays at or above RUNNABLE_SHARE_MIN (issue 15: every
  page that can run something does; the lead raises the floor as the KB grows).
- In Chromium against `atlas serve` and a real sandbox: ▶ on a component page opens the terminal, runs
  the example and its output appears; a page whose subject cannot run here shows its one-line reason;
  no JavaScript errors (the `context` fixture).
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
from pyexamples import StaticServer
from test_tutorials import context, live_server, press_run, term_text  # noqa: F401 - fixtures

pytestmark = [pytest.mark.playwright]

#: The lowest share (percent) of component + concept pages with a runnable example, floored to a whole
#: percent: 18 when the try: field landed (62 of 332), 34 after the fourth session (138 of 395).
RUNNABLE_SHARE_MIN = 34
TUTORIAL_LINK = re.compile(r'href="(?:\.\./)+tutorials/[a-z0-9-]+/(?:#[\w.-]+)?"')
DENIED = "denied by the Container Atlas sandbox policy"


def try_section(html: str) -> str:
    """The Try it section of a component page ("" when the page has none)."""
    if 'id="try-it"' not in html:
        return ""
    return html.split('id="try-it"', 1)[1].split("<h2", 1)[0]


def runnable(section: str) -> bool:
    """A ▶ block, an in-browser Python block, or a link to a tutorial step that runs it (the
    `try.tutorial` line or the "steps that use it" list; links listed only as reading do not count,
    and a page that gives a reason it cannot run here is not runnable)."""
    if 'class="atlas-try-reason"' in section:
        return False
    if "data-atlas-run" in section or "data-atlas-pyrun" in section:
        return True
    step = re.search(r'class="atlas-try-step">(.*?)</p>', section, re.S)
    steps = re.search(r'class="atlas-try">(.*?)</ul>', section, re.S)
    return any(m and TUTORIAL_LINK.search(m.group(1)) for m in (step, steps))


def catalog(built_site: Path) -> dict:
    return json.loads((built_site / "data" / "v1" / "graph.json").read_text(encoding="utf-8"))


def test_share_of_pages_with_a_runnable_example(built_site):
    entries = catalog(built_site)["entries"]
    counted = {}
    for lang_dir in ("", "zh/"):
        pages = {e["id"]: built_site / f"{lang_dir}components/{e['id']}/index.html" for e in entries}
        missing = [i for i, p in pages.items() if not p.is_file()]
        assert missing == [], f"no {lang_dir or 'en/'} page for {missing[:5]}"
        counted[lang_dir] = {
            i for i, p in pages.items() if runnable(try_section(p.read_text(encoding="utf-8")))
        }
    assert counted[""] == counted["zh/"], "English and Chinese pages differ in what they can run"
    share = 100 * len(counted[""]) / len(entries)
    by_layer = {}
    for e in entries:
        n, k = by_layer.get(e["layer"], (0, 0))
        by_layer[e["layer"]] = (n + (e["id"] in counted[""]), k + 1)
    layers = ", ".join(f"{layer} {n}/{k}" for layer, (n, k) in by_layer.items())
    print(f"\nrunnable example on {len(counted[''])} of {len(entries)} entry pages ({share:.1f}%): {layers}")
    # the built pages and the export agree (the stats page counts the export)
    assert counted[""] == {e["id"] for e in entries if e["runnable"]}
    assert share >= RUNNABLE_SHARE_MIN, f"{share:.1f}% of entry pages have a runnable example"


def test_reason_pages_say_why_in_one_line(built_site):
    with_reason = [e for e in catalog(built_site)["entries"] if (e.get("try") or {}).get("reason")]
    if not with_reason:
        pytest.skip("no entry has a try.reason yet")
    for e in with_reason:
        for lang, label in (("en", "Can't run here:"), ("zh", "无法在此运行：")):
            page = built_site / ("" if lang == "en" else "zh/") / f"components/{e['id']}/index.html"
            part = try_section(page.read_text(encoding="utf-8"))
            assert 'class="atlas-try-reason">' in part, f"{e['id']} ({lang}): no reason line"
            line = html.unescape(part.split('class="atlas-try-reason">', 1)[1].split("</p>", 1)[0])
            assert line.startswith(f"<strong>{label}</strong>")
            assert re.sub(r"<[^>]+>", "", line) == _reason_line(label, e["try"]["reason"][lang], lang)
            assert "data-atlas-run" not in part and "\n" not in line


def _reason_line(label: str, reason: str, lang: str) -> str:
    """The reason line as read: the label, a space (none after a full-width colon), the reason."""
    return label + ("" if lang == "zh" else " ") + reason.replace("`", "")


def _docker_example(built_site: Path) -> dict:
    """The docker example of a component page (the shortest, so the test is quick)."""
    found = [
        e
        for e in catalog(built_site)["entries"]
        if (e.get("try") or {}).get("run") and e["try"].get("profile", "docker") == "docker"
    ]
    assert found, "no entry has a docker try.run example"
    return min(found, key=lambda e: (len(e["try"]["run"]), e["id"]))


@pytest.mark.docker
@pytest.mark.slow
def test_run_on_a_component_page_runs_the_example_in_a_sandbox(live_server, context, built_site):  # noqa: F811
    e = _docker_example(built_site)
    page = context.new_page()
    page.goto(f"{live_server.url}/components/{e['id']}/")
    block = page.locator("#try-it ~ .atlas-run[data-profile='docker']").first
    # terminal.js mounts ▶ once its module loaded (slow on a busy machine)
    block.locator(".atlas-run__run").wait_for(timeout=90_000)
    assert page.locator(".atlas-try-shows").first.is_visible()
    text = press_run(page, block)
    last = e["try"]["run"].strip().splitlines()[-1].strip()
    flat = text.replace("\n", "")  # the terminal wraps long commands at its width
    assert last in flat, f"the command was not typed:\n{text[-1500:]}"
    output = flat.rsplit(last, 1)[1].rsplit("$", 1)[0]  # what came before the prompt returned
    assert re.search(r"\w", output.rsplit("learner@", 1)[0]), f"no output after ▶:\n{text[-1500:]}"
    assert DENIED not in text and "command not found" not in text
    assert term_text(page)
    session = page.evaluate("() => window.atlasTerminal.session('docker')")
    page.evaluate(
        "async s => { await fetch('/api/sessions/' + s.id, "
        "{method: 'DELETE', headers: {Authorization: 'Bearer ' + s.token}}); }",
        session,
    )


def test_reason_page_in_the_browser(static_server_page, built_site):
    with_reason = [e for e in catalog(built_site)["entries"] if (e.get("try") or {}).get("reason")]
    if not with_reason:
        pytest.skip("no entry has a try.reason yet")
    e = with_reason[0]
    page, base = static_server_page
    for prefix, label, lang in (("", "Can't run here:", "en"), ("zh/", "无法在此运行：", "zh")):
        page.goto(f"{base}/{prefix}components/{e['id']}/")
        line = page.locator(".atlas-try-reason")
        assert line.count() == 1 and line.is_visible()
        assert line.inner_text().strip() == _reason_line(label, e["try"]["reason"][lang], lang)
        assert page.locator(".atlas-run").count() == 0


@pytest.fixture
def static_server_page(context, site_url):  # noqa: F811
    """A page of the built site on the plain static server (no sandbox needed to show a reason)."""
    return context.new_page(), site_url


@pytest.mark.slow
def test_python_example_runs_in_the_browser(context, built_site):  # noqa: F811
    """An entry's in-browser Python example runs in its page: preferably one that imports a library
    served as on-demand wheels (wheels.json "imports", e.g. the OpenTelemetry SDK), whose wheels the
    page fetches only after ▶ Run."""
    with_python = [e for e in catalog(built_site)["entries"] if (e.get("try") or {}).get("python")]
    if not with_python:
        pytest.skip("no entry has a try.python example yet")
    index = json.loads((built_site / "assets" / "wheels" / "wheels.json").read_text())
    imports = index.get("imports") or {}

    def on_demand(e: dict) -> list[str]:
        code = e["try"]["python"]
        return [m for m in imports if re.search(rf"^\s*(?:from|import)\s+{m}\b", code, re.M)]

    e = min(with_python, key=lambda x: (not on_demand(x), len(x["try"]["python"]), x["id"]))
    page = context.new_page()
    wheels: list[str] = []
    page.on("request", lambda r: wheels.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith(".whl") else None)
    with StaticServer(built_site) as server:  # WebAssembly and module MIME types, as Pyodide needs
        page.goto(f"{server.url}/components/{e['id']}/")  # waits for the load event: scripts ran
        assert wheels == [], "wheels fetched before Run"
        started = time.monotonic()
        _run_python_block(page, e["id"])
        print(f"\n{e['id']}: Run to output {time.monotonic() - started:.1f}s, wheels {wheels}")
    expected = [index["wheels"][name]["file"] for m in on_demand(e) for name in imports[m]]
    assert set(expected) <= set(wheels), f"{e['id']}: on-demand wheels not fetched: {expected} vs {wheels}"


def _run_python_block(page, entry_id: str) -> None:
    block = page.locator("#try-it ~ [data-atlas-pyrun]").first
    block.get_by_role("button", name=re.compile("Run|运行")).click()
    page.wait_for_function(
        "el => ['done', 'error', 'stopped'].includes(el.dataset.state)",
        arg=block.element_handle(),
        timeout=180_000,
    )
    out = block.locator(".atlas-pyrun__out").text_content()
    assert block.get_attribute("data-state") == "done", f"{entry_id}: {out}"
    assert out.strip(), f"{entry_id}: the example printed nothing"
