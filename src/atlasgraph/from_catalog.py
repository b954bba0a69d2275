"""Build the typed graph from the catalog dict (the export JSON, version 1)."""

from __future__ import annotations

import networkx as nx

SUPPORTED_VERSION = 1


def load(catalog: dict) -> nx.MultiDiGraph:
    """Return the typed MultiDiGraph of a catalog dict.

    Nodes are entry ids with the entry's fields as attributes. Edges are the catalog's relations,
    keyed by type, with attributes `type`, `derived` and `note`. `g.graph["wording"]` maps every
    relation type and inverse to its words (`{"en": ..., "zh": ...}`); `g.graph["order"]` ranks
    types as the vocabulary lists them.
    """
    version = catalog.get("version")
    if version != SUPPORTED_VERSION:
        raise ValueError(f"unsupported catalog version {version!r} (expected {SUPPORTED_VERSION})")
    g = nx.MultiDiGraph()
    words: dict[str, dict[str, str]] = {}
    order: dict[str, int] = {}
    for rid, spec in catalog["vocabulary"]["relation_types"].items():
        words[rid] = {"en": spec["en"], "zh": spec["zh"]}
        order[rid] = len(order)
        if not spec["symmetric"]:
            words[spec["inverse"]] = {"en": spec["inverse_en"], "zh": spec["inverse_zh"]}
            order[spec["inverse"]] = len(order)
    g.graph["wording"] = words
    g.graph["order"] = order
    g.graph["vocabulary"] = catalog["vocabulary"]
    g.add_nodes_from((e["id"], e) for e in catalog["entries"])
    g.add_edges_from(
        (
            r["source"],
            r["target"],
            r["type"],
            {"type": r["type"], "derived": r["derived"], "note": r.get("note")},
        )
        for r in catalog["relations"]
    )
    return g


def wording(g: nx.MultiDiGraph, rtype: str, lang: str = "en") -> str:
    """The words for a relation type or inverse in `lang` ("en" or "zh"), e.g. 'implemented by'."""
    words = g.graph["wording"].get(rtype)
    return words[lang] if words else rtype
