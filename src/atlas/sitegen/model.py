"""An index over the export catalog (the contract in the brief) that the page renderers share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape as _escape
from typing import Any

from atlas.kb.names import display_name

LANGS = ("en", "zh")

#: HTML-escape with a cache: names, labels and URLs repeat across thousands of generated pages.
escape = lru_cache(maxsize=1 << 16)(_escape)


@dataclass
class SiteModel:
    """The export catalog plus lookups: entries by id, relations by source, members by category."""

    catalog: dict[str, Any]
    entries: dict[str, dict] = field(default_factory=dict)
    out: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    members: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    wording: dict[str, dict[str, str]] = field(default_factory=dict)
    type_order: list[str] = field(default_factory=list)

    @classmethod
    def from_catalog(cls, catalog: dict[str, Any]) -> SiteModel:
        """Index `catalog` (entries by id, relations by source, members by category)."""
        m = cls(catalog=catalog)
        for e in catalog["entries"]:
            m.entries[e["id"]] = e
            m.members[e["category"]].append(e)
        for r in catalog["relations"]:
            m.out[r["source"]].append(r)
        for tid, rt in catalog["vocabulary"]["relation_types"].items():
            m.wording[tid] = {"en": rt["en"], "zh": rt["zh"]}
            m.type_order.append(tid)
        for tid, rt in catalog["vocabulary"]["relation_types"].items():
            if not rt.get("symmetric") and rt["inverse"] != tid:
                m.wording[rt["inverse"]] = {"en": rt["inverse_en"], "zh": rt["inverse_zh"]}
                m.type_order.append(rt["inverse"])
        return m

    @property
    def vocab(self) -> dict[str, Any]:
        """The catalog's vocabulary block."""
        return self.catalog["vocabulary"]

    def label(self, table: str, key: str | None, lang: str) -> str:
        """The `lang` wording of `key` in vocabulary `table` (layers, kinds, statuses...)."""
        if not key:
            return ""
        item = self.vocab[table].get(key)
        return item[lang] if item else key

    def name(self, entry: dict | str, lang: str) -> str:
        """The name of `entry` (or of the entry with that id) a `lang` reader sees (atlas.kb.names)."""
        return display_name(self.entries[entry] if isinstance(entry, str) else entry, lang)

    def text(self, value: Any, lang: str) -> str:
        """A bilingual `{"en","zh"}` value in `lang` (falls back to English)."""
        if isinstance(value, dict):
            return value.get(lang) or value.get("en") or ""
        return value or ""

    def layers(self) -> list[str]:
        """Layer ids in vocabulary order."""
        return list(self.vocab["layers"])

    def categories_of(self, layer: str) -> list[str]:
        """Category ids of `layer`, in vocabulary order."""
        return [c for c, v in self.vocab["categories"].items() if v["layer"] == layer]

    def successors(self, entry_id: str) -> list[dict]:
        """Entries that succeeded `entry_id` (its `succeeded-by` relations)."""
        return [self.entries[r["target"]] for r in self.out[entry_id] if r["type"] == "succeeded-by"]

    def grouped_relations(self, entry_id: str) -> list[tuple[str, list[dict]]]:
        """Relations of `entry_id` in both directions, grouped by type in vocabulary order."""
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in self.out[entry_id]:
            groups[r["type"]].append(r)
        order = {t: i for i, t in enumerate(self.type_order)}
        return sorted(groups.items(), key=lambda kv: order.get(kv[0], 999))


def rel_url(from_url: str, to_url: str) -> str:
    """A relative link from directory URL `from_url` to `to_url`, both in one language tree ("" = home).

    Every page URL is a directory ("components/runc/"), so going up once per "/" is always right.
    """
    return "../" * from_url.count("/") + to_url if (from_url or to_url) else "./"


def component_url(entry_id: str) -> str:
    """Language-relative URL of a component page."""
    return f"components/{entry_id}/"


def category_url(cat_id: str) -> str:
    """Language-relative URL of a category page."""
    return f"categories/{cat_id}/"


def link(href: str, text: str, cls: str = "") -> str:
    """An escaped HTML link."""
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{escape(href)}"{c}>{escape(text)}</a>'
