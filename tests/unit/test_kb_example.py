"""kb/_example.yaml, the commented reference entry, stays in sync with the schema."""

from __future__ import annotations

import shutil
from pathlib import Path

from atlas import ROOT
from atlas.kb.load import load_kb, parse_entry
from atlas.kb.problems import Report
from atlas.kb.schema import field_paths
from atlas.kb.validate import validate

EXAMPLE = ROOT / "kb" / "_example.yaml"
TRY_ALTERNATIVES = ("try.python", "try.reason", "try.reason.en", "try.reason.zh")

STUB = """\
id: {id}
name: {id}
kind: {kind}
layer: core
summary: {{en: Stub., zh: 占位。}}
description: {{en: Stub., zh: 占位。}}
facts: {{status: active, first_release: 2015}}
sources: [{{url: "https://example.org/{id}", title: Stub, supports: [first_release]}}]
"""


def _paths(value: object, prefix: str = "") -> set[str]:
    """Every dotted field path present in a loaded value (list items merged)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            found.add(path)
            found |= _paths(item, f"{path}.")
    elif isinstance(value, list):
        for item in value:
            found |= _paths(item, prefix)
    return found


def test_every_schema_field_appears_in_the_example():
    problems: list = []
    data = parse_entry(EXAMPLE.read_text(encoding="utf-8"), Report("kb/_example.yaml", problems))
    assert problems == []
    # try: is one of several shapes that exclude each other; the example writes `run` (with shows,
    # profile and tutorial) and shows the other shapes in its comments.
    comments = "\n".join(
        line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    shown = {p for p in TRY_ALTERNATIVES if f" {p.rsplit('.', 1)[-1]}:" in comments}
    missing = sorted(set(field_paths()) - _paths(data) - shown)
    assert missing == [], f"kb/_example.yaml lacks these schema fields: {missing}"


def test_example_validates_as_a_real_entry(tmp_path: Path):
    kb = tmp_path / "kb"
    (kb / "runtimes").mkdir(parents=True)
    (kb / "specs").mkdir()
    shutil.copy(EXAMPLE, kb / "runtimes" / "example-runtime.yaml")
    (kb / "specs" / "oci-runtime-spec.yaml").write_text(STUB.format(id="oci-runtime-spec", kind="spec"))
    (kb / "runtimes" / "runc.yaml").write_text(STUB.format(id="runc", kind="runtime"))
    assert [str(p) for p in validate(load_kb(kb))] == []


def test_example_comments_list_every_vocabulary_word():
    from atlas.kb.vocabulary import FOUNDATION_STATUSES, KINDS, LAYERS, RELATION_TYPES, STATUSES

    text = EXAMPLE.read_text(encoding="utf-8")
    words = [*KINDS, *LAYERS, *STATUSES, *FOUNDATION_STATUSES, *RELATION_TYPES]
    assert [w for w in words if w not in text] == []
