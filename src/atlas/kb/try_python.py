"""Run the KB's `try.python` examples the way a page's Python block runs them: in Pyodide (the vendored
build the site ships, under Node), through site-src/assets/py/atlas_runner.py with atlasgraph and the
KB's graph loaded, by pyodide_node.mjs next to this module (shared with the Python pages' tests).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError
from atlas.kb.try_runner import Example, Outcome

ASSETS = ROOT / "site-src" / "assets"
HELPER = Path(__file__).with_name("pyodide_node.mjs")
TIMEOUT = 300


def run_python(examples: list[Example], catalog: dict) -> list[Outcome]:
    """One Outcome per example (exit code 0 when it ran without an exception), each on a fresh runner."""
    if not examples:
        return []
    node = shutil.which("node")
    wheels = ASSETS / "wheels" / "wheels.json"
    if node is None or not wheels.is_file() or not HELPER.is_file():
        raise AtlasError(
            "python examples run in Pyodide under Node: needs `node`, the vendored Pyodide and wheels "
            "(./atlas setup) and src/atlas/kb/pyodide_node.mjs"
        )
    pages = [{"page": ex.entry, "blocks": [ex.code]} for ex in examples]
    with tempfile.TemporaryDirectory(prefix="atlas-kb-try-py-") as tmp:
        graph = Path(tmp) / "graph.json"
        graph.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run(
            [node, str(HELPER), str(ASSETS), str(graph)],
            input=json.dumps(pages),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    if proc.returncode != 0:
        raise AtlasError(f"Pyodide under Node failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    results = {r["page"]: r["blocks"][0] for r in json.loads(proc.stdout)}
    outcomes = []
    for ex in examples:
        block = results.get(ex.entry) or {"stdout": "", "stderr": "no result", "outcome": "error"}
        code = 0 if block["outcome"] == "" else 1
        outcomes.append(Outcome(ex, code, block["stdout"] + block["stderr"], 0.0))
    return outcomes
