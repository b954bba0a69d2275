"""The block runner of the in-browser Python (site-src/assets/py/atlas_runner.py), in CPython.

The browser's worker imports the same file inside Pyodide; tests/integration/test_python_node.py
runs it there. Here: what a learner sees from a block — the last expression's value, a shared
namespace across blocks, tracebacks without the runner's frames, a missing package named.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyexamples import load_runner


@pytest.fixture
def runner():
    """A fresh runner module (its own namespace)."""
    return load_runner()


def run(runner, code: str, capsys, filename: str = "<block 1>") -> tuple[str, str, str]:
    """Run one block; return (outcome, stdout, stderr)."""
    # A fresh loop in its own thread: Playwright's sync API (the e2e tests, earlier in the same
    # process) leaves an event loop running in the main thread, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        outcome = pool.submit(asyncio.run, runner.run(code, filename)).result()
    out = capsys.readouterr()
    return outcome, out.out, out.err


def test_last_expression_is_printed_and_kept_as_underscore(runner, capsys):
    assert run(runner, "x = 6\nx * 7", capsys) == ("", "42\n", "")
    assert run(runner, "_ + 1", capsys) == ("", "43\n", "")
    assert run(runner, "print('hi')", capsys) == ("", "hi\n", "")  # print() returns None: nothing more
    assert run(runner, "'text'", capsys)[1] == "'text'\n"  # repr, as in a REPL


def test_blocks_share_a_namespace_until_reset(runner, capsys):
    run(runner, "def square(n):\n    return n * n\n", capsys)
    assert run(runner, "square(9)", capsys) == ("", "81\n", "")
    runner.reset()
    outcome, out, err = run(runner, "square(9)", capsys)
    assert outcome == "error"
    assert "NameError: name 'square' is not defined" in err


def test_top_level_await_runs(runner, capsys):
    code = "import asyncio\nawait asyncio.sleep(0)\nawait asyncio.sleep(0, result='slept')"
    assert run(runner, code, capsys) == ("", "'slept'\n", "")


def test_syntax_error_names_the_block_and_line_and_runs_nothing(runner, capsys):
    outcome, out, err = run(runner, "print('before')\nprint(1 +\n", capsys, "<block 3>")
    assert outcome == "error"
    assert out == ""
    assert 'File "<block 3>", line 2' in err
    assert "SyntaxError" in err


def test_runtime_error_traceback_shows_the_learner_code_not_the_runner(runner, capsys):
    code = "def f(x):\n    return 10 / x\n\nprint('calling')\nf(0)\n"
    outcome, out, err = run(runner, code, capsys, "<block 2>")
    assert outcome == "error"
    assert out == "calling\n"
    assert err.startswith("Traceback (most recent call last):")
    assert 'File "<block 2>", line 5, in <module>' in err
    assert "return 10 / x" in err  # the source line, from the runner's linecache entry
    assert "atlas_runner" not in err
    assert err.rstrip().endswith("ZeroDivisionError: division by zero")


def test_missing_package_is_named_with_what_is_available(runner, capsys):
    outcome, _, err = run(runner, "import atlas_no_such_package.sub\n", capsys)
    assert outcome == "missing:atlas_no_such_package"
    assert "ModuleNotFoundError: No module named 'atlas_no_such_package'" in err
    assert "Missing package: 'atlas_no_such_package' is not installed here" in err
    assert runner.AVAILABLE in err


def test_system_exit_in_a_block_is_reported_not_raised(runner, capsys):
    outcome, _, err = run(runner, "raise SystemExit(3)", capsys)
    assert outcome == "error"
    assert "SystemExit: 3" in err


def test_preloaded_graph_survives_reset(runner, capsys):
    runner.preload({"entries": [1, 2]}, "the graph")
    assert run(runner, "len(catalog['entries']), G", capsys)[1] == "(2, 'the graph')\n"
    runner.reset()
    assert run(runner, "G", capsys)[1] == "'the graph'\n"
