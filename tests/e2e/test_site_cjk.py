"""No rendered page (either language) has a space between two Chinese characters the source did not mean."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from atlas.cjk import spaced_pairs

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"pre", "code", "script", "style", "textarea"}


class _Text(HTMLParser):
    """The visible text of a page, without code, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag in SKIP

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in SKIP and self.depth > 0

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def _meant() -> set[tuple[str, str]]:
    """Pairs the sources write with a literal space (on one line) between two Chinese characters."""
    pairs: set[tuple[str, str]] = set()
    for path in [*ROOT.glob("kb/**/*.yaml"), *ROOT.glob("docs/**/*.md")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            pairs.update((a, b) for a, ws, b in spaced_pairs(line) if "\n" not in ws)
    return pairs


def test_no_stray_space_between_chinese_characters(built_site):
    meant = _meant()
    pages = sorted(built_site.rglob("*.html"))
    assert any("/zh/" in str(p) for p in pages) and len(pages) > 100
    stray = []
    for page in pages:
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        for text in parser.parts:  # one text node each: whitespace between blocks is layout
            for m in re.finditer(r"(\S)([ \t\n]+)(\S)", text):
                if any((a, b) not in meant for a, _, b in spaced_pairs(m.group(0))):
                    where = text[max(0, m.start() - 8) : m.end() + 8]
                    stray.append(f"{page.relative_to(built_site)}: '{where}'")
    assert stray == [], f"{len(stray)} stray spaces, e.g.\n" + "\n".join(stray[:20])
