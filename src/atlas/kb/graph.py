"""The typed graph of the knowledge base (networkx), built through `atlasgraph`.

The queries themselves live in the pure `atlasgraph` package so the browser (Pyodide) runs the
same code on the exported JSON; this module only connects it to a KB folder.
"""

from __future__ import annotations

from pathlib import Path

import atlasgraph
import networkx as nx
from atlasgraph import (  # noqa: F401 - re-exported for server-side callers
    by_kind,
    by_layer,
    format_path,
    implementers,
    neighbours,
    orphans,
    path,
    relations_of,
    successors_of,
)

from atlas.kb.export import catalog
from atlas.kb.problems import gc_paused


def build_graph(cat: dict) -> nx.MultiDiGraph:
    """The typed MultiDiGraph (inverses included) of a catalog dict."""
    with gc_paused():
        return atlasgraph.load(cat)


def kb_graph(kb_dir: Path) -> nx.MultiDiGraph:
    """Load, validate and graph `kb_dir`; raises `KBError` when the KB is invalid."""
    return build_graph(catalog(Path(kb_dir)))


def neighbourhood(g: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """Entries within `depth` relations of `node`, either direction (see `atlasgraph.neighbours`)."""
    return atlasgraph.neighbours(g, node, depth)


def shortest_path(g: nx.MultiDiGraph, source: str, target: str) -> list[dict]:
    """The shortest typed path (see `atlasgraph.path`)."""
    return atlasgraph.path(g, source, target)
