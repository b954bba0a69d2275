"""Which name of an entry a reader sees: the one home of the per-language name rule.

An entry has one `name` (how people write it: Docker, runc, "Union filesystem") and, optionally, a
Chinese `name_zh` (every concept has one: 联合文件系统). Chinese pages show `name_zh` when there is
one; every other page, and a product name without one, shows `name`. The browser's copy of this
rule is `nameOf` in site-src/assets/js/graph-model.js (it reads the same two fields of graph.json).
"""

from __future__ import annotations

from collections.abc import Mapping

#: The kinds whose name is a phrase (translated on Chinese pages), not a product name.
NAME_ZH_REQUIRED_KINDS = frozenset({"concept"})


def display_name(entry: Mapping, lang: str) -> str:
    """The name of `entry` (KB data or catalog entry) that a reader of `lang` sees."""
    if lang == "zh" and entry.get("name_zh"):
        return entry["name_zh"]
    return entry["name"]


def other_names(entry: Mapping, lang: str) -> list[str]:
    """Names search should also find on a `lang` page: the aliases, and `name` where it is not shown."""
    shown = display_name(entry, lang)
    extra = [entry["name"]] if entry["name"] != shown else []
    return extra + list(entry.get("aliases") or [])
