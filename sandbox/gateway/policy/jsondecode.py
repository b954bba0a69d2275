"""Strict JSON decoding of request bodies, matching keys the way the Docker engine does.

The engine (Go `encoding/json`) maps an object key to a struct field case-insensitively, with Unicode
simple folding (U+017F `ſ` matches `s`, U+212A KELVIN SIGN matches `k`), and when two keys land on the
same field the LAST one wins. An inspector that reads `Binds` while the engine also reads `binds` is
blind, so the gateway never forwards the learner's bytes: `loads` keeps every key/value pair in order
(`Pairs`), and the typed models (see `schema.py`) refuse duplicates and fold-equal keys, then rebuild.

Also refused here: non-UTF-8 bodies, NaN/Infinity (not JSON; Go rejects them), nesting deeper than
`MAX_DEPTH`. Every refusal is a 400 (`Malformed`) naming the JSON path.
"""

from __future__ import annotations

import json

from ..errors import Malformed

MAX_DEPTH = 32  # the engine's request bodies nest at most ~6 deep
# The non-ASCII runes Go folds onto ASCII letters: U+017F and U+212A (simple folding, Go <= 1.20, e.g.
# Debian's dockerd 20.10 with go1.19), and U+0130/U+0131 (Go >= 1.21 folds with ToUpper(ToLower(r))).
_FOLD = {"\u017f": "s", "\u212a": "k", "\u0130": "i", "\u0131": "i"}


class Pairs(list):
    """A JSON object as the learner wrote it: every (key, value) pair, duplicates included, in order."""


def fold(key: str) -> str:
    """`key` as Go's encoding/json compares it with an (ASCII) field name: ASCII case and the two
    non-ASCII runes that fold onto ASCII letters (ſ -> s, K -> k) are ignored."""
    return "".join(_FOLD.get(c, c.lower() if c.isascii() else c) for c in key)


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def loads(body: bytes, what: str = "request body") -> object:
    """Parse `body` (UTF-8 JSON) keeping duplicate keys: objects become `Pairs`; None when empty."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(what, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        return None
    try:
        value = json.loads(text, object_pairs_hook=Pairs, parse_constant=_constant)
    except RecursionError:
        raise Malformed(what, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise Malformed(what, f"not valid JSON ({exc})") from None
    _depth(value, what)
    return value


def _depth(value: object, what: str) -> None:
    level = [value]
    for _ in range(MAX_DEPTH + 1):
        level = [
            v
            for item in level
            if isinstance(item, list)
            for v in (item if not isinstance(item, Pairs) else (x for _, x in item))
        ]
        if not level:
            return
    raise Malformed(what, f"JSON nested deeper than {MAX_DEPTH} levels")


def path_join(path: str, key: str) -> str:
    """`HostConfig` + `Binds` -> `HostConfig.Binds` (the root has an empty path)."""
    return f"{path}.{key}" if path else key


def plain(value: object, path: str) -> object:
    """A parsed value as ordinary dicts and lists, refusing duplicate keys (for free-form JSON, e.g. the
    `filters` query parameter). Keys of free-form maps are compared exactly, as Go maps do."""
    if isinstance(value, Pairs):
        out: dict = {}
        for key, item in value:
            where = path_join(path, key)
            if key in out:
                raise Malformed(where, "the key is given twice")
            out[key] = plain(item, where)
        return out
    if isinstance(value, list):
        return [plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value
