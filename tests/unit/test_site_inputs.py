"""The site is rebuilt when what it is built from changes, and only then (not for CLI or set-up edits)."""

from __future__ import annotations

from atlas.provision.setup import SITE_INPUTS, _inputs_hash

FILES = [
    "kb/runtimes/runc.yaml",
    "docs/index.md",
    "site-src/assets/js/terminal.js",
    "mkdocs.yml",
    "src/atlas/cli.py",
    "src/atlas/provision/setup.py",
    "src/atlas/sitegen/generate.py",
    "src/atlas/content/tutorial.py",
    "src/atlasgraph/queries.py",
    "sandbox/app.py",
]


def test_only_the_sites_inputs_change_its_fingerprint(tmp_path):
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    before = _inputs_hash(tmp_path)
    for name in ("src/atlas/cli.py", "src/atlas/provision/setup.py", "sandbox/app.py"):
        (tmp_path / name).write_text("changed")
        assert _inputs_hash(tmp_path) == before, f"editing {name} would rebuild the site"
    for name in FILES[:4] + FILES[6:9]:
        (tmp_path / name).write_text(f"changed {name}")
        after = _inputs_hash(tmp_path)
        assert after != before, f"editing {name} would not rebuild the site"
        before = after


def test_every_declared_input_exists_in_the_repository():
    from atlas import ROOT

    assert [name for name in SITE_INPUTS if not (ROOT / name).exists()] == []
