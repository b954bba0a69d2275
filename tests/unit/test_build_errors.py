"""Failures surface: `./atlas build` and the site step of `./atlas up` name every KB and tutorial
problem exactly as `./atlas check` does, keep the previous site, and a module that fails to import
fails its step (never "ok (skipped)")."""

from __future__ import annotations

import shutil
import sys

import pytest
from atlas import ROOT
from atlas.cli import main
from atlas.errors import KBError, SetupError
from atlas.kb.synthetic import write_sample_kb
from atlas.provision.setup import _wheels_step, build_site_step
from atlas.provision.steps import run_step
from atlas.sitegen.publish import build_site


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def broken_kb(tmp_path):
    """A sample KB with two errors in two files."""
    kb = write_sample_kb(tmp_path / "kb")
    runc = kb / "runtimes" / "runc.yaml"
    runc.write_text(runc.read_text().replace("name: runc", "name: [runc"), encoding="utf-8")
    containerd = kb / "runtimes" / "containerd.yaml"
    text = containerd.read_text()
    containerd.write_text(text.replace("layer: ", "layr: ", 1), encoding="utf-8")
    return kb


@pytest.fixture
def previous_site(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site")
    return out


def check_lines(capsys, kb) -> list[str]:
    """What `./atlas kb check` prints for `kb`: its error lines (warnings do not fail a build)."""
    main(["kb", "check", "--kb", str(kb)])
    out = capsys.readouterr().out.splitlines()
    return [line for line in out if not line.startswith("kb check:") and ": warning: " not in line]


def test_build_prints_every_kb_problem_like_check_and_keeps_the_site(broken_kb, previous_site, capsys):
    expected = check_lines(capsys, broken_kb)
    assert len(expected) >= 2 and all(":" in line for line in expected)
    assert main(["build", "--kb", str(broken_kb), "--out", str(previous_site)]) == 1
    err = capsys.readouterr().err
    assert "problem(s) in the knowledge base and tutorials:" in err
    for line in expected:
        assert line in err.splitlines()
    assert (previous_site / "index.html").read_text() == "previous site"


def test_build_prints_tutorial_problems_with_their_location(tmp_path, previous_site):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    page = docs / "tutorials" / "first-container.md"
    page.write_text(page.read_text().replace("next: docker-architecture", "next: docker-architectur"))
    with pytest.raises(KBError) as err:
        build_site(ROOT / "kb", previous_site, docs_dir=docs)
    assert (
        f"{page}:4:7: next: unknown tutorial 'docker-architectur' (did you mean 'docker-architecture'?)"
        in str(err.value).splitlines()
    )
    assert (previous_site / "index.html").read_text() == "previous site"


def test_site_step_of_up_prints_the_problems(state, broken_kb, previous_site, capsys):
    expected = check_lines(capsys, broken_kb)
    with pytest.raises(SetupError) as err:
        run_step("site", "site build", lambda: build_site_step(kb_dir=broken_kb, out_dir=previous_site))
    for line in expected:
        assert line in str(err.value).splitlines()
    assert "FAILED" in capsys.readouterr().out
    assert (previous_site / "index.html").read_text() == "previous site"


def test_site_generator_that_fails_to_import_fails_the_step(state, previous_site, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "atlas.sitegen.publish", None)  # `import` raises ImportError
    with pytest.raises(SetupError) as err:
        run_step("site", "site build", lambda: build_site_step(out_dir=previous_site))
    assert "cannot load the site generator (atlas.sitegen.publish)" in str(err.value)
    out = capsys.readouterr().out
    assert "FAILED" in out and "skipped" not in out


def test_wheels_step_that_fails_to_import_fails(state, monkeypatch, capsys):
    import atlas.provision

    monkeypatch.setitem(sys.modules, "atlas.provision.wheels", None)
    monkeypatch.delattr(atlas.provision, "wheels", raising=False)
    with pytest.raises(SetupError) as err:
        run_step("wheels", "in-browser Python wheels", _wheels_step)
    assert "cannot load the wheels step (atlas.provision.wheels)" in str(err.value)
    out = capsys.readouterr().out
    assert "FAILED" in out and "skipped" not in out
