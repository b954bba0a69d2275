"""`[[id]]` links: the one pattern and the one expansion, for KB text and for hand-written pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

WIKI_LINK = re.compile(r"\[\[([a-z0-9][a-z0-9-]*)\]\]")


def expand(text: str, entries: Mapping[str, dict], href: Callable[[str], str]) -> str:
    """Replace each `[[id]]` naming an entry by the Markdown link `[name](href(id))`.

    An unknown id stays as written (`./atlas kb check` and the site's link test name it).
    """

    def link(m: re.Match) -> str:
        e = entries.get(m.group(1))
        return m.group(0) if e is None else f"[{e['name']}]({href(e['id'])})"

    return WIKI_LINK.sub(link, text or "")
