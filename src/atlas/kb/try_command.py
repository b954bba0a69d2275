"""`./atlas kb try [ID ...] [--all]`: run entries' `try.run` examples in real sandboxes
(atlas.kb.try_runner) and their `try.python` examples in Pyodide (atlas.kb.try_python); print `ok` or
`FAIL path:line: try.<key>: why` with the output's tail per entry, then a summary; exit 1 on a failure.
"""

from __future__ import annotations

import time
from pathlib import Path

from atlas.errors import AtlasError
from atlas.kb.load import LocDict, load_kb
from atlas.kb.problems import did_you_mean
from atlas.kb.try_runner import Example, Outcome, run_examples


def collect(kb_dir: Path, ids: list[str], everything: bool) -> list[Example]:
    """The `try.run` and `try.python` examples of the entries `ids` (every entry with `everything`)."""
    kb = load_kb(Path(kb_dir))
    by_id: dict[str, tuple[str, LocDict]] = {}
    for raw in kb.entries:
        if isinstance(raw.data, LocDict) and isinstance(raw.data.get("id"), str):
            by_id[raw.data["id"]] = (raw.path, raw.data)
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise AtlasError(
            "; ".join(f"unknown KB entry '{i}'{did_you_mean(i, by_id)}" for i in unknown) + f" (in {kb_dir})"
        )
    chosen = sorted(by_id) if everything else list(dict.fromkeys(ids))
    out = []
    for eid in chosen:
        path, data = by_id[eid]
        value = data.get("try")
        if not isinstance(value, LocDict):
            continue
        if isinstance(value.get("run"), str):
            profile = value.get("profile") if value.get("profile") in ("shell", "docker") else "docker"
            out.append(Example(eid, path, value.value_mark("run").line, value["run"], profile))
        elif isinstance(value.get("python"), str):
            out.append(
                Example(eid, path, value.value_mark("python").line, value["python"], "pyodide", "python")
            )
    return out


def run_all(kb_dir: Path, examples: list[Example], started: list[str] | None = None) -> list[Outcome]:
    """Every example's Outcome, in order: sandbox ones and Pyodide ones (with the KB's graph loaded);
    `started` gets the ids of the sandbox sessions (run_examples)."""
    python = [ex for ex in examples if ex.key == "python"]
    outcomes = run_examples([ex for ex in examples if ex.key != "python"], started=started)
    if python:
        from atlas.kb.export import catalog
        from atlas.kb.try_python import run_python

        outcomes += run_python(python, catalog(Path(kb_dir)))
    by_example = {id(o.example): o for o in outcomes}
    return [by_example[id(ex)] for ex in examples]


def kb_try(kb_dir: Path, ids: list[str], everything: bool, started: list[str] | None = None) -> int:
    """The command: run, print `ok`/`FAIL` per entry and a summary; exit 1 on any failure (`started`:
    see run_all)."""
    if not ids and not everything:
        raise AtlasError("name entries to try (./atlas kb try docker-cli runc) or use --all")
    examples = collect(kb_dir, ids, everything)
    if ids and not everything:
        for eid in [i for i in ids if i not in {ex.entry for ex in examples}]:
            print(f"skip {eid}: no try.run or try.python example")
    start = time.monotonic()
    outcomes = run_all(kb_dir, examples, started)
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        if o.ok:
            print(f"ok   {o.example.entry} ({o.example.profile}, {o.seconds:.1f}s)")
        else:
            print("FAIL " + o.failure(), end="")
    total = time.monotonic() - start
    print(f"kb try: {len(outcomes) - len(failed)} passed, {len(failed)} failed, {total:.1f}s")
    return 1 if failed else 0
