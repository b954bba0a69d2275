"""The `./atlas kb ...` commands: check, export, path. Each returns an exit code."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

from atlas.errors import AtlasError
from atlas.kb.dataset import write_data
from atlas.kb.export import build_catalog, entries_csv, relations_csv, write_json
from atlas.kb.problems import Problem, did_you_mean
from atlas.kb.try_data import mentioned_ids
from atlas.kb.validate import check_kb, errors_of


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(problems: list[Problem], n_entries: int) -> str:
    errors = len(errors_of(problems))
    warnings = len(problems) - errors
    entries = "1 entry" if n_entries == 1 else f"{n_entries} entries"
    if not problems:
        return f"kb check: {entries}, no problems"
    return f"kb check: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {entries}"


def check(kb_dir: Path, fmt: str = "text") -> int:
    """Validate the KB and print every problem; exit 1 on any error, 0 with only warnings.

    text: one `path:line:column: field: message` per line, errors first, then warnings
    (`field: warning: message`), then a summary line. json: `{"entries", "errors", "warnings",
    "problems": [{"path","line","column","field","message","severity"}]}`.
    """
    kb, problems = check_kb(Path(kb_dir))
    errors = len(errors_of(problems))
    if fmt == "json":
        data = {
            "entries": len(kb.entries),
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.as_dict() for p in problems],
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for problem in problems:
            print(problem)
        print(_summary(problems, len(kb.entries)))
    return 1 if errors else 0


def _valid_catalog(kb_dir: Path) -> dict:
    """The catalog, or KBError (its message lists every error) raised."""
    kb, _ = check_kb(Path(kb_dir), strict=True)
    return build_catalog(kb, mentioned_ids(Path(kb_dir).parent / "docs"))


def _stdout(text: str) -> None:
    """Write to stdout; a closed pipe (`| head`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def export(kb_dir: Path, fmt: str = "json", out: str | None = None) -> int:
    """Export entries and relations (inverses included) as JSON or CSV.

    json: the catalog to stdout, or to the file `out` (`out/graph.json` when `out` is a folder).
    csv: with `out`, the folder gets `entries.csv` and `relations.csv`; without, stdout gets the
    entries CSV, one blank line, then the relations CSV. data: the folder `out` gets the files the
    site serves under `/data/v1/` (`atlas.kb.dataset`), byte for byte.
    """
    cat = _valid_catalog(kb_dir)
    if fmt == "data":
        if out is None:
            raise AtlasError("--format data needs --out FOLDER (it writes many files)")
        n = write_data(cat, Path(out))
        print(f"wrote {n} files under {out}", file=sys.stderr)
        return 0
    if fmt == "json":
        if out is None:
            buf = io.StringIO()
            write_json(cat, buf)
            _stdout(buf.getvalue())
            return 0
        target = Path(out)
        if target.is_dir() or out.endswith(("/", "\\")):
            target = target / "graph.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            write_json(cat, fh)
        print(f"wrote {target}", file=sys.stderr)
        return 0
    if fmt != "csv":
        raise AtlasError(f"unknown export format '{fmt}' (json, csv or data)")
    if out is None:
        _stdout(entries_csv(cat) + "\n" + relations_csv(cat))
        return 0
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entries.csv").write_text(entries_csv(cat), encoding="utf-8")
    (folder / "relations.csv").write_text(relations_csv(cat), encoding="utf-8")
    print(f"wrote {folder / 'entries.csv'} and {folder / 'relations.csv'}", file=sys.stderr)
    return 0


def path(kb_dir: Path, source: str, target: str) -> int:
    """Print the shortest typed path between two components, e.g. `a —uses→ b —implemented by→ c`."""
    import atlasgraph
    import networkx as nx

    g = atlasgraph.load(_valid_catalog(kb_dir))
    for node in (source, target):
        if node not in g:
            raise AtlasError(f"unknown component '{node}'{did_you_mean(node, g.nodes)}")
    if source == target:
        print(source)
        return 0
    try:
        steps = atlasgraph.path(g, source, target)
    except nx.NetworkXNoPath:
        print(f"no path between '{source}' and '{target}'", file=sys.stderr)
        return 1
    print(atlasgraph.format_path(steps))
    return 0
