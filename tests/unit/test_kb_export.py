"""The catalog (export JSON contract), CSV export, and the synthetic KB generator."""

from __future__ import annotations

import csv
import io

import pytest
from atlas.errors import KBError
from atlas.kb.export import catalog, entries_csv, relations_csv
from atlas.kb.load import load_kb
from atlas.kb.synthetic import write_sample_kb, write_synthetic_kb
from atlas.kb.validate import validate
from atlas.kb.vocabulary import CATEGORIES, RELATION_TYPES


@pytest.fixture
def sample(tmp_path):
    return write_sample_kb(tmp_path / "kb")


def test_catalog_follows_the_contract(sample):
    cat = catalog(sample)
    assert set(cat) == {"version", "vocabulary", "entries", "relations"}
    assert cat["version"] == 1
    assert set(cat["vocabulary"]) == {
        "layers", "categories", "kinds", "statuses", "foundation_statuses", "relation_types",
    }  # fmt: skip
    assert cat["vocabulary"]["relation_types"]["implements"] == {
        "inverse": "implemented-by", "symmetric": False, "acyclic": False,
        "en": "implements", "zh": "实现了", "inverse_en": "implemented by", "inverse_zh": "被以下实现",
    }  # fmt: skip
    assert list(cat["vocabulary"]["categories"]) == list(CATEGORIES)
    runc = next(e for e in cat["entries"] if e["id"] == "runc")
    assert runc == {
        "id": "runc",
        "name": "runc",
        "name_zh": None,
        "aliases": [],
        "kind": "runtime",
        "layer": "core",
        "category": "runtimes",
        "summary": {"en": "runc is a runtime.", "zh": "runc 是一个运行时。"},
        "description": {
            "en": "runc appears here so tests have real names to follow.\n",
            "zh": "runc 出现在这里，让测试有真实的名字可循。\n",
        },
        "facts": {
            "status": "active", "status_since": None, "first_release": 2015, "license": "Apache-2.0",
            "organization": None, "homepage": "https://example.org/runc", "repository": None,
            "foundation": None,
        },
        "sources": [{"url": "https://example.org/runc/docs", "title": "runc documentation"}],
        "file": "kb/runtimes/runc.yaml",
        "try": None,
        "runnable": False,
    }  # fmt: skip


def test_every_relation_has_its_computed_inverse(sample):
    rels = catalog(sample)["relations"]
    assert {"source": "runc", "type": "implements", "target": "oci-runtime-spec", "note": None,
            "derived": False} in rels  # fmt: skip
    assert {"source": "oci-runtime-spec", "type": "implemented-by", "target": "runc", "note": None,
            "derived": True} in rels  # fmt: skip
    # symmetric types: the inverse has the same type, source and target swapped
    assert {
        "source": "runc",
        "type": "alternative-to",
        "target": "crun",
        "note": None,
        "derived": True,
    } in rels
    written = [r for r in rels if not r["derived"]]
    assert len(rels) == 2 * len(written)
    for r in written:
        inverse = RELATION_TYPES[r["type"]].inverse
        assert {**r, "source": r["target"], "target": r["source"], "type": inverse, "derived": True} in rels


def test_entries_and_relations_are_sorted(sample):
    cat = catalog(sample)
    ids = [e["id"] for e in cat["entries"]]
    assert ids == sorted(ids) and len(ids) == 14
    keys = [(r["source"], r["type"], r["target"]) for r in cat["relations"]]
    assert keys == sorted(keys)


def test_catalog_of_an_invalid_kb_raises_with_every_problem(sample):
    (sample / "runtimes" / "runc.yaml").write_text("id: runc\n", encoding="utf-8")
    with pytest.raises(KBError) as info:
        catalog(sample)
    messages = [str(p) for p in info.value.problems]
    assert "kb/runtimes/runc.yaml:1:1: name: required field is missing" in messages
    assert "kb/runtimes/runc.yaml:1:1: sources: required field is missing" in messages


def test_csv_has_one_row_per_entry_and_relation(sample):
    cat = catalog(sample)
    entries = list(csv.DictReader(io.StringIO(entries_csv(cat))))
    relations = list(csv.DictReader(io.StringIO(relations_csv(cat))))
    assert len(entries) == 14 and len(relations) == len(cat["relations"])
    heapster = next(e for e in entries if e["id"] == "heapster")
    assert (heapster["status"], heapster["status_since"], heapster["summary_zh"]) == (
        "archived", "2018", "Heapster 是一个监控。",
    )  # fmt: skip
    assert {"source": "heapster", "type": "succeeded-by", "target": "metrics-server", "derived": "false",
            "note_en": "", "note_zh": ""} in relations  # fmt: skip


def test_synthetic_kb_is_valid(tmp_path):
    kb = write_synthetic_kb(tmp_path / "kb", n_entries=160, n_relations=480)
    loaded = load_kb(kb)
    assert len(loaded.entries) == 160
    assert validate(loaded) == []
    cat = catalog(kb)
    assert sum(not r["derived"] for r in cat["relations"]) == 480
