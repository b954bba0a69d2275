"""Stage 3: the catalog dict (the export JSON the site ships as `assets/graph.json`) and CSV.

Format (version 1): `{"version", "vocabulary", "entries", "relations"}`, documented in the brief
and in docs; every written relation appears once with `derived: false` and its inverse with
`derived: true` (same note); entries are sorted by id, relations by (source, type, target).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TextIO

from atlas.kb.landscape_data import item_url
from atlas.kb.load import LoadedKB
from atlas.kb.problems import gc_paused
from atlas.kb.try_data import is_runnable, mentioned_ids, try_export
from atlas.kb.validate import check_kb
from atlas.kb.vocabulary import (
    CATEGORIES,
    FOUNDATION_STATUSES,
    KINDS,
    LAYERS,
    RELATION_TYPES,
    STATUSES,
    Label,
)

CATALOG_VERSION = 1
FACT_FIELDS = ("status", "status_since", "first_release", "license", "organization", "homepage", "repository")
ENTRY_COLUMNS = [
    "id", "name", "name_zh", "aliases", "kind", "layer", "category", "status", "status_since",
    "first_release", "license", "organization", "homepage", "repository", "foundation", "foundation_status",
    "foundation_since", "summary_en", "summary_zh", "description_en", "description_zh", "sources", "file",
    "try", "runnable",
]  # fmt: skip
RELATION_COLUMNS = ["source", "type", "target", "derived", "note_en", "note_zh"]


def _label(label: Label) -> dict[str, str]:
    return {"en": label.en, "zh": label.zh}


def vocabulary() -> dict:
    """The closed vocabularies as JSON-ready data (the catalog's `vocabulary`)."""
    return {
        "layers": {k: _label(v) for k, v in LAYERS.items()},
        "categories": {
            c.id: {"layer": c.layer, **_label(c.label), "blurb": _label(c.blurb)} for c in CATEGORIES.values()
        },
        "kinds": {k: _label(v) for k, v in KINDS.items()},
        "statuses": {k: _label(v) for k, v in STATUSES.items()},
        "foundation_statuses": {k: _label(v) for k, v in FOUNDATION_STATUSES.items()},
        "relation_types": {
            r.id: {
                "inverse": r.inverse,
                "symmetric": r.symmetric,
                "acyclic": r.acyclic,
                "en": r.label.en,
                "zh": r.label.zh,
                "inverse_en": r.inverse_label.en,
                "inverse_zh": r.inverse_label.zh,
            }
            for r in RELATION_TYPES.values()
        },
    }


def _text(value: dict | None) -> dict[str, str] | None:
    return {"en": value["en"], "zh": value["zh"]} if value else None


def _landscape(value: dict | None) -> dict:
    """`{"landscape": {name, item, url}}` for an entry on the CNCF landscape, else nothing."""
    if not value:
        return {}
    return {"landscape": {"name": value["name"], "item": value["item"], "url": item_url(value["item"])}}


def build_catalog(kb: LoadedKB, mentioned: set[str] | frozenset[str] = frozenset()) -> dict:
    """The catalog of an already validated KB (no error problems); `mentioned`: ids a tutorial step
    mentions (their pages are runnable, see atlas.kb.try_data)."""
    with gc_paused():
        return _build_catalog(kb, mentioned)


def _build_catalog(kb: LoadedKB, mentioned: set[str] | frozenset[str]) -> dict:
    entries, relations = [], []
    for raw in kb.entries:
        data = raw.data
        facts = data["facts"]
        foundation = facts.get("foundation")
        entry_id = data["id"]
        tried = try_export(data.get("try"))
        entries.append(
            {
                "id": entry_id,
                "name": data["name"],
                "name_zh": data.get("name_zh"),
                "aliases": list(data.get("aliases") or []),
                "kind": data["kind"],
                "layer": data["layer"],
                "category": raw.category,
                "summary": _text(data["summary"]),
                "description": _text(data["description"]),
                "facts": {
                    **{k: facts.get(k) for k in FACT_FIELDS},
                    "foundation": {
                        "name": foundation["name"],
                        "status": foundation["status"],
                        "since": foundation.get("since"),
                    }
                    if foundation
                    else None,
                },
                "sources": [{"url": s["url"], "title": s.get("title") or s["url"]} for s in data["sources"]],
                "file": raw.path,
                **_landscape(data.get("landscape")),
                "try": tried,
                "runnable": is_runnable(tried, entry_id in mentioned),
            }
        )
        for rel in data.get("relations") or []:
            spec = RELATION_TYPES[rel["type"]]
            note = _text(rel.get("note"))
            relations.append(
                {"source": entry_id, "type": spec.id, "target": rel["target"], "note": note, "derived": False}
            )
            relations.append(
                {
                    "source": rel["target"],
                    "type": spec.inverse,
                    "target": entry_id,
                    "note": note,
                    "derived": True,
                }
            )
    entries.sort(key=lambda e: e["id"])
    relations.sort(key=lambda r: (r["source"], r["type"], r["target"], r["derived"]))
    return {
        "version": CATALOG_VERSION,
        "vocabulary": vocabulary(),
        "entries": entries,
        "relations": relations,
    }


def catalog(kb_dir: Path) -> dict:
    """Load, validate and export `kb_dir`; raises `KBError` (with every problem) when invalid.
    Tutorial mentions come from the `docs/` folder next to `kb_dir`, when there is one."""
    kb, _ = check_kb(Path(kb_dir), strict=True)
    return build_catalog(kb, mentioned_ids(Path(kb_dir).parent / "docs"))


def write_json(cat: dict, stream: TextIO) -> None:
    """Write the catalog as pretty, UTF-8 JSON (Chinese kept readable)."""
    json.dump(cat, stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def entry_rows(cat: dict) -> list[dict[str, object]]:
    """One flat row per entry (lists joined with '; ', sources by spaces)."""
    rows = []
    for e in cat["entries"]:
        facts, foundation = e["facts"], e["facts"]["foundation"] or {}
        rows.append(
            {
                **{k: e[k] for k in ("id", "name", "kind", "layer", "category", "file")},
                "name_zh": e.get("name_zh") or "",
                **{k: facts[k] for k in FACT_FIELDS},
                "aliases": "; ".join(e["aliases"]),
                "foundation": foundation.get("name"),
                "foundation_status": foundation.get("status"),
                "foundation_since": foundation.get("since"),
                "summary_en": e["summary"]["en"],
                "summary_zh": e["summary"]["zh"],
                "description_en": e["description"]["en"],
                "description_zh": e["description"]["zh"],
                "sources": " ".join(s["url"] for s in e["sources"]),
                "try": " ".join(
                    k for k in ("run", "python", "tutorial", "reason") if (e.get("try") or {}).get(k)
                ),
                "runnable": "true" if e.get("runnable") else "false",
            }
        )
    return rows


def relation_rows(cat: dict) -> list[dict[str, object]]:
    """One row per relation, written and computed (`derived` is 'true' or 'false')."""
    return [
        {
            "source": r["source"],
            "type": r["type"],
            "target": r["target"],
            "derived": "true" if r["derived"] else "false",
            "note_en": r["note"]["en"] if r["note"] else "",
            "note_zh": r["note"]["zh"] if r["note"] else "",
        }
        for r in cat["relations"]
    ]


def _csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def entries_csv(cat: dict) -> str:
    """The entries as CSV text with a header row."""
    return _csv(entry_rows(cat), ENTRY_COLUMNS)


def relations_csv(cat: dict) -> str:
    """The relations as CSV text with a header row."""
    return _csv(relation_rows(cat), RELATION_COLUMNS)
