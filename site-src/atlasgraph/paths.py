"""Shortest typed paths between two components."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import networkx as nx

from atlasgraph.build import wording


def _best_edge(g: nx.MultiDiGraph, u: str, v: str, types: set[str] | None) -> dict | None:
    """The edge to follow from u to v: written before computed, then vocabulary order."""
    order = g.graph["order"]
    best = None
    for key, data in g[u][v].items():
        if types is not None and key not in types:
            continue
        rank = (data["derived"], order.get(key, len(order)), key)
        if best is None or rank < best[0]:
            best = (rank, data)
    return best[1] if best else None


def path(g: nx.MultiDiGraph, source: str, target: str, types: Iterable[str] | None = None) -> list[dict]:
    """The shortest typed path from `source` to `target`, as a list of edges.

    Each edge is `{"source", "target", "type", "derived", "note", "en", "zh"}` where `en`/`zh`
    are the words for the type in that direction (a computed inverse reads 'implemented by').
    The path may cross relations in either direction. `types` limits the relation types followed
    (give forward and inverse ids). Ties are broken deterministically (ids in sorted order).
    Returns `[]` when source == target; raises `networkx.NodeNotFound` for an unknown id and
    `networkx.NetworkXNoPath` when the two are not connected.
    """
    for node in (source, target):
        if node not in g:
            raise nx.NodeNotFound(f"unknown component '{node}'")
    allowed = set(types) if types is not None else None
    parent: dict[str, tuple[str, dict] | None] = {source: None}
    queue = deque([source])
    while queue and target not in parent:
        u = queue.popleft()
        for v in sorted(g.successors(u)):
            if v in parent:
                continue
            edge = _best_edge(g, u, v, allowed)
            if edge is None:
                continue
            parent[v] = (u, edge)
            queue.append(v)
    if target not in parent:
        raise nx.NetworkXNoPath(f"no path between '{source}' and '{target}'")
    steps: list[dict] = []
    node = target
    while parent[node] is not None:
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
