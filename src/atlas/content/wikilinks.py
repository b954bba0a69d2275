"""`[[id]]` links: the one pattern and the one expansion, for KB text and for hand-written pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from atlas.cjk import spaced
from atlas.kb.names import display_name

WIKI_LINK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)\]\]")
# A link with the single spaces Chinese text writes around a Latin name ("由 [[runc]] 启动").
_SPACED_LINK = re.compile(r"(?:(?<=\S) (?=\[\[))?\[\[([a-z0-9][a-z0-9-]*)\]\](?: (?=\S))?")


def _gap(left: str, right: str) -> str:
    """The space between `left` and `right` ("" between two Chinese characters), as `spaced` joins them."""
    return " " if len(spaced(left, right)) > len(left) + len(right) else ""


def expand(text: str, entries: Mapping[str, dict], href: Callable[[str], str], lang: str = "en") -> str:
    """Replace each `[[id]]` naming an entry by the Markdown link `[name](href(id))`, with the name a
    `lang` reader sees (a concept's Chinese name in Chinese text). Around a Chinese name, a space
    between it and a Chinese character is dropped ("由 [[container]] 组成" reads 由容器组成).

    An unknown id stays as written (`./atlas kb check` and the site's link test name it).
    """
    text = text or ""

    def link(m: re.Match) -> str:
        e = entries.get(m.group(1))
        if e is None:
            return m.group(0)
        name = display_name(e, lang)
        out = f"[{name}]({href(e['id'])})"
        whole = m.group(0)
        if whole.startswith(" "):
            out = _gap(text[m.start() - 1], name) + out
        if whole.endswith(" "):
            out += _gap(name, text[m.end()])
        return out

    return _SPACED_LINK.sub(link, text)
