"""ESLint in `./atlas test` (atlas/testing/jslint.py): real ESLint from node_modules/, real config.

Each test lints a small project in a temporary folder that has the repository's eslint.config.mjs,
package.json and package-lock.json, and the installed node_modules/ (a symlink).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from atlas.errors import MissingPrerequisite
from atlas.provision import jstools
from atlas.testing import jslint
from realparts import ROOT, need


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder ESLint can run in, with the project's config and tools."""
    need("ESLint", jstools.eslint_script() is not None, "run: .venv/bin/python -m atlas.provision.jstools")
    need("Node.js", shutil.which("node") is not None, "apt-get install nodejs")
    for name in ("eslint.config.mjs", *jstools.MANIFESTS):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "site-src" / "assets" / "js").mkdir(parents=True)
    return tmp_path


def test_clean_browser_module_gives_no_problems(project):
    (project / "site-src/assets/js/ok.js").write_text(
        'import { t } from "./strings.js";\n\nexport const label = t("terminal.run");\n'
    )
    assert jslint.eslint(project) == []


def test_each_problem_is_one_line_with_file_line_column_and_rule(project):
    (project / "site-src/assets/js/bad.js").write_text("var count = 1;\nif (count == 2) undefinedThing();\n")
    problems = jslint.eslint(project)
    assert "site-src/assets/js/bad.js:1:1: no-var: Unexpected var, use let or const instead." in problems
    assert any(p.startswith("site-src/assets/js/bad.js:2:11: eqeqeq: ") for p in problems), problems
    assert "site-src/assets/js/bad.js:2:17: no-undef: 'undefinedThing' is not defined." in problems


def test_browser_code_may_not_use_node_globals_and_node_scripts_may(project):
    (project / "site-src/assets/js/page.js").write_text("export const argv = process.argv;\n")
    (project / "tool.mjs").write_text("export const argv = process.argv;\n")
    assert jslint.eslint(project) == ["site-src/assets/js/page.js:1:21: no-undef: 'process' is not defined."]


def test_vendored_files_are_not_linted(project):
    vendor = project / "site-src/assets/vendor"
    vendor.mkdir()
    (vendor / "lib-1.0.js").write_text("var x = 1; if (x == 1) y();\n")
    assert jslint.eslint(project) == []


def test_syntax_error_is_reported_located(project):
    (project / "site-src/assets/js/broken.js").write_text("export function f( {\n")
    [problem] = jslint.eslint(project)
    assert problem.startswith("site-src/assets/js/broken.js:2:1: syntax: Parsing error: ")


def test_a_broken_config_is_one_problem_with_eslints_message(project):
    (project / "eslint.config.mjs").write_text("export default [{ rules: { 'no-such-rule': 'error' } }];\n")
    (project / "site-src/assets/js/ok.js").write_text("export const x = 1;\n")
    [problem] = jslint.eslint(project)
    assert problem.startswith("eslint.config.mjs: eslint exited 2: ")
    assert "no-such-rule" in problem


def test_node_modules_older_than_the_lock_file_is_not_used(project):
    lock = project / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")
    assert jstools.eslint_script(project) is None
    with pytest.raises(MissingPrerequisite, match="older than package-lock.json"):
        jslint.eslint(project)
