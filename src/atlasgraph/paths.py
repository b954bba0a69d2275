"""Shortest typed paths between two components."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import networkx as nx

from atlasgraph.from_catalog import wording

#: Among equally short paths, prefer links that explain how things work over loose ones.
#: Lower is preferred; an inverse costs what its forward type costs; unknown types cost 5.
PREFERENCE: dict[str, int] = {
    "implements": 0,
    "specifies": 0,
    "uses": 1,
    "manages": 1,
    "orchestrates": 1,
    "builds": 1,
    "stores": 1,
    "part-of": 2,
    "monitors": 3,
    "hosts": 4,
    "succeeded-by": 4,
    "fork-of": 4,
    "alternative-to": 6,
    "related-to": 9,
}


#: Extra cost of passing *through* a concept (cgroups, namespaces): a path between two
#: components should say which components connect them.
CONCEPT_DETOUR = 3
UNKNOWN_COST = 5


def _costs(g: nx.MultiDiGraph) -> dict[str, int]:
    """Preference cost of every relation type and inverse in the graph's vocabulary."""
    costs = dict(PREFERENCE)
    for rid, spec in g.graph["vocabulary"]["relation_types"].items():
        costs[spec["inverse"]] = costs.setdefault(rid, UNKNOWN_COST)
    return costs


def _best_edge(
    g: nx.MultiDiGraph, u: str, v: str, types: set[str] | None, costs: dict[str, int]
) -> dict | None:
    """The edge to follow from u to v: preferred type first, written before computed, then by name."""
    best = None
    for key, data in g[u][v].items():
        if types is not None and key not in types:
            continue
        rank = (costs.get(key, UNKNOWN_COST), data["derived"], key)
        if best is None or rank < best[0]:
            best = (rank, data)
    return best[1] if best else None


def path(g: nx.MultiDiGraph, source: str, target: str, types: Iterable[str] | None = None) -> list[dict]:
    """The shortest typed path from `source` to `target`, as a list of edges.

    Each edge is `{"source", "target", "type", "derived", "note", "en", "zh"}` where `en`/`zh`
    are the words for the type in that direction (a computed inverse reads 'implemented by').
    The path may cross relations in either direction. Fewest links wins; among equally short
    paths the one with the most explanatory links (see `PREFERENCE`: uses/implements before
    hosts, related-to last; passing through a concept costs extra) wins, then ids in sorted
    order, so the answer is deterministic.
    `types` limits the relation types followed (give forward and inverse ids).
    Returns `[]` when source == target; raises `networkx.NodeNotFound` for an unknown id and
    `networkx.NetworkXNoPath` when the two are not connected.
    """
    for node in (source, target):
        if node not in g:
            raise nx.NodeNotFound(f"unknown component '{node}'")
    allowed = set(types) if types is not None else None
    costs = _costs(g)
    best: dict[str, tuple[int, int]] = {source: (0, 0)}
    parent: dict[str, tuple[str, dict]] = {}
    heap: list[tuple[int, int, str]] = [(0, 0, source)]
    done: set[str] = set()
    while heap:
        hops, penalty, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u == target:
            break
        for v in sorted(g.successors(u)):
            if v in done:
                continue
            edge = _best_edge(g, u, v, allowed, costs)
            if edge is None:
                continue
            through_concept = v != target and g.nodes[v].get("layer") == "concepts"
            cost = (
                hops + 1,
                penalty + costs.get(edge["type"], UNKNOWN_COST) + (CONCEPT_DETOUR if through_concept else 0),
            )
            if v not in best or cost < best[v]:
                best[v] = cost
                parent[v] = (u, edge)
                heapq.heappush(heap, (*cost, v))
    if target not in done:
        raise nx.NetworkXNoPath(f"no path between '{source}' and '{target}'")
    steps: list[dict] = []
    node = target
    while node != source:
        u, data = parent[node]
        steps.append(
            {
                "source": u,
                "target": node,
                "type": data["type"],
                "derived": data["derived"],
                "note": data["note"],
                "en": wording(g, data["type"], "en"),
                "zh": wording(g, data["type"], "zh"),
            }
        )
        node = u
    steps.reverse()
    return steps


def format_path(steps: list[dict], lang: str = "en") -> str:
    """Render a path as `a —uses→ b —implemented by→ c` in `lang`."""
    if not steps:
        return ""
    parts = [steps[0]["source"]]
    for step in steps:
        parts.append(f"—{step[lang]}→ {step['target']}")
    return " ".join(parts)
