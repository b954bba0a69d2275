"""A pytest plugin used by `./atlas test`: report lint results in pytest's summary, fail on them.

`run_tests` runs ruff and ESLint before pytest and passes failures in ATLAS_LINT_FAILURES (one per line).
This plugin prints them in the terminal summary (so pytest's own summary line stays the last line),
turns a clean run into exit 1 when lint failed, and treats "no tests collected" (exit 5) as failure.
"""

from __future__ import annotations

import os

import pytest


def _failures() -> list[str]:
    return [line for line in os.environ.get("ATLAS_LINT_FAILURES", "").splitlines() if line.strip()]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    """Print the lint failures (if any) just above pytest's final summary line."""
    failures = _failures()
    if failures:
        terminalreporter.section("lint (ruff, eslint) failed", sep="=", red=True, bold=True)
        for line in failures:
            terminalreporter.line(line, red=True)
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        terminalreporter.line("atlas: no tests were collected; that counts as a failure", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """Exit 1 when lint failed or no tests ran, whatever pytest itself decided."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif _failures() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
