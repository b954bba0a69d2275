"""Graph queries over the Container Atlas catalog JSON (`assets/graph.json`).

Pure Python on top of networkx only, so the same code runs on the server and inside Pyodide in
the browser. Nothing here imports `atlas`.

    import json, atlasgraph
    g = atlasgraph.load(json.load(open("graph.json")))
    atlasgraph.format_path(atlasgraph.path(g, "kubectl", "runc"))
    # 'kubectl —uses→ kubernetes —uses→ kubernetes-cri —implemented by→ containerd —uses→ runc'

The graph is a `networkx.MultiDiGraph`: one node per entry (attributes: the entry's fields),
one edge per relation of the catalog, written (`derived=False`) and computed inverse
(`derived=True`), keyed by relation type. Because every inverse is present, following out-edges
walks the graph in both directions with the right wording.
"""

from __future__ import annotations

from atlasgraph.from_catalog import load, wording
from atlasgraph.paths import format_path, path
from atlasgraph.queries import (
    by_kind,
    by_layer,
    implementers,
    neighbours,
    orphans,
    predecessors_of,
    relations_of,
    successors_of,
)

__version__ = "1.0.0"

__all__ = [
    "by_kind",
    "by_layer",
    "format_path",
    "implementers",
    "load",
    "neighbours",
    "orphans",
    "path",
    "predecessors_of",
    "relations_of",
    "successors_of",
    "wording",
]
