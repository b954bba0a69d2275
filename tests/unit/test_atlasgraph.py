"""atlasgraph: graph queries over the catalog JSON (the code the browser runs in Pyodide)."""

from __future__ import annotations

import json
import subprocess
import sys

import atlasgraph
import networkx as nx
import pytest
from atlas.kb.export import catalog
from atlas.kb.synthetic import write_sample_kb


@pytest.fixture(scope="module")
def g(tmp_path_factory):
    kb = write_sample_kb(tmp_path_factory.mktemp("sample") / "kb")
    # go through JSON, as the browser does
    return atlasgraph.load(json.loads(json.dumps(catalog(kb), ensure_ascii=False)))


def test_graph_holds_entries_and_both_directions(g):
    assert g.number_of_nodes() == 14
    assert g.nodes["runc"]["kind"] == "runtime"
    assert g.has_edge("runc", "oci-runtime-spec", key="implements")
    assert g.has_edge("oci-runtime-spec", "runc", key="implemented-by")
    assert g.edges["oci-runtime-spec", "runc", "implemented-by"]["derived"] is True


def test_shortest_typed_path_reads_inverses_in_english_and_chinese(g):
    steps = atlasgraph.path(g, "kubectl", "runc")
    assert atlasgraph.format_path(steps) == (
        "kubectl —uses→ kubernetes —uses→ kubernetes-cri —implemented by→ containerd —uses→ runc"
    )
    assert atlasgraph.format_path(steps, "zh") == (
        "kubectl —使用→ kubernetes —使用→ kubernetes-cri —被以下实现→ containerd —使用→ runc"
    )
    assert [s["derived"] for s in steps] == [False, False, True, False]


def test_path_limited_to_types(g):
    steps = atlasgraph.path(g, "docker-cli", "runc", types=["uses"])
    assert atlasgraph.format_path(steps) == "docker-cli —uses→ docker-engine —uses→ containerd —uses→ runc"


def test_path_errors(g):
    with pytest.raises(nx.NodeNotFound, match="unknown component 'nope'"):
        atlasgraph.path(g, "nope", "runc")
    with pytest.raises(nx.NetworkXNoPath, match="no path between 'container' and 'runc'"):
        atlasgraph.path(g, "container", "runc")
    assert atlasgraph.path(g, "runc", "runc") == []


def test_neighbours(g):
    assert sorted(atlasgraph.neighbours(g, "runc")) == [
        "containerd",
        "cri-o",
        "crun",
        "oci-runtime-spec",
        "runc",
    ]
    two = atlasgraph.neighbours(g, "runc", depth=2)
    assert "docker-engine" in two and "kubernetes-cri" in two and "docker-cli" not in two
    assert sorted(atlasgraph.neighbours(g, "container", depth=3)) == ["container"]


def test_typed_lookups(g):
    assert atlasgraph.implementers(g, "oci-runtime-spec") == ["crun", "runc"]
    assert atlasgraph.implementers(g, "kubernetes-cri") == ["containerd", "cri-o"]
    assert atlasgraph.successors_of(g, "heapster") == ["metrics-server"]
    assert atlasgraph.predecessors_of(g, "metrics-server") == ["heapster"]
    assert atlasgraph.successors_of(g, "runc") == []
    assert atlasgraph.relations_of(g, "runc") == {
        "implements": ["oci-runtime-spec"],
        "used-by": ["containerd", "cri-o"],
        "alternative-to": ["crun"],
    }


def test_filters_and_orphans(g):
    assert atlasgraph.by_layer(g, "platform") == ["kubectl", "kubernetes"]
    assert atlasgraph.by_kind(g, "spec") == ["kubernetes-cri", "oci-runtime-spec"]
    assert atlasgraph.orphans(g) == ["container"]


def test_rejects_an_unknown_catalog_version():
    with pytest.raises(ValueError, match="unsupported catalog version 2"):
        atlasgraph.load({"version": 2})


def test_imports_nothing_from_atlas():
    code = "import sys, atlasgraph; print(sorted(m for m in sys.modules if m.split('.')[0] == 'atlas'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_equally_short_paths_prefer_explanatory_links():
    from atlas.kb.export import vocabulary

    def entry(i, layer="core"):
        return {"id": i, "name": i, "kind": "runtime", "layer": layer}

    def rel(s, t, r, inv, derived=False):
        return [{"source": s, "type": r, "target": t, "note": None, "derived": derived},
                {"source": t, "type": inv, "target": s, "note": None, "derived": not derived}]  # fmt: skip

    cat = {
        "version": 1,
        "vocabulary": vocabulary(),
        "entries": [
            entry("a"),
            entry("b"),
            entry("aa-loose"),
            entry("ab-concept", "concepts"),
            entry("zz-uses"),
        ],
        "relations": [
            *rel("a", "aa-loose", "related-to", "related-to"),
            *rel("aa-loose", "b", "related-to", "related-to"),
            *rel("a", "ab-concept", "uses", "used-by"),
            *rel("ab-concept", "b", "uses", "used-by"),
            *rel("a", "zz-uses", "uses", "used-by"),
            *rel("b", "zz-uses", "implements", "implemented-by"),
        ],
    }
    g = atlasgraph.load(cat)
    assert atlasgraph.format_path(atlasgraph.path(g, "a", "b")) == "a —uses→ zz-uses —implemented by→ b"
