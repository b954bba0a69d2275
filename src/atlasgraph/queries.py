"""Neighbourhoods, typed lookups and filters over the catalog graph."""

from __future__ import annotations

import networkx as nx


def neighbours(g: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """The sub-graph of every entry within `depth` relations of `node` (either direction).

    The result keeps written and computed edges; draw only `derived=False` edges to show each
    link once. Raises `networkx.NodeNotFound` for an unknown id.
    """
    if node not in g:
        raise nx.NodeNotFound(f"unknown component '{node}'")
    seen = {node}
    frontier = [node]
    for _ in range(max(depth, 0)):
        nxt = []
        for u in frontier:
            for v in g.successors(u):
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        frontier = nxt
    return g.subgraph(seen).copy()


def _targets(g: nx.MultiDiGraph, node: str, rtype: str) -> list[str]:
    if node not in g:
        raise nx.NodeNotFound(f"unknown component '{node}'")
    return sorted(v for _, v, key in g.out_edges(node, keys=True) if key == rtype)


def implementers(g: nx.MultiDiGraph, spec_id: str) -> list[str]:
    """Ids of the entries that implement `spec_id`, sorted."""
    return _targets(g, spec_id, "implemented-by")


def successors_of(g: nx.MultiDiGraph, node: str) -> list[str]:
    """What replaced `node`: ids it is `succeeded-by`, sorted."""
    return _targets(g, node, "succeeded-by")


def predecessors_of(g: nx.MultiDiGraph, node: str) -> list[str]:
    """What `node` replaced: ids it is the `successor-of`, sorted."""
    return _targets(g, node, "successor-of")


def relations_of(g: nx.MultiDiGraph, node: str) -> dict[str, list[str]]:
    """Every relation of `node` grouped by type (written and inverse), in vocabulary order."""
    if node not in g:
        raise nx.NodeNotFound(f"unknown component '{node}'")
    order = g.graph["order"]
    grouped: dict[str, list[str]] = {}
    for _, v, key in g.out_edges(node, keys=True):
        grouped.setdefault(key, []).append(v)
    return {k: sorted(grouped[k]) for k in sorted(grouped, key=lambda k: (order.get(k, len(order)), k))}


def by_layer(g: nx.MultiDiGraph, layer: str) -> list[str]:
    """Ids of the entries in `layer` (core, platform, support, concepts), sorted."""
    return sorted(n for n, data in g.nodes(data=True) if data.get("layer") == layer)


def by_kind(g: nx.MultiDiGraph, kind: str) -> list[str]:
    """Ids of the entries of `kind` (runtime, spec, ...), sorted."""
    return sorted(n for n, data in g.nodes(data=True) if data.get("kind") == kind)


def orphans(g: nx.MultiDiGraph) -> list[str]:
    """Ids of the entries with no relation in either direction, sorted."""
    return sorted(n for n in g if g.degree(n) == 0)
