"""Driving a tutorial page in Chromium as a learner does: ▶, the terminal's text, Check, previews.

Used by tests/e2e/test_tutorials.py (and, through it, other browser tests). The terminal is read from
xterm's buffer through `window.atlasTerminal.text()` (terminal.js); a command has finished when the
shell prompt is back and the terminal stays quiet. `load()` navigates again when Chromium aborted the
page's requests because the host's network interfaces changed (the engine adds and removes them).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from realparts import ROOT
from tutorial_pages import Tutorial

ARTIFACTS = ROOT / "test-artifacts"
README_SHOT = ROOT / "docs" / "assets" / "screenshot-terminal.png"
PROMPT_END = re.compile(r"\$\s*$")
#: What the test types first, before any ▶: on a docker page, a trap that prints FAILED for any command
#: that exits non-zero (the quotes keep the typed line itself from containing FAILED); the shell
#: tutorial shows failing commands on purpose.
FAILED = "ATLAS-COMMAND-FAILED"
FIRST_LINE = {
    "docker": 'trap \'echo "ATLAS-COMMAND""-FAILED (exit $?): $BASH_COMMAND"\' ERR',
    "shell": "cd ~",
}


def term_text(page) -> str | None:
    """The terminal's buffer as text (terminal.js API), None when there is no terminal API."""
    return page.evaluate(
        "() => (window.atlasTerminal && window.atlasTerminal.text) ? window.atlasTerminal.text() : null"
    )


def press_run(page, block, timeout: float = 240) -> str:
    """Press ▶ on `block`, wait until the shell prompt is back and the terminal is quiet; return the text."""
    before = term_text(page) or ""
    block.scroll_into_view_if_needed()
    block.locator("button", has_text=re.compile("▶|Run|运行")).first.click()
    return wait_prompt(page, before, timeout)


def wait_prompt(page, before: str, timeout: float = 240) -> str:
    """Wait until the terminal's text changed from `before`, ends with the prompt and stays; return it."""
    start = time.monotonic()
    last, stable = None, 0
    while time.monotonic() < start + timeout:
        text = term_text(page)
        if text is None and time.monotonic() > start + 15:
            raise AssertionError("▶ opened no terminal with window.atlasTerminal.text() (terminal.js API)")
        text = (text or "").rstrip()
        if text and text != before.rstrip() and PROMPT_END.search(text):
            stable = stable + 1 if text == last else 0
            if stable >= 2:  # the prompt stayed for 0.4 s: not one between two lines of the block
                return text
        last = text
        time.sleep(0.2)
    raise AssertionError(f"no prompt after ▶ within {timeout}s; terminal ends with:\n{(last or '')[-1500:]}")


def start_session(page, profile: str) -> str:
    """Start the page's sandbox session the way ▶ does (terminal.js `run`), typing FIRST_LINE[profile]
    from a hidden block; wait for the prompt; return the session id."""
    page.evaluate(
        """async ([profile, line]) => {
             const b = document.createElement('div');
             b.setAttribute('data-atlas-run', '');
             b.setAttribute('data-profile', profile);
             b.hidden = true;
             b.append(Object.assign(document.createElement('code'), {textContent: line}));
             document.querySelector('.md-content [data-atlas-run]').before(b);
             const typed = await window.atlasTerminal.run(b);
             b.remove();
             if (!typed) throw new Error('the sandbox session did not start');
           }""",
        [profile, FIRST_LINE[profile]],
    )
    wait_prompt(page, "")
    return page.evaluate("(profile) => window.atlasTerminal.session(profile).id", profile)


def press_check(page, check_id: str, want_ok: bool = True, attempts: int = 8, hint: str = "") -> str:
    """Press Check of `check_id` until it shows ✓ (a learner may press again), or once when expecting ✗;
    with `hint`, until ✗ shows it (a verify request aborted by a network change shows another text)."""
    node = page.locator(f'[data-atlas-check="{check_id}"]')
    node.scroll_into_view_if_needed()
    status = ""
    for _ in range(attempts if want_ok or hint else 1):
        node.locator("button").click()
        page.wait_for_function(
            'id => { const c = document.querySelector(`[data-atlas-check="${id}"]`).classList;'
            " return !c.contains('is-busy') && (c.contains('is-ok') || c.contains('is-fail')); }",
            arg=check_id,
            timeout=90_000,
        )
        status = node.locator(".atlas-check-status").inner_text()
        ok = "is-ok" in (node.get_attribute("class") or "")
        if ok == want_ok and (want_ok or hint[:30] in status):
            return status
        if ok and not want_ok:
            break
        time.sleep(1.5)
    tail = (term_text(page) or "")[-1500:]
    raise AssertionError(
        f"{check_id}: expected {'✓' if want_ok else '✗ ' + hint[:30]}, got: {status}\n--- terminal:\n{tail}"
    )


NET_CHANGED = "ERR_NETWORK_CHANGED"
#: True once the tutorial page's scripts ran and it asked the service's /healthz (sessions.js) with success.
PAGE_READY = """async () => {
  const t = document.querySelector('script[src$="js/terminal.js"]');
  if (typeof window.Terminal !== 'function' || !t || !window.atlasTutorial) return false;
  return (await import(t.src.replace(/terminal\\.js$/, 'sessions.js'))).serviceOnline();
}"""


def load(page, navigate, ready: str | None = PAGE_READY) -> None:
    """`navigate()` (goto, reload, ...), then wait for "load" and `ready`; once more (at most twice) when
    Chromium aborted a request of the page with net::ERR_NETWORK_CHANGED. Chromium drops requests in
    flight whenever the host gains or loses a network interface: the other tutorial's `docker network
    create` or container does that (a learner on their own machine would press reload)."""
    from playwright.sync_api import Error as PlaywrightError

    aborted: list[str] = []
    for _ in range(3):
        aborted.clear()

        def note(req) -> None:
            if NET_CHANGED in (req.failure or ""):
                aborted.append(req.url)

        page.on("requestfailed", note)
        try:
            navigate()
            page.wait_for_load_state("load")
            if ready and not page.evaluate(ready) and not aborted:
                raise AssertionError(f"{page.url}: the page's scripts did not load or the service is offline")
        except PlaywrightError as exc:
            if NET_CHANGED not in str(exc):
                raise
            aborted.append(str(exc))
        finally:
            page.remove_listener("requestfailed", note)
        if not aborted:
            return
        navigate = page.reload
    raise AssertionError(f"{page.url}: requests aborted by network changes three times in a row: {aborted}")


#: What a tutorial's preview must show once its scripts ran (a CSS selector); Apache's page otherwise.
PREVIEW_SHOWS = {"monitoring": "input.execute_btn"}  # Prometheus's query form, drawn by its own JS


def open_previews(page, tut: Tutorial, step: str) -> None:
    """Open every preview link of `step` (a new tab) and expect Apache's page (or PREVIEW_SHOWS)."""
    from playwright.sync_api import Error as PlaywrightError

    section = tut.body.split(f"{{#{step}}}", 1)[1].split("\n## ", 1)[0]
    for port in re.findall(r'data-atlas-preview="(\d+)"', section):
        link = page.locator(f'[data-atlas-preview="{port}"] a')
        aborted: list[str] = []

        def note(req, aborted: list[str] = aborted) -> None:
            if NET_CHANGED in (req.failure or ""):
                aborted.append(req.url)

        page.context.on("requestfailed", note)
        with page.context.expect_page() as info:
            link.click()
        tab = info.value
        try:
            tab.wait_for_load_state()
        except PlaywrightError as exc:
            if NET_CHANGED not in str(exc):
                raise
        page.context.remove_listener("requestfailed", note)
        if aborted:  # see load()
            load(tab, tab.reload, None)
        if tut.slug in PREVIEW_SHOWS:
            tab.wait_for_selector(PREVIEW_SHOWS[tut.slug], timeout=20_000)
        else:
            assert "It works" in tab.content(), f"preview of port {port} did not show Apache's page"
        tab.close()


def end_session(page, profile: str) -> None:
    """DELETE the page's sandbox session, so that sessions do not pile up between tests."""
    page.evaluate(
        """async (profile) => {
             const s = window.atlasTutorial && window.atlasTutorial.session(profile);
             if (!s) return;
             const headers = {Authorization: 'Bearer ' + s.token};
             await fetch('/api/sessions/' + s.id, {method: 'DELETE', headers});
           }""",
        profile,
    )


def screenshot(page, name: str, readme: bool = False) -> Path:
    """Save a viewport screenshot under test-artifacts/ (and for the README when asked and missing)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if readme and (not README_SHOT.exists() or os.environ.get("ATLAS_UPDATE_SCREENSHOTS")):
        README_SHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SHOT)
    return path
