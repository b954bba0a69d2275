"""The tutorial series: every page of `docs/tutorials/`, the rules across pages, the learning path.

The learning path comes from the front matter alone: it starts at the one tutorial no other names
as `next` and follows `next` to the end. Rules checked here (single-file rules: `tutorial.py`):
every `next` names a tutorial; the path is one chain through every tutorial; each tutorial has a
Chinese page with the same steps, checks, profile, next, teaches and runnable blocks; `teaches`
names KB entries (when the KB's ids are given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from atlas.content.tutorial import LANGS, Tutorial, read_tutorial, slug_and_lang
from atlas.kb.problems import START, Problem, Report, did_you_mean, one_of


@dataclass
class Series:
    """The tutorials by language and slug, the learning path (slugs in order), every problem."""

    pages: dict[str, dict[str, Tutorial]] = field(default_factory=lambda: {lang: {} for lang in LANGS})
    path: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, slug: str, lang: str = "en") -> Tutorial | None:
        """The tutorial `slug` in `lang`, falling back to English."""
        return self.pages.get(lang, {}).get(slug) or self.pages["en"].get(slug)


def _shown(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def load_series(docs_dir: Path, kb_ids: set[str] | None = None, root: Path | None = None) -> Series:
    """Read and check every tutorial under `docs_dir/tutorials` (paths shown relative to `root`)."""
    series = Series()
    folder = Path(docs_dir) / "tutorials"
    if not folder.is_dir():
        return series
    for path in sorted(folder.glob("*.md")):
        slug, lang = slug_and_lang(path)
        shown = _shown(path, root)
        if lang not in LANGS:
            Report(shown, series.problems).error(
                START, "file", f"unknown language '{lang}'{one_of(lang, LANGS)}"
            )
            continue
        series.pages[lang][slug] = read_tutorial(path, shown, series.problems)
    en = series.pages["en"]
    _check_languages(series)
    _check_next(en, series.problems)
    series.path = _chain(en, series.problems)
    if kb_ids is not None:
        for tut in (t for pages in series.pages.values() for t in pages.values()):
            for i, kid in enumerate(tut.teaches):
                if kid not in kb_ids:
                    Report(tut.path, series.problems).error(
                        tut.meta["teaches"].item_mark(i),
                        f"teaches[{i}]",
                        f"unknown KB entry '{kid}'{did_you_mean(kid, kb_ids)}",
                    )
    series.problems.sort(key=lambda p: p.sort_key)
    return series


def _check_languages(series: Series) -> None:
    en, zh = series.pages["en"], series.pages["zh"]
    for slug, tut in en.items():
        other = zh.get(slug)
        if other is None:
            Report(tut.path, series.problems).error(START, "file", f"no Chinese page ({slug}.zh.md)")
            continue
        report = Report(other.path, series.problems)
        for name in ("profile", "next", "teaches", "step_ids", "checks"):
            mine, theirs = getattr(tut, name), getattr(other, name)
            if mine != theirs:
                key = "steps" if name == "step_ids" else name
                report.error(
                    other.mark(key),
                    key,
                    f"differs from the English page {tut.path}: {_show(mine)} there, {_show(theirs)} here",
                )
        en_blocks = [(b.code, b.step) for b in tut.blocks]
        zh_blocks = [(b.code, b.step) for b in other.blocks]
        if en_blocks != zh_blocks:
            first = next(
                (i for i, (a, b) in enumerate(zip(en_blocks, zh_blocks, strict=False)) if a != b),
                min(len(en_blocks), len(zh_blocks)),
            )
            line = (
                other.blocks[first].line
                if first < len(other.blocks)
                else other.blocks[-1].line
                if other.blocks
                else 1
            )
            report.error(
                (line, 1), "run", f"```run blocks differ from the English page {tut.path} (block {first + 1})"
            )
    for slug, tut in zh.items():
        if slug not in en:
            Report(tut.path, series.problems).error(START, "file", f"no English page ({slug}.md)")


def _show(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(map(str, value)) + "}"
    return repr(value)


def _check_next(en: dict[str, Tutorial], problems: list[Problem]) -> None:
    followed: dict[str, str] = {}
    for slug, tut in en.items():
        if not tut.next:
            continue
        report = Report(tut.path, problems)
        if tut.next not in en:
            report.error(
                tut.meta.value_mark("next"),
                "next",
                f"unknown tutorial '{tut.next}'{did_you_mean(tut.next, en)}",
            )
        elif tut.next == slug:
            report.error(tut.meta.value_mark("next"), "next", "a tutorial cannot follow itself")
        elif tut.next in followed:
            report.error(
                tut.meta.value_mark("next"), "next", f"'{tut.next}' already follows '{followed[tut.next]}'"
            )
        else:
            followed[tut.next] = slug


def _chain(en: dict[str, Tutorial], problems: list[Problem]) -> list[str]:
    """The learning path; every tutorial off the single chain is a problem (and is appended)."""
    if not en:
        return []
    named = {t.next for t in en.values() if t.next in en}
    starts = [s for s in en if s not in named]
    path: list[str] = []
    if starts:
        slug: str | None = starts[0]
        while slug and slug not in path and slug in en:
            path.append(slug)
            slug = en[slug].next or None
        if slug and slug in path:
            tut = en[path[-1]]
            Report(tut.path, problems).error(
                tut.meta.value_mark("next"), "next", f"the learning path loops back to '{slug}'"
            )
    for slug in sorted(set(en) - set(path)):
        tut = en[slug]
        Report(tut.path, problems).error(
            tut.mark("next"),
            "next",
            f"not on the learning path (it starts at '{path[0] if path else '?'}' and follows next); "
            f"set next of the tutorial before it to '{slug}'",
        )
        path.append(slug)
    return path
