"""Which tutorial steps mention which KB component (the "Try it" section of a component page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pymdownx.slugs import slugify

from atlas.content.series import Series, load_series
from atlas.content.wikilinks import WIKI_LINK

PAGE_LINK = re.compile(r"components/([a-z0-9][a-z0-9-]*)(?:\.md|/)")
HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*(?:\{([^}]*)\})?\s*$")
_slug = slugify(case="lower")


@dataclass(frozen=True)
class Mention:
    """A tutorial step that mentions a component."""

    slug: str
    tutorial_title: str
    step_title: str
    anchor: str


def tutorial_file(docs_dir: Path, slug: str, lang: str) -> Path | None:
    """The tutorial source for `lang` (falls back to English), or None when it does not exist."""
    base = docs_dir / "tutorials"
    for p in ([base / f"{slug}.{lang}.md"] if lang != "en" else []) + [base / f"{slug}.md"]:
        if p.is_file():
            return p
    return None


def _plain(heading: str) -> str:
    heading = WIKI_LINK.sub(lambda m: m.group(1), heading)
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return heading.replace("`", "").replace("*", "").strip()


def scan_mentions(docs_dir: Path, lang: str, series: Series | None = None) -> dict[str, list[Mention]]:
    """Map component id -> tutorial steps (in `lang`) that mention it by `[[id]]` or a KB-page link."""
    series = series or load_series(docs_dir)
    found: dict[str, list[Mention]] = {}
    for slug in series.path:
        tut = series.get(slug, lang)
        if tut is None:
            continue
        title, body = tut.title or slug, tut.body
        step_title, anchor = title, ""
        used: dict[str, int] = {}
        in_fence = False
        for line in body.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            if in_fence:
                continue
            m = HEADING.match(line)
            if m:
                text = _plain(m.group(2))
                explicit = re.search(r"#([\w-]+)", m.group(3) or "")
                a = explicit.group(1) if explicit else _slug(text, "-")
                if not explicit and a in used:
                    used[a] += 1
                    a = f"{a}_{used[a]}"
                used.setdefault(a, 0)
                if len(m.group(1)) == 1:
                    title = tut.title or text
                    step_title, anchor = str(title), ""
                else:
                    step_title, anchor = text, a
                continue
            for cid in set(WIKI_LINK.findall(line)) | set(PAGE_LINK.findall(line)):
                lst = found.setdefault(cid, [])
                mention = Mention(slug, str(title), step_title, anchor)
                if mention not in lst:
                    lst.append(mention)
    return found
