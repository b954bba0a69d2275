"""`docker images` filters in the session's view.

The engine matches `reference=` patterns (and the legacy `filter=` parameter) against its own names
(`atlas-<id>.greeter:latest`), and resolves `before=`/`since=` by engine name, so neither can be
sent as the learner wrote them. The gateway takes them out of the forwarded query: `before`/`since`
are resolved in the session's view and sent as image IDs; reference patterns are matched here,
against the names the learner sees, on the images the session may see — as the engine's
reference.FamiliarMatch does (Go's path.Match on `repo:tag`, then on `repo`). Other filters
(dangling, label) go to the engine unchanged; what it answers is still cut to the session's view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from .errors import Malformed

WHERE = "query parameter filters"
NONE = ("<none>:<none>", "<none>@<none>")  # the engine's placeholders for an untagged image


def glob_regex(pattern: str, where: str = f"{WHERE}.reference") -> re.Pattern:
    """The regex of a Go path.Match pattern: `*` and `?` never cross `/`, `[...]`/`[^...]` classes
    with ranges, `\\` escapes; Malformed (naming `where`) for a pattern Go would reject."""
    bad = Malformed(where, f"{pattern!r} is not a valid pattern")
    out, i, n = [], 0, len(pattern)

    def char(j: int) -> tuple[str, int]:  # one (possibly escaped) class character
        if j >= n or (pattern[j] in "-]"):
            raise bad
        if pattern[j] == "\\":
            if j + 1 >= n:
                raise bad
            return pattern[j + 1], j + 2
        return pattern[j], j + 1

    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise bad
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            i += negate
            ranges = []
            while True:
                if i >= n:
                    raise bad
                if pattern[i] == "]" and ranges:
                    i += 1
                    break
                lo, i = char(i)
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = char(i + 1)
                if lo > hi:
                    raise bad
                ranges.append(f"{re.escape(lo)}-{re.escape(hi)}")
            out.append(("[^" if negate else "[") + "".join(ranges) + "]")
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.S)


def _name(ref: str) -> str:
    """The repository part of `repo:tag` or `repo@digest`."""
    if "@" in ref:
        return ref.partition("@")[0]
    last = ref.rsplit("/", 1)[-1]
    return ref.rpartition(":")[0] if ":" in last else ref


def matches(patterns: list[re.Pattern], ref: str) -> bool:
    """True when any pattern matches `ref` (the learner's `repo:tag` / `repo@digest`) or its repo."""
    return any(p.fullmatch(ref) or p.fullmatch(_name(ref)) for p in patterns)


def split_filters(raw: str, resolve: Callable[[str], str]) -> tuple[str, list[re.Pattern]]:
    """(filters JSON to send the engine, reference patterns to match in the gateway) from the
    `filters` query of GET /images/json (the map form query.filters re-encodes). `before`/`since`
    values are image references in the session's view: `resolve` turns one into its image ID (and
    raises NoSuchObject for one the session cannot see)."""
    try:
        filters = json.loads(raw or "{}") or {}
    except ValueError:
        raise Malformed(WHERE, "not valid JSON") from None
    if not isinstance(filters, dict):
        raise Malformed(WHERE, "expected a JSON object")
    norm = {k: list(v) if isinstance(v, (list, dict)) else [v] for k, v in filters.items()}
    patterns = [glob_regex(str(p)) for p in norm.pop("reference", [])]
    for key in ("before", "since"):
        if key in norm:
            norm[key] = [resolve(str(ref)) for ref in norm[key]]
    return json.dumps({k: {str(v): True for v in vals} for k, vals in norm.items()}), patterns


def keep_matching(images: list[dict], patterns: list[re.Pattern], outer: Callable[[str], str]) -> list[dict]:
    """The images (already cut to the session's view) with a name that matches a pattern, each with
    only its matching names, as the engine does; `outer` gives the learner's form of an engine name."""
    out = []
    for img in images:
        tags = [t for t in img.get("RepoTags") or [] if t not in NONE and matches(patterns, outer(t))]
        digests = [d for d in img.get("RepoDigests") or [] if d not in NONE and matches(patterns, outer(d))]
        if tags or digests:
            out.append({**img, "RepoTags": tags, "RepoDigests": digests})
    return out
