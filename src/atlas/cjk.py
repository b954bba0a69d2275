"""Line breaks and spaces between Chinese characters: one rule for the KB check, the renderer and tests.

A browser shows a line break inside a paragraph as a space. Between two Chinese characters (or a
Chinese character and full-width punctuation) that space is wrong: "它没有 包管理器". Sources are
stored unwrapped (the KB check reports a wrap), and the renderer joins such breaks anyway, so text
from anywhere (tutorials, hand-written pages) reads as written.
"""

from __future__ import annotations

import re

#: Chinese ideographs, CJK symbols and punctuation, full-width forms and the curly quotes
#: Chinese text uses (not the dash: "A — B" is spaced in both languages).
CJK = (
    "[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018-\u201d]"
)

_WRAP = re.compile(rf"(?<={CJK})[ \t]*\n[ \t]*(?={CJK})")
_PRE = re.compile(
    r"(<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>|<style\b.*?</style>)", re.S | re.I
)
_SPACED = re.compile(rf"({CJK})([ \t\n]+)({CJK})")


def wrapped_lines(text: str) -> list[int]:
    """0-based numbers of the lines of `text` that end in a break between two Chinese characters.

    Fenced code blocks (```) are skipped: a comment there may wrap as its author likes.
    """
    lines = text.split("\n")
    out, fence = [], False
    for i, line in enumerate(lines[:-1]):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence:
            continue
        if _WRAP.search(line.rstrip(" \t") + "\n" + lines[i + 1].lstrip(" \t")):
            out.append(i)
    return out


def join_wrapped(html: str) -> str:
    """Drop the line breaks between two Chinese characters in rendered HTML (never inside pre/code)."""
    if "\n" not in html:
        return html
    parts = _PRE.split(html)
    for i in range(0, len(parts), 2):  # even items are outside pre/code/script/style
        parts[i] = _WRAP.sub("", parts[i])
    return "".join(parts)


def spaced_pairs(text: str) -> list[tuple[str, str, str]]:
    """(before, whitespace, after) for every run of whitespace between two Chinese characters."""
    return [(m.group(1), m.group(2), m.group(3)) for m in _SPACED.finditer(text)]


_CJK_CHAR = re.compile(CJK)


def _cjk_at(text: str, index: int) -> bool:
    return bool(text) and bool(_CJK_CHAR.match(text[index]))


def spaced(left: str, right: str) -> str:
    """`left` and `right` joined by a space, unless both touching characters are Chinese:
    "Docker 使用" but "微服务使用" (a Chinese name next to a Chinese word)."""
    return left + right if _cjk_at(left, -1) and _cjk_at(right, 0) else f"{left} {right}"


_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: object) -> str:
    """`template` with each `{key}` replaced by `values[key]`; a space the template writes between a
    Chinese character and a value that starts (or ends) with one is dropped: "与 {name} 直接相关"
    reads "与 Docker 直接相关" and "与微服务直接相关"."""
    parts = _SLOT.split(template)
    out = parts[0]
    for key, literal in zip(parts[1::2], parts[2::2], strict=True):
        value = str(values[key])
        if out.endswith(" ") and _cjk_at(out[:-1], -1) and _cjk_at(value, 0):
            out = out[:-1]
        if literal.startswith(" ") and _cjk_at(literal[1:], 0) and _cjk_at(value, -1):
            literal = literal[1:]
        out += value + literal
    return out
