"""On-demand wheels of the in-browser Python (atlas.provision.page_wheels) and how the block runner
(site-src/assets/py/atlas_runner.py) uses them: only a block that imports one of their modules asks
for them, and a wheel the site cannot serve is named instead of a confusing ImportError.
The real installs (Pyodide + micropip) run in tests/integration/test_kb_examples_run.py and in the
browser in tests/e2e/test_try_it.py."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from atlas.provision import page_wheels
from pyexamples import load_runner

INDEX = {
    "wheels": {
        "micropip": {"file": "micropip-0.11.1-py3-none-any.whl"},
        "typing-extensions": {"file": "typing_extensions-4.16.0-py3-none-any.whl"},
        "opentelemetry-api": {"file": "opentelemetry_api-1.45.2-py3-none-any.whl"},
    },
    "imports": {"opentelemetry": ["typing-extensions", "opentelemetry-api"]},
}


def run(runner, code: str, capsys) -> tuple[str, str, str]:
    """Run one block in a fresh event loop of its own thread; return (outcome, stdout, stderr)."""
    with ThreadPoolExecutor(1) as pool:
        outcome = pool.submit(asyncio.run, runner.run(code, "<block 1>")).result()
    out = capsys.readouterr()
    return outcome, out.out, out.err


@pytest.fixture
def runner():
    module = load_runner()
    module.configure("https://site.test/assets/wheels/", json.dumps(INDEX))
    return module


def test_every_import_names_pinned_wheels_and_each_pin_is_a_sha256():
    for module, names in page_wheels.IMPORTS.items():
        assert names and set(names) <= set(page_wheels.PINS), module
    for name, (version, sha) in page_wheels.PINS.items():
        assert version and len(sha) == 64 and int(sha, 16) >= 0, name


def test_wheel_file_names_are_normalised():
    assert page_wheels.wheel_stem("opentelemetry-semantic-conventions", "0.66b2") == (
        "opentelemetry_semantic_conventions-0.66b2-"
    )


def test_index_is_current_only_with_every_pinned_wheel_file(tmp_path):
    wheels = {}
    for name, (version, _) in page_wheels.PINS.items():
        file = page_wheels.wheel_stem(name, version) + "py3-none-any.whl"
        (tmp_path / file).write_bytes(b"PK")
        wheels[name] = {"file": file, "version": version, "precompiled": "cpython-314"}
    index = {"wheels": wheels, "imports": page_wheels.IMPORTS}
    assert page_wheels.is_current(index, tmp_path)
    (tmp_path / wheels["opentracing"]["file"]).unlink()
    assert not page_wheels.is_current(index, tmp_path)  # a file gone: set-up fetches it again
    stale = {**index, "imports": {"opentelemetry": ["opentelemetry-api"]}}
    assert not page_wheels.is_current(stale, tmp_path)


def test_configured_modules_map_to_site_urls_in_install_order(runner):
    assert runner._on_demand == {
        "opentelemetry": [
            "https://site.test/assets/wheels/typing_extensions-4.16.0-py3-none-any.whl",
            "https://site.test/assets/wheels/opentelemetry_api-1.45.2-py3-none-any.whl",
        ]
    }
    assert runner._micropip["url"] == "https://site.test/assets/wheels/micropip-0.11.1-py3-none-any.whl"


def test_block_without_such_import_asks_for_no_wheel(runner, capsys):
    assert run(runner, "import json\nprint(json.dumps([1]))", capsys) == ("", "[1]\n", "")


@pytest.mark.parametrize(
    "code",
    [
        "import opentelemetry.trace",
        "from opentelemetry.sdk.trace import TracerProvider",
        "if True:\n    import json, opentelemetry",
    ],
)
def test_block_importing_an_on_demand_module_installs_it_first(runner, capsys, code):
    # In CPython there is neither micropip nor Pyodide: the install fails, so the block must not run
    # and the learner reads which package could not be installed.
    outcome, out, err = run(runner, code + "\nprint('ran')", capsys)
    assert (outcome, out) == ("error", "")
    assert err.startswith("Could not install opentelemetry from the site:")


def test_missing_package_message_lists_the_on_demand_modules(runner, capsys):
    outcome, _, err = run(runner, "import atlas_no_such_package", capsys)
    assert outcome == "missing:atlas_no_such_package"
    assert f"In-browser Python has {runner.AVAILABLE}, and on import opentelemetry." in err
