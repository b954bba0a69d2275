"""The "Try it" section of a component page: the entry's `try:` and the tutorial steps that mention it.

A `try.run` example is a ▶ block (the same HTML as a tutorial's ```run fence, `fences.format_run`, so
terminal.js opens the sandbox terminal of its profile and types it); a `try.python` example is a
Pyodide block (`fences.format_pyrun`, run in the browser by pyrun.js). Under it: the `shows` sentence,
the tutorial step named by `try.tutorial`, then the tutorial steps that mention the entry and run
something (▶); steps that only explain it, and every mention on a `try.reason` page, are listed apart as
reading ("Read about it in"), so the page never offers to run what it says cannot run. A `try.reason`
is one line: "Can't run here: ...". A page with none of these has no section. The same rule counts
runnable pages in the export (atlas.kb.try_data).
"""

from __future__ import annotations

from atlas.content.mentions import Mention
from atlas.kb.names import display_name
from atlas.kb.try_data import step_runs
from atlas.sitegen.fences import format_pyrun, format_run
from atlas.sitegen.model import escape, link, rel_url
from atlas.sitegen.strings import t


def _inline(text: str) -> str:
    """Escaped text whose `backticks` become <code> (shows and reason are plain sentences otherwise)."""
    parts = escape(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick stays a backtick
        return escape(text)
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _label(key: str, lang: str) -> str:
    """A bold label and the gap after it (none after a Chinese full-width colon)."""
    return f"<strong>{escape(t(key, lang))}</strong>" + ("" if lang == "zh" else " ")


def _step_link(step: str, series, lang: str, here: str) -> str:
    """A link to `slug#step`, named `Tutorial › Step` from the tutorial in `lang` when it is known."""
    slug, _, step_id = step.partition("#")
    tut = series.get(slug, lang) if series is not None else None
    text = step
    if tut is not None:
        names = dict(tut.steps)
        text = (tut.title or slug) + (f" › {names[step_id]}" if step_id in names else "")
    return link(rel_url(here, f"tutorials/{slug}/#{step_id}"), text)


def _mention_list(mentions: list[Mention], here: str, css: str) -> str:
    items = []
    for m in mentions:
        target = f"tutorials/{m.slug}/" + (f"#{m.anchor}" if m.anchor else "")
        text = m.tutorial_title + (f" › {m.step_title}" if m.step_title != m.tutorial_title else "")
        items.append(f"<li>{link(rel_url(here, target), text)}</li>")
    return f'<ul class="{css}">{"".join(items)}</ul>'


def _mentions(name: str, mentions: list[Mention], lang: str, here: str, series, reason: bool) -> str:
    running = [] if reason else [m for m in mentions if series is None or step_runs(m, series)]
    reading = [m for m in mentions if m not in running]
    out = ""
    if running:
        intro = escape(t("try_it_intro", lang, name=name))
        out += f"<p>{intro}</p>" + _mention_list(running, here, "atlas-try")
    if reading:
        out += f"<p>{escape(t('try_read', lang))}</p>" + _mention_list(reading, here, "atlas-try-read")
    return out


def try_html(e: dict, mentions: list[Mention], lang: str, here: str, series=None) -> str:
    """The section's HTML, or "" when the entry has no example, reason or mention."""
    value = e.get("try") or {}
    parts = []
    if value.get("reason"):
        text = value["reason"][lang] if lang in value["reason"] else value["reason"]["en"]
        parts.append(f'<p class="atlas-try-reason">{_label("try_reason", lang)}{_inline(text)}</p>')
    if value.get("run"):
        parts.append(format_run(value["run"], "run", "", {"profile": value.get("profile") or "docker"}, None))
    elif value.get("python"):
        parts.append(format_pyrun(value["python"], "pyrun", "", {}, None))
    if value.get("shows"):
        shows = _inline(value["shows"][lang])
        parts.append(f'<p class="atlas-try-shows">{_label("try_shows", lang)}{shows}</p>')
    if value.get("tutorial"):
        step = _step_link(value["tutorial"], series, lang, here)
        gap = "" if lang == "zh" else " "
        parts.append(f'<p class="atlas-try-step">{escape(t("try_tutorial", lang))}{gap}{step}</p>')
    if mentions:
        name = display_name(e, lang)
        parts.append(_mentions(name, mentions, lang, here, series, bool(value.get("reason"))))
    return "".join(parts)
