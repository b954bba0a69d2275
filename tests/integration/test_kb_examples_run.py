"""`./atlas kb try`: every `try.run` example of the KB passes in real sandboxes (a docker-profile
session with the real gateway, a shell-profile one), and the runner catches a failing example, a
leftover container and a shell example, naming the file and line."""

from __future__ import annotations

import shutil
import textwrap
import time

import pytest
from atlas.kb.try_command import collect, kb_try, run_all
from gateway_harness import SANDBOX_IMAGE, leftovers, require_images
from realparts import ROOT, need

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _left(client, sids: list[str]) -> list[str]:
    """What the runner's sessions `sids` left: their containers, and what their gateways created."""
    assert sids, "the runner started no session"
    names = [n.lstrip("/") for c in client.api.containers(all=True) for n in c.get("Names") or []]
    found = [n for n in names if n.removeprefix("atlas-kbtry-") in sids]
    return found + [x for sid in sids for x in leftovers(client, sid)]


@pytest.mark.timeout(900)  # ~140 examples, 4 sessions in parallel: ~2 min quiet, several under load
def test_every_kb_example_runs_in_a_real_sandbox(docker_client):
    require_images(docker_client, SANDBOX_IMAGE, "container-atlas/shell:latest", "busybox", "httpd")
    examples = collect(ROOT / "kb", [], everything=True)
    assert examples, "no try.run example in kb/"
    start = time.monotonic()
    started: list[str] = []
    outcomes = run_all(ROOT / "kb", examples, started)
    took = time.monotonic() - start
    print(f"\nkb try: {len(outcomes)} examples in {took:.1f}s")
    slow = sorted(outcomes, key=lambda o: -o.seconds)[:5]
    print("slowest: " + ", ".join(f"{o.example.entry} {o.seconds:.1f}s" for o in slow))
    failed = [o.failure() for o in outcomes if not o.ok]
    assert not failed, f"{len(failed)} of {len(outcomes)} KB examples failed:\n" + "\n".join(failed)
    assert _left(docker_client, started) == []


ENTRY = """\
id: {id}
name: {id}
name_zh: 示例 {id}
kind: concept
layer: concepts
summary: {{en: Stub., zh: 占位。}}
description: {{en: Stub., zh: 占位。}}
facts: {{status: active}}
sources: [{{url: "https://example.org/{id}", title: Stub}}]
try:
  run: |
{run}  shows: {{en: It shows it., zh: 它显示出来。}}
"""


def test_runner_reports_failures_leftovers_and_runs_the_shell_profile(docker_client, tmp_path, capsys):
    require_images(docker_client, SANDBOX_IMAGE, "container-atlas/shell:latest", "busybox")
    kb = tmp_path / "kb" / "concepts"
    kb.mkdir(parents=True)
    runs = {
        "passes": "docker run --rm busybox echo hello-from-busybox\n",
        "fails": "echo before-the-failure\ndocker run --rm busybox sh -c 'exit 3'\necho never-printed\n",
        "leaves": "docker run -d --name forgotten busybox sleep 300 >/dev/null\necho started\n",
        "shell": "hostname\ncommand -v docker || echo no-docker-cli-here\nexit 4\n",  # output shown
    }
    for eid, run in runs.items():
        text = ENTRY.format(id=eid, run=textwrap.indent(run, "    "))
        if eid == "shell":
            text += "  profile: shell\n"
        (kb / f"{eid}.yaml").write_text(text, encoding="utf-8")
    started: list[str] = []
    code = kb_try(tmp_path / "kb", [], everything=True, started=started)
    out = capsys.readouterr().out
    assert code == 1
    assert "ok   passes (docker" in out
    # `run:` is line 10 of each file
    assert "FAIL kb/concepts/fails.yaml:11: try.run: exit code 3" in out
    assert "    | before-the-failure" in out and "never-printed" not in out
    assert "FAIL kb/concepts/leaves.yaml:11: try.run: left behind forgotten" in out
    # the shell profile: the sandbox's host name, no docker CLI
    assert "FAIL kb/concepts/shell.yaml:11: try.run: exit code 4" in out
    assert "    | sandbox\n    | no-docker-cli-here" in out
    assert "kb try: 1 passed, 3 failed" in out
    assert _left(docker_client, started) == []


PY_ENTRY = ENTRY.replace("  run: |\n{run}", "  python: |\n{run}")


def test_python_examples_run_in_pyodide(tmp_path):
    need("Node.js", shutil.which("node") is not None, "apt-get install nodejs")
    need("Pyodide wheels", (ROOT / "site-src/assets/wheels/wheels.json").is_file(), "run ./atlas setup")
    kb = tmp_path / "kb" / "concepts"
    kb.mkdir(parents=True)
    codes = {
        "pyok": 'import json, sys\nprint(json.dumps({"python": sys.platform}))\n',
        "pyfails": "print('before')\nraise ValueError('the example is wrong')\n",
    }
    for eid, code in codes.items():
        text = PY_ENTRY.format(id=eid, run=textwrap.indent(code, "    "))
        (kb / f"{eid}.yaml").write_text(text, encoding="utf-8")
    fails, ok = run_all(tmp_path / "kb", collect(tmp_path / "kb", [], everything=True))  # sorted by id
    assert ok.ok and '{"python": "emscripten"}' in ok.output  # it ran in Pyodide, not in this CPython
    assert not fails.ok
    report = fails.failure()
    assert report.startswith("kb/concepts/pyfails.yaml:11: try.python: raised an exception")
    assert "ValueError: the example is wrong" in report and "    | before" in report
