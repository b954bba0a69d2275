"""Variable expansion as the classic builder does it (its shell lexer's ProcessWord): `$A`, `${A}`,
`${A:-x}`, `${A:+x}`, `${A:?x}`, quotes removed, the escape character; and `literal`, which writes a
value so that this expansion gives it back unchanged.
"""

from __future__ import annotations


def literal(value: str, escape: str) -> str:
    """`value` written so that the builder's expansion gives it back unchanged (no variables, quotes
    or word breaks left for the engine to interpret)."""
    return "".join(escape + c if c in (escape, "$", '"', "'") or c.isspace() else c for c in value)


class TooLarge(ValueError):
    """Expansion made a value longer than the `limit` given to `expand` (a variable bomb:
    `ENV A=$A$A$A...` line after line grows tenfold each time)."""


class Unset(Exception):
    """Expansion used a variable that has no value."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def expand(
    word: str, env: dict[str, str], escape: str = "\\", strict: bool = False, limit: int | None = None
) -> str:
    """A word with $A, ${A}, ${A:-x}, ${A:+x} expanded and quotes removed (the builder's ProcessWord).

    With `strict`, a variable without a value raises Unset instead of becoming "". With `limit`, a
    result longer than `limit` characters raises TooLarge before it is ever joined in memory.
    """
    pos = 0
    n = len(word)

    def peek() -> str:
        return word[pos] if pos < n else ""

    def name() -> str:
        nonlocal pos
        start = pos
        if pos < n and word[pos].isdigit():
            while pos < n and word[pos].isdigit():
                pos += 1
            return word[start:pos]
        if pos < n and word[pos] in "@*#?-$!":
            pos += 1
            return word[start:pos]
        while pos < n and (word[pos].isalnum() or word[pos] == "_"):
            pos += 1
        return word[start:pos]

    def lookup(var: str) -> tuple[str, bool]:
        if var in env:
            return env[var], True
        if strict:
            raise Unset(var)
        return "", False

    def dollar() -> str:
        nonlocal pos
        pos += 1
        if peek() != "{":
            var = name()
            return lookup(var)[0] if var else "$"
        pos += 1
        if peek() in ("", "{", "}", ":"):
            raise ValueError("syntax error: bad substitution" if peek() else "syntax error: missing '}'")
        var = name()
        ch = peek()
        pos += 1
        if ch == "}":
            return lookup(var)[0]
        if ch != ":":
            raise ValueError("missing ':' in substitution")
        modifier = peek()
        pos += 1
        inner = until("}")
        if modifier == "+":
            value = env.get(var, "")
            return inner if value else ""
        if modifier == "-":
            value = env.get(var, "")
            return value or inner
        if modifier == "?":
            if not env.get(var):
                raise ValueError(f"{var}: {inner or 'is not allowed to be unset'}")
            return env[var]
        raise ValueError(f"unsupported modifier ({modifier}) in substitution")

    def until(stop: str) -> str:
        nonlocal pos
        out: list[str] = []
        size = 0

        def add(piece: str) -> None:
            nonlocal size
            out.append(piece)
            size += len(piece)
            if limit is not None and size > limit:
                raise TooLarge(f"expands to more than {limit} characters")

        while pos < n:
            ch = word[pos]
            if ch == stop:
                pos += 1
                return "".join(out)
            if ch == "'":
                pos += 1
                end = word.find("'", pos)
                if end < 0:
                    raise ValueError("unexpected end of statement while looking for matching single-quote")
                add(word[pos:end])
                pos = end + 1
            elif ch == '"':
                pos += 1
                while True:
                    if pos >= n:
                        raise ValueError(
                            "unexpected end of statement while looking for matching double-quote"
                        )
                    c = word[pos]
                    if c == '"':
                        pos += 1
                        break
                    if c == "$":
                        add(dollar())
                        continue
                    pos += 1
                    if c == escape:
                        if pos >= n:
                            continue
                        if word[pos] in ('"', "$", escape):
                            c = word[pos]
                            pos += 1
                    add(c)
            elif ch == "$":
                add(dollar())
            elif ch == escape:
                pos += 1
                if pos < n:
                    add(word[pos])
                    pos += 1
            else:
                add(ch)
                pos += 1
        if stop:
            raise ValueError("syntax error: missing '}'")
        return "".join(out)

    return until("")
