"""The KB as files at stable, versioned paths: what the site serves under `/data/v1/`.

One function makes the bytes (`data_files`), so `./atlas kb export --format data --out DIR` and
the built site's `data/v1/` folder are the same files. Layout (version 1):

- `graph.json` — the whole catalog, exactly what `./atlas kb export` prints;
- `entries.json` — `{"version", "entries": [...]}` (the catalog's entries, sorted by id);
- `entries.csv`, `relations.csv` — exactly what `./atlas kb export --format csv --out DIR` writes;
- `runnable.json` — how many entry pages have a runnable example, overall and by layer
  (`atlas.kb.try_data.runnable_counts`: entries, runnable, share in percent);
- `entries/<id>.json` — `{"version", "entry", "relations"}`: one entry and every relation whose
  source it is (written and derived, so both directions of each link).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

from atlas.kb.export import CATALOG_VERSION, entries_csv, relations_csv, write_json
from atlas.kb.try_data import runnable_counts

DATA_PREFIX = f"data/v{CATALOG_VERSION}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def data_files(cat: dict) -> dict[str, str]:
    """Every data file of catalog `cat`: path relative to `data/v1/` -> UTF-8 text."""
    full = io.StringIO()
    write_json(cat, full)
    files = {
        "graph.json": full.getvalue(),
        "entries.json": _json({"version": cat["version"], "entries": cat["entries"]}),
        "entries.csv": entries_csv(cat),
        "relations.csv": relations_csv(cat),
        "runnable.json": _json({"version": cat["version"], **runnable_counts(cat)}),
    }
    by_source: dict[str, list[dict]] = defaultdict(list)
    for r in cat["relations"]:
        by_source[r["source"]].append(r)
    for e in cat["entries"]:
        one = {"version": cat["version"], "entry": e, "relations": by_source.get(e["id"], [])}
        files[f"entries/{e['id']}.json"] = _json(one)
    return files


def write_data(cat: dict, folder: Path) -> int:
    """Write `data_files(cat)` under `folder`; returns how many files were written."""
    files = data_files(cat)
    for rel, text in files.items():
        target = Path(folder) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return len(files)
