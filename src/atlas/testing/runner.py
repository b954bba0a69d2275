"""`./atlas test`: set-up, lint (ruff check + ruff format --check, ESLint), then pytest over tests/.

The exit code is pytest's, made 1 when lint failed or no test was collected (see lint_plugin.py);
pytest's summary line is the last line printed. With CI=true a missing prerequisite fails the run;
locally the run goes on and tests that need the missing part skip with the reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from atlas import ROOT
from atlas.errors import MissingPrerequisite
from atlas.provision.steps import warn
from atlas.testing import jslint

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
RUFF = [sys.executable, "-m", "ruff"]


def lint() -> list[str]:
    """Run `ruff check .`, `ruff format --check .` and ESLint; return failure lines (empty when clean)."""
    failures: list[str] = []
    checks = (("check", "ruff check ."), ("format --check", "ruff format --check ."))
    for args, what in checks:
        started = time.monotonic()
        cmd = [*RUFF, *args.split(), "--output-format", "concise", "."]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        took = time.monotonic() - started
        if proc.returncode == 0:
            print(f"[lint] {what} ... ok ({took:.1f}s)", flush=True)
            continue
        output = (proc.stdout + proc.stderr).rstrip()
        print(f"[lint] {what} ... FAILED\n{output}", flush=True)
        lines = [ln for ln in output.splitlines() if ln.strip() and not ln.startswith("[*]")]
        if len(lines) > 40:
            lines = [*lines[:39], f"... and {len(lines) - 39} more (see above)"]
        failures += [f"{what}: {ln}" for ln in lines]
    if failures:
        failures.append("fix with: .venv/bin/ruff check --fix . && .venv/bin/ruff format .")
    return failures + lint_js()


def lint_js() -> list[str]:
    """Run ESLint (eslint.config.mjs); return failure lines. Without ESLint: a failure in CI, else
    a warning (like a missing engine, which makes the tests that need it skip locally)."""
    started = time.monotonic()
    try:
        problems = jslint.eslint()
    except MissingPrerequisite as exc:
        if IN_CI:
            print(f"[lint] eslint ... FAILED\n{exc}", flush=True)
            return [f"eslint: {exc}"]
        print(f"[lint] eslint ... skipped\n{exc}", flush=True)
        return []
    took = time.monotonic() - started
    if not problems:
        print(f"[lint] eslint ... ok ({took:.1f}s)", flush=True)
        return []
    print("[lint] eslint ... FAILED\n" + "\n".join(problems), flush=True)
    if len(problems) > 40:
        problems = [*problems[:39], f"... and {len(problems) - 39} more (see above)"]
    return [f"eslint: {line}" for line in problems] + [jslint.FIX]


def pytest_command() -> list[str]:
    """The pytest command line of `./atlas test`, without test paths: no cache folder, the lint
    plugin (lint_plugin.py), the reasons for skips and failures, the ten slowest tests."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "atlas.testing.lint_plugin",
        "-ra",
        "--durations=10",
    ]


def run_tests(pytest_args: list[str], skip_setup: bool = False) -> int:
    """Set up (unless `skip_setup`), lint, then run pytest; return pytest's exit code (see module doc)."""
    if not skip_setup:
        from atlas.provision.setup import setup

        try:
            setup(skip_install=os.geteuid() != 0)
        except MissingPrerequisite as exc:
            if IN_CI:
                raise
            warn(f"{exc}\n(continuing: tests that need the missing parts will skip)")
    failures = lint()
    args = [a for a in pytest_args if a != "--"]
    cmd = pytest_command()
    if sys.stdout.isatty() and not any(a.startswith("--color") for a in args):
        cmd.append("--color=yes")
    env = {**os.environ, "ATLAS_LINT_FAILURES": "\n".join(failures), "PYTHONUNBUFFERED": "1"}
    print(f"[pytest] {' '.join(cmd[1:] + args)}", flush=True)
    return run_pytest(cmd + args, env)


_SUMMARY = re.compile(r"^(\x1b\[[0-9;]*m)*=+ .*(passed|failed|error|skipped|deselected|no tests ran).* =+")


def run_pytest(cmd: list[str], env: dict[str, str]) -> int:
    """Run pytest, echoing its output; if anything follows its summary line, repeat that line last.

    (A test that leaks a subprocess makes Python print a warning at exit, after pytest's summary.)
    """
    summary, after = None, False
    with subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            if _SUMMARY.match(line.strip()):
                summary, after = line, False
            elif summary and line.strip():
                after = True
        code = proc.wait()
    if summary and after:
        sys.stdout.write(summary)
        sys.stdout.flush()
    return code
