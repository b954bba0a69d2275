"""Data at stable URLs: the built site's /data/v1/ files are the bytes `./atlas kb export` writes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from atlas.errors import AtlasError
from atlas.kb.commands import export
from atlas.sitegen.linkcheck import broken_links

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(fixture_site, tmp_path_factory) -> dict[str, Path]:
    """The fixture site, built once per session (tests/conftest.py); exports go to this module's root."""
    return {"kb": fixture_site["kb"], "out": fixture_site["out"], "root": tmp_path_factory.mktemp("data")}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_site_data_files_are_the_bytes_kb_export_writes(built, capsys):
    exported = built["root"] / "exported"
    assert export(built["kb"], fmt="data", out=str(exported)) == 0
    served = tree(built["out"] / "data" / "v1")
    assert served == tree(exported)
    ids = {e["id"] for e in json.loads(served["graph.json"])["entries"]}
    assert {f"entries/{i}.json" for i in ids} <= set(served)
    # the single-format exports are the same bytes too
    assert export(built["kb"], fmt="json") == 0
    assert capsys.readouterr().out.encode() == served["graph.json"]
    csvdir = built["root"] / "csv"
    export(built["kb"], fmt="csv", out=str(csvdir))
    assert (csvdir / "entries.csv").read_bytes() == served["entries.csv"]
    assert (csvdir / "relations.csv").read_bytes() == served["relations.csv"]


def test_one_entry_file_holds_the_entry_and_its_relations_both_ways(built):
    data = built["out"] / "data" / "v1"
    runc = json.loads((data / "entries" / "runc.json").read_text(encoding="utf-8"))
    cat = json.loads((data / "graph.json").read_text(encoding="utf-8"))
    assert runc["entry"] == next(e for e in cat["entries"] if e["id"] == "runc")
    assert runc["relations"] == [r for r in cat["relations"] if r["source"] == "runc"]
    assert {r["derived"] for r in runc["relations"]} == {True, False}
    rows = list(csv.DictReader(io.StringIO((data / "entries.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == [e["id"] for e in cat["entries"]]


def test_schema_page_lists_every_file_and_field_in_both_languages(built):
    out = built["out"]
    en = (out / "data" / "index.html").read_text(encoding="utf-8")
    zh = (out / "zh" / "data" / "index.html").read_text(encoding="utf-8")
    for name in ("graph.json", "entries.json", "entries.csv", "relations.csv", "entries/runc.json"):
        assert f'href="../data/v1/{name}"' in en and f'href="../../data/v1/{name}"' in zh
    for field in ("first_release", "foundation_status", "note_zh", "derived"):
        assert f"<code>{field}</code>" in en and f"<code>{field}</code>" in zh
    assert "首次发布年份" in zh and "Year of the first release" in en
    assert broken_links(out) == []


def test_data_export_without_a_folder_says_what_is_missing(built):
    with pytest.raises(AtlasError, match="--out"):
        export(built["kb"], fmt="data")
