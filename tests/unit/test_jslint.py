"""ESLint in `./atlas test` (atlas/testing/jslint.py): real ESLint from node_modules/, real config.

The tests lint a small project in a temporary folder that has the repository's eslint.config.mjs,
package.json and package-lock.json, and the installed node_modules/ (a symlink); the per-file cases
share one ESLint run (`linted`), the config and lock-file cases have a project each.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from atlas.errors import MissingPrerequisite
from atlas.provision import jstools
from atlas.testing import jslint
from realparts import ROOT, need


def make_project(folder: Path) -> Path:
    """A folder ESLint can run in, with the project's config and tools."""
    need("ESLint", jstools.eslint_script() is not None, "run: .venv/bin/python -m atlas.provision.jstools")
    need("Node.js", shutil.which("node") is not None, "apt-get install nodejs")
    for name in ("eslint.config.mjs", *jstools.MANIFESTS):
        shutil.copy2(ROOT / name, folder / name)
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / "site-src" / "assets" / "js").mkdir(parents=True)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project of its own (for tests that change the config or the lock file)."""
    return make_project(tmp_path)


#: One file per case, linted together by one ESLint run (`linted`): ESLint reports each file on its own.
CASES = {
    "site-src/assets/js/ok.js": 'import { t } from "./strings.js";\n\n'
    'export const label = t("terminal.run");\n',
    "site-src/assets/js/bad.js": "var count = 1;\nif (count == 2) undefinedThing();\n",
    "site-src/assets/js/page.js": "export const argv = process.argv;\n",
    "tool.mjs": "export const argv = process.argv;\n",
    "site-src/assets/vendor/lib-1.0.js": "var x = 1; if (x == 1) y();\n",
    "site-src/assets/js/broken.js": "export function f( {\n",
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory) -> dict[str, list[str]]:
    """The problems ESLint reports for each file of CASES, all linted in one run."""
    project = make_project(tmp_path_factory.mktemp("eslint"))
    for rel, text in CASES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    problems = jslint.eslint(project)
    by_file = {rel: [p for p in problems if p.startswith(rel + ":")] for rel in CASES}
    assert sum(map(len, by_file.values())) == len(problems), problems  # every problem names a case file
    return by_file


def test_clean_browser_module_gives_no_problems(linted):
    assert linted["site-src/assets/js/ok.js"] == []


def test_each_problem_is_one_line_with_file_line_column_and_rule(linted):
    problems = linted["site-src/assets/js/bad.js"]
    assert "site-src/assets/js/bad.js:1:1: no-var: Unexpected var, use let or const instead." in problems
    assert any(p.startswith("site-src/assets/js/bad.js:2:11: eqeqeq: ") for p in problems), problems
    assert "site-src/assets/js/bad.js:2:17: no-undef: 'undefinedThing' is not defined." in problems


def test_browser_code_may_not_use_node_globals_and_node_scripts_may(linted):
    assert linted["site-src/assets/js/page.js"] == [
        "site-src/assets/js/page.js:1:21: no-undef: 'process' is not defined."
    ]
    assert linted["tool.mjs"] == []


def test_vendored_files_are_not_linted(linted):
    assert linted["site-src/assets/vendor/lib-1.0.js"] == []


def test_syntax_error_is_reported_located(linted):
    [problem] = linted["site-src/assets/js/broken.js"]
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
