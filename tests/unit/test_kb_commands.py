"""`./atlas kb check|export|path` through the real CLI entry point."""

from __future__ import annotations

import csv
import io
import json

import pytest
from atlas.cli import main
from atlas.kb.synthetic import write_sample_kb


@pytest.fixture
def sample(tmp_path):
    return write_sample_kb(tmp_path / "kb")


def test_check_warnings_only_exits_0(sample, capsys):
    assert main(["kb", "check", "--kb", str(sample)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "kb/concepts/container.yaml:19:1: relations: warning: nothing links to 'container' and it links to "
        "nothing; add a relation so the graph reaches it",
        "kb check: 0 errors, 1 warning in 14 entries",
    ]


def test_check_lists_errors_before_warnings_and_exits_1(sample, capsys):
    runc = sample / "runtimes" / "runc.yaml"
    runc.write_text(runc.read_text().replace("target: oci-runtime-spec", "target: oci-runtime-specs"))
    assert main(["kb", "check", "--kb", str(sample)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "kb/runtimes/runc.yaml:21:13: relations[0].target: unknown component 'oci-runtime-specs' "
        "(did you mean 'oci-runtime-spec'?)"
    )
    assert out[1].startswith("kb/concepts/container.yaml:19:1: relations: warning: ")
    assert out[-1] == "kb check: 1 error, 1 warning in 14 entries"


def test_check_json(sample, capsys):
    assert main(["kb", "check", "--kb", str(sample), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["entries"], data["errors"], data["warnings"]) == (14, 0, 1)
    assert data["problems"][0] == {
        "path": "kb/concepts/container.yaml", "line": 19, "column": 1, "field": "relations",
        "message": "nothing links to 'container' and it links to nothing; add a relation so the graph "
                   "reaches it",
        "severity": "warning",
    }  # fmt: skip


def test_export_json_to_stdout_and_file(sample, tmp_path, capsys):
    assert main(["kb", "export", "--kb", str(sample)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 1 and len(data["entries"]) == 14
    out = tmp_path / "site" / "graph.json"
    assert main(["kb", "export", "--kb", str(sample), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == data


def test_export_csv_to_stdout_and_folder(sample, tmp_path, capsys):
    assert main(["kb", "export", "--kb", str(sample), "--format", "csv"]) == 0
    entries_text, relations_text = capsys.readouterr().out.split("\n\n", 1)
    assert len(list(csv.DictReader(io.StringIO(entries_text)))) == 14
    assert relations_text.startswith("source,type,target,derived,note_en,note_zh\n")
    folder = tmp_path / "csv"
    assert main(["kb", "export", "--kb", str(sample), "--format", "csv", "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["entries.csv", "relations.csv"]


def test_export_of_invalid_kb_prints_problems_and_exits_1(sample, capsys):
    (sample / "runtimes" / "runc.yaml").write_text("id: runc\nname: [\n")
    assert main(["kb", "export", "--kb", str(sample)]) == 1
    err = capsys.readouterr().err
    assert "kb/runtimes/runc.yaml:3:1: yaml: YAML syntax error: " in err
    assert "atlas: error: 1 problem(s) in the knowledge base" in err


def test_path_prints_english_wording(sample, capsys):
    assert main(["kb", "path", "kubectl", "runc", "--kb", str(sample)]) == 0
    assert capsys.readouterr().out == (
        "kubectl —uses→ kubernetes —uses→ kubernetes-cri —implemented by→ containerd —uses→ runc\n"
    )


def test_path_unknown_component_and_no_path(sample, capsys):
    assert main(["kb", "path", "kubctl", "runc", "--kb", str(sample)]) == 1
    assert capsys.readouterr().err == "atlas: error: unknown component 'kubctl' (did you mean 'kubectl'?)\n"
    assert main(["kb", "path", "container", "runc", "--kb", str(sample)]) == 1
    assert capsys.readouterr().err == "no path between 'container' and 'runc'\n"
