"""The tutorials in a real browser (Debian's Chromium through Playwright), against the real server.

For every tutorial: open the page, start the sandbox session, press Check of the first step and expect
✗ (nothing done yet), then press every ▶ of the page in order, wait for the shell prompt to come back in
the terminal (read from xterm's buffer through `window.atlasTerminal.text()`): no policy denial in it,
and on a docker page no command that failed (a bash ERR trap typed first reports any non-zero exit, as
`set -e` would stop). After a step's last ▶, open its preview links, press Check and expect ✓; a step
pressed out of order shows ✗ with its hint; progress survives a reload; the last step links to the next
tutorial; once the session is closed no container of it is left. The tutorials run two at a time (each
its own browser profile and learner; tests/support/browser_pool.py): they mostly wait for the sandbox.
How the page is driven (▶, the terminal, Check, previews, reloads): tests/support/tutorial_browser.py.
Also: the quiz page, static hosting (▶ says offline, Copy still copies), axe-core. Screenshots of every
tutorial's last step go to test-artifacts/.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import pytest
from browser_pool import BrowserPool
from realparts import need
from server_process import ServerProcess
from tutorial_browser import (  # noqa: F401 - press_check, press_run, term_text: other modules import them here
    FAILED,
    end_session,
    load,
    open_previews,
    press_check,
    press_run,
    screenshot,
    start_session,
    term_text,
)
from tutorial_pages import SLUGS, load_tutorials

pytestmark = [pytest.mark.playwright]

ROOT = Path(__file__).resolve().parents[2]
DENIED = "denied by the Container Atlas sandbox policy"  # never in a tutorial's terminal
# A step whose check must fail right after the first step (pressed out of order, as a learner might).
SKIPPED = {
    "containers": "processes",
    "first-container": "clean-up",
    "docker-architecture": "info",
    "how-it-works": "start",
    "image-layers": "build",
    "building-images": "dockerfile",
    "dockerfile": "multi-stage",
    "port-mapping": "publish",
    "registries": "push",
    "container-lifecycle": "restart-policy",
    "limits": "memory",
    "networking": "dns",
    "storage": "backup",
    "compose": "scale",
    "multi-host": "scheduler",
    "monitoring": "events",
    "logging": "drivers",
}
SANDBOX_CASES = [(s, "en") for s in SLUGS if s != "ecosystem-map"] + [("first-container", "zh")]
#: Tutorials walked at once (each its own learner; at most the service's docker sessions per client).
WALKERS = 2
SESSION_LABEL = "org.container-atlas.session"


# -- the servers (the site is built once per session by tests/e2e/conftest.py: `built_site`) --------
@pytest.fixture(scope="module")
def live_server(built_site, docker_client, tmp_path_factory):
    """`atlas serve` (site + sandbox API) on a free port, with its own state folder."""
    state = tmp_path_factory.mktemp("atlas-state")
    cmd = [sys.executable, "-m", "atlas.cli", "serve", "--site", str(built_site), "--port", "{port}"]
    srv = ServerProcess(cmd, state / "server.log", {"ATLAS_STATE_DIR": str(state)})
    srv.ok = srv.start("/healthz")
    try:
        if not srv.ok:
            print(srv.output())
        need("the sandbox service (atlas serve)", srv.ok, srv.output()[-1500:])
        yield srv
    finally:
        srv.stop()
        print(f"--- atlas serve output (last lines):\n{srv.output()}")


@pytest.fixture(scope="module")
def static_server(site_url):
    """The built site on a plain static HTTP server (tests/e2e/conftest.py's `site_url`): no sandbox API."""

    class Static:
        url = site_url

    return Static()


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage and sessionStorage) per test; JS errors fail the test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    errors: list[str] = []
    ctx.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(f"{p.url}: {exc}")))
    yield ctx
    ctx.close()
    assert not errors, f"JavaScript errors: {errors}"


def _page_url(base: str, slug: str, lang: str) -> str:
    return f"{base}/{'' if lang == 'en' else lang + '/'}tutorials/{slug}/"


# -- the tests -----------------------------------------------------------------------------------------
def walk_tutorial(base: str, context, case: tuple[str, str]) -> str:
    """Do tutorial `case` = (slug, lang) as a learner in a fresh browser profile (see the module doc);
    return its session id (the session is closed at the end)."""
    slug, lang = case
    tut = load_tutorials(lang)[slug]
    profile = tut.meta["profile"]
    page = context.new_page()
    load(page, lambda: page.goto(_page_url(base, slug, lang)))
    try:
        sid = start_session(page, profile)
        steps = tut.step_ids
        first_hint = tut.meta["checks"][steps[0]]["hint"][lang].replace("`", "")
        press_check(page, f"{slug}/{steps[0]}", want_ok=False, hint=first_hint)  # nothing done yet
        blocks = page.locator(".md-content [data-atlas-run]").all()
        assert len(blocks) == len(tut.blocks), f"{len(blocks)} ▶ blocks on the page, {len(tut.blocks)} in it"
        block_steps = [b.get_attribute("data-step") for b in blocks]
        checked: list[str] = []
        for i, block in enumerate(blocks):
            text = press_run(page, block)
            where = block_steps[i] or f"{slug} (a block without a step)"
            assert DENIED not in text, f"{where}: the policy refused a ▶ block:\n{text[-1500:]}"
            if profile == "docker":
                assert FAILED not in text, f"{where}: a command of a ▶ block failed:\n{text[-2500:]}"
            if not block_steps[i] or block_steps[i] in block_steps[i + 1 :]:
                continue  # the step's check comes after its last block
            step = block_steps[i].split("/", 1)[1]
            open_previews(page, tut, step)
            press_check(page, f"{slug}/{step}")
            if not checked:
                skipped = f"{slug}/{SKIPPED[slug]}"
                hint = tut.meta["checks"][SKIPPED[slug]]["hint"][lang].replace("`", "")
                press_check(page, skipped, want_ok=False, hint=hint)  # ✗ with its hint
            checked.append(step)
        assert checked == steps, f"steps checked {checked}, the page has {steps}"
        last = page.locator(f'[data-atlas-check="{slug}/{steps[-1]}"]')
        last.scroll_into_view_if_needed()
        page.mouse.wheel(0, 250)
        screenshot(page, f"tutorial-{slug}-{lang}", readme=(slug, lang) == ("containers", "en"))
        if tut.meta.get("next"):
            href = last.locator(".atlas-check-next a").get_attribute("href")
            assert href and href.rstrip("/").endswith(tut.meta["next"]), f"last step links to {href!r}"
        load(page, page.reload)
        page.wait_for_selector(".atlas-progress")
        assert page.locator(".atlas-tick").count() == len(steps), "ticks lost on reload"
        assert page.locator(".atlas-check.is-ok").count() == len(steps)
        return sid
    finally:
        end_session(page, profile)


@pytest.fixture(scope="module")
def tutorials_walked(request, live_server, chromium_path):
    """The selected tutorials of test_tutorial_in_the_browser, walked WALKERS at a time (a BrowserPool)."""
    pytest.importorskip("playwright.sync_api")
    cases = [
        (item.callspec.params["slug"], item.callspec.params["lang"])
        for item in request.session.items
        if item.module is request.module and item.originalname == "test_tutorial_in_the_browser"
    ]
    pool = BrowserPool(chromium_path, functools.partial(walk_tutorial, live_server.url), WALKERS)
    yield pool.start(cases)
    pool.close()


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
@pytest.mark.parametrize(("slug", "lang"), SANDBOX_CASES)
def test_tutorial_in_the_browser(slug, lang, tutorials_walked, docker_client) -> None:
    """✗ on the first step before anything, each ▶ in order without a failing command, ✓ on every step,
    ✗ with the hint on a skipped step, progress kept, next linked, nothing left once the session closes."""
    out = tutorials_walked.outcome((slug, lang))
    assert out.error is None, f"{slug} ({lang}):\n{out.error}"
    assert not out.js_errors, f"JavaScript errors: {out.js_errors}"
    left = docker_client.containers.list(all=True, filters={"label": f"{SESSION_LABEL}={out.value}"})
    assert not left, f"containers left behind by the closed session: {[c.name for c in left]}"


def test_ecosystem_map_quiz_and_progress(static_server, context) -> None:
    """The no-sandbox tutorial: mark steps done, answer the quiz (wrong, then right), progress kept."""
    tut = load_tutorials()["ecosystem-map"]
    page = context.new_page()
    page.goto(_page_url(static_server.url, "ecosystem-map", "en"))
    for step in tut.step_ids[:-1]:
        page.locator(f'[data-atlas-check="ecosystem-map/{step}"] button', has_text="Mark as done").click()
    assert page.locator(".atlas-tick").count() == len(tut.step_ids) - 1
    quiz = page.locator('[data-atlas-quiz="ecosystem-map/quiz"]')
    answers = [fs.get_attribute("data-answer") for fs in quiz.locator("fieldset").all()]
    quiz.locator(f'input[name="q1"]:not([value="{answers[0]}"])').first.check()
    for n, value in enumerate(answers[1:], start=2):
        quiz.locator(f'input[name="q{n}"][value="{value}"]').check()
    quiz.locator("button[type=submit]").click()
    assert f"{len(answers) - 1} of {len(answers)} correct" in quiz.locator(".atlas-quiz-result").inner_text()
    assert "is-fail" in quiz.locator("fieldset").first.get_attribute("class")
    assert quiz.locator(".atlas-quiz-why").first.is_visible(), "the explanation is not shown after checking"
    quiz.locator(f'input[name="q1"][value="{answers[0]}"]').check()
    quiz.locator("button[type=submit]").click()
    result = quiz.locator(".atlas-quiz-result")
    assert "All correct" in result.inner_text()
    assert result.locator("a").get_attribute("href").rstrip("/").endswith("containers")
    assert page.locator(".atlas-next.is-ready").count() == 1
    screenshot(page, "tutorial-ecosystem-map-en")
    page.reload()
    page.wait_for_selector(".atlas-progress")
    assert page.locator(".atlas-tick").count() == len(tut.step_ids)
    assert f"{len(tut.step_ids)} of {len(tut.step_ids)}" in page.locator(".atlas-progress").inner_text()


def test_chinese_tutorial_page_speaks_chinese(static_server, context) -> None:
    """The zh page's buttons and messages are in Chinese (from <html lang>)."""
    page = context.new_page()
    page.goto(_page_url(static_server.url, "ecosystem-map", "zh"))
    assert page.locator('[data-atlas-check="ecosystem-map/layers"] button').inner_text() == "标记为已完成"
    assert page.locator("[data-atlas-quiz] button[type=submit]").inner_text() == "检查答案"
    assert "进度" in page.locator(".atlas-progress").inner_text()


def test_static_hosting_run_is_offline_copy_works(static_server, context) -> None:
    """Without the service: ▶ says the sandbox is offline, Copy copies, Check says it cannot check."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=static_server.url)
    page = context.new_page()
    page.goto(_page_url(static_server.url, "first-container", "en"))
    block = page.locator('[data-atlas-run][data-step="first-container/run-httpd"]').first
    code = block.locator("code").inner_text()
    block.locator("button", has_text=re.compile("Copy|复制")).first.click()
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    block.locator("button", has_text=re.compile("▶|Run|运行")).first.click()
    page.wait_for_function(
        "() => /offline|离线/i.test(document.body.innerText)", timeout=15_000
    )  # the terminal JS's message
    status = press_check(page, "first-container/run-httpd", want_ok=False)
    assert "not reachable" in status


def _axe(page, context_selector: str) -> list[dict]:
    manifest = json.loads((ROOT / "site-src" / "assets" / "vendor" / "manifest.json").read_text())
    axe = ROOT / "site-src" / "assets" / "vendor" / manifest["axe-core"]["files"][0]
    page.wait_for_selector(".atlas-progress")
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "async (sel) => await axe.run(sel, {resultTypes: ['violations']})", context_selector
    )
    return [v for v in result["violations"] if v.get("impact") in {"critical", "serious"}]


def _describe(bad: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in bad)


@pytest.mark.parametrize("slug", ["first-container", "ecosystem-map"])
def test_tutorial_content_accessibility(slug, static_server, context) -> None:
    """axe-core (vendored): no critical or serious violation in the tutorial itself (steps, Check, quiz)."""
    page = context.new_page()
    page.goto(_page_url(static_server.url, slug, "en"))
    if slug == "ecosystem-map":
        page.locator("[data-atlas-quiz] button[type=submit]").click()  # results and explanations shown
    else:
        press_check(page, "first-container/run-httpd", want_ok=False)  # a ✗ status shown
    bad = _axe(page, ".md-content")
    assert not bad, f"axe violations in the content of {slug}:\n{_describe(bad)}"


@pytest.mark.parametrize("slug", ["first-container", "ecosystem-map"])
def test_tutorial_page_accessibility(slug, static_server, context) -> None:
    """axe-core (vendored) on the whole tutorial page, theme included: no critical or serious violation."""
    page = context.new_page()
    page.goto(_page_url(static_server.url, slug, "en"))
    bad = _axe(page, "html")
    assert not bad, f"axe violations on {slug}:\n{_describe(bad)}"
