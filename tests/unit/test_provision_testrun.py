"""`./atlas test` plumbing: lint failures and "no tests" fail the run; pytest's summary stays last."""

from __future__ import annotations

import os
import subprocess
import sys


def _pytest(tmp_path, lint_failures: str = "") -> subprocess.CompletedProcess:
    """pytest over tmp_path with `./atlas test`'s own command line."""
    from atlas.testing.runner import pytest_command

    env = {**os.environ, "ATLAS_LINT_FAILURES": lint_failures}
    cmd = [*pytest_command(), "-q", str(tmp_path)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)


def test_no_tests_collected_is_a_failure(tmp_path):
    proc = _pytest(tmp_path)
    assert proc.returncode == 1
    assert "no tests were collected" in proc.stdout
    assert "no tests ran" in proc.stdout.strip().splitlines()[-1]


def test_lint_failure_fails_a_green_run_and_is_listed_above_the_summary(tmp_path):
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    proc = _pytest(tmp_path, "ruff check .: x.py:1:1: F401 `os` imported but unused")
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert "1 passed" in lines[-1]
    assert any("F401" in line for line in lines[:-1])
    assert "lint (ruff, eslint) failed" in proc.stdout


def test_clean_lint_keeps_pytest_exit_code(tmp_path):
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    assert True\n")
    assert _pytest(tmp_path).returncode == 0


def test_summary_line_is_repeated_when_something_is_printed_after_it(capfd):
    from atlas.testing.runner import run_pytest

    script = (
        "import sys; print('=' * 5 + ' 1 passed in 0.10s ' + '=' * 5); sys.stdout.flush(); "
        "print('Exception ignored in: Popen.__del__', file=sys.stderr); sys.exit(0)"
    )
    code = run_pytest([sys.executable, "-c", script], dict(os.environ))
    lines = capfd.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[-1] == "===== 1 passed in 0.10s =====" and "Exception ignored" in lines[-2]
