"""The one front-matter parser: `---` YAML `---` at the top of a Markdown page, with positions.

Used by the tutorial model (and through it the site generator, the sandbox's verify checks and the
tests). Line numbers are the page's own: the YAML is parsed from the opening `---` on, so a problem
in the front matter points at the line a writer sees in their editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atlas.kb.load import LocDict, parse_mapping
from atlas.kb.problems import START, Report

_CLOSE = re.compile(r"^---[ \t]*$", re.M)


@dataclass
class Page:
    """A Markdown page split into its front matter (None when absent or invalid) and its body."""

    meta: LocDict | None
    body: str
    body_line: int  # 1-based line number of the body's first line in the file
    has_front_matter: bool


def split(text: str) -> tuple[str | None, str, int]:
    """`(front matter YAML or None, body, body's first line number)`; the YAML keeps its leading
    `---` line (a YAML document start), so YAML line numbers equal the page's."""
    first = text.split("\n", 1)[0]
    if first.rstrip() != "---":
        return None, text, 1
    close = _CLOSE.search(text, len(first) + 1)
    if close is None:
        return None, text, 1
    yaml_text = text[: close.start()]
    rest = text[close.end() :]
    body = rest[1:] if rest.startswith("\n") else rest
    return yaml_text, body, yaml_text.count("\n") + 2


def parse(text: str, report: Report) -> Page:
    """Split and parse a page; YAML errors and a non-mapping front matter go to `report`."""
    yaml_text, body, body_line = split(text)
    if yaml_text is None:
        return Page(None, body, body_line, False)
    if not yaml_text.strip("-\n \t"):
        report.error(START, "file", "the front matter is empty; it is a mapping of fields")
        return Page(None, body, body_line, True)
    return Page(parse_mapping(yaml_text, report, "the front matter"), body, body_line, True)
