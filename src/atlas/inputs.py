"""The inputs checked (`./atlas check`): the KB, the tutorials and sandbox/config.yaml, every problem located.

The same check runs before every site build (`./atlas build`, `./atlas up`), whose error lists
the same `path:line:column: field: message` lines, so a problem reads the same wherever it shows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from atlas import ROOT
from atlas.content.series import Series, load_series
from atlas.errors import KBError
from atlas.kb.export import build_catalog
from atlas.kb.load import LoadedKB
from atlas.kb.problems import Problem
from atlas.kb.try_data import mentioned_ids
from atlas.kb.try_rules import check_try_links
from atlas.kb.validate import check_kb, errors_of

DOCS_DIR = ROOT / "docs"


def check_inputs(kb_dir: Path, docs_dir: Path = DOCS_DIR) -> tuple[LoadedKB, Series, list[Problem]]:
    """Load and check the KB and the tutorials; every problem (errors first, then warnings)."""
    kb, kb_problems = check_kb(Path(kb_dir))
    ids = {e.data.get("id") for e in kb.entries if e.data is not None}
    series = load_series(Path(docs_dir), ids if not errors_of(kb_problems) else None, _root(docs_dir))
    try_problems: list[Problem] = []
    check_try_links(kb, series, mentioned_ids(Path(docs_dir), series), try_problems)
    problems = kb_problems + series.problems + try_problems + _sandbox_config()
    problems.sort(key=lambda p: p.sort_key)
    return kb, series, problems


def _sandbox_config() -> list[Problem]:
    """Problems of sandbox/config.yaml (and ATLAS_SANDBOX_* variables), located the same way."""
    from sandbox.config import validate_config

    return list(validate_config())


def valid_catalog(kb_dir: Path, docs_dir: Path = DOCS_DIR) -> dict:
    """The export catalog of a valid KB with valid tutorials; KBError listing every error otherwise."""
    kb, series, problems = check_inputs(kb_dir, docs_dir)
    errors = errors_of(problems)
    if errors:
        raise KBError(errors, "the knowledge base and tutorials")
    return build_catalog(kb, mentioned_ids(Path(docs_dir), series))


def _root(docs_dir: Path) -> Path | None:
    """Paths are shown relative to the repository when the docs are in it (docs/tutorials/x.md)."""
    return ROOT if Path(docs_dir).resolve().is_relative_to(ROOT) else None


def run(kb_dir: Path, docs_dir: Path = DOCS_DIR, fmt: str = "text") -> int:
    """Print every problem (text: one per line then a summary; json: a document); exit 1 on errors."""
    kb, series, problems = check_inputs(kb_dir, docs_dir)
    errors = len(errors_of(problems))
    tutorials = len(series.pages["en"]) + len(series.pages["zh"])
    if fmt == "json":
        data = {
            "entries": len(kb.entries),
            "tutorials": tutorials,
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.as_dict() for p in problems],
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for problem in problems:
            print(problem)
        found = f"{errors} error(s), {len(problems) - errors} warning(s)" if problems else "no problems"
        print(f"check: {len(kb.entries)} entries, {tutorials} tutorial pages, {found}")
    return 1 if errors else 0
