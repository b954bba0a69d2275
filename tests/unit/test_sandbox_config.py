"""Sandbox configuration, hardening options, Origin rule and tutorial checks (no engine needed)."""

from __future__ import annotations

import pytest
from atlas.errors import AtlasError

from sandbox.checks import load_checks
from sandbox.config import DEFAULT_PATH, load_config
from sandbox.containers import create_kwargs
from sandbox.terminal import origin_allowed


def test_defaults_documented_and_loaded():
    cfg = load_config(None, environ={})
    shell = cfg.profiles["shell"]
    assert cfg.lifetime == 3600 and cfg.idle_timeout == 600
    assert shell.pids_limit == 128 and shell.memory == "256m" and shell.cpu == 0.5
    assert shell.network == "none" and shell.pool_size == cfg.pool_size
    text = DEFAULT_PATH.read_text()
    for key in cfg.raw:  # every top-level key is documented by a comment line right above it
        lines = text.splitlines()
        i = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[i - 1].lstrip().startswith("#"), f"{key} has no comment in config.yaml"


def test_environment_overrides_top_level_and_nested():
    env = {
        "ATLAS_SANDBOX_MAX_SESSIONS": "7",
        "ATLAS_SANDBOX_PROFILES__SHELL__RUNTIME": "runsc",
        "ATLAS_SANDBOX_ALLOWED_ORIGINS": "[https://a.example]",
    }
    cfg = load_config(None, environ=env)
    assert cfg.max_sessions == 7
    assert cfg.profiles["shell"].runtime == "runsc"
    assert cfg.allowed_origins == ["https://a.example"]


def test_bad_values_name_file_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_sessions: many\nprofiles:\n  shell:\n    pids_limt: 5\n")
    with pytest.raises(AtlasError) as exc:
        load_config(bad, environ={})
    msg = str(exc.value)
    assert f"{bad}: max_sessions: expected int, got 'many'" in msg
    assert f"{bad}: profiles.shell.pids_limt: unknown key" in msg


def test_create_kwargs_are_hardened():
    cfg = load_config(None, environ={})
    kw = create_kwargs(cfg.profiles["shell"], "inst1", "sess1")
    assert kw["cap_drop"] == ["ALL"] and kw["security_opt"] == ["no-new-privileges"]
    assert kw["read_only"] is True and kw["network_mode"] == "none"
    assert kw["mem_limit"] == kw["memswap_limit"] == "256m"
    assert kw["nano_cpus"] == 500_000_000 and kw["pids_limit"] == 128
    assert kw["user"] == "1000:1000" and "privileged" not in kw and "volumes" not in kw
    assert kw["labels"] == {
        "org.container-atlas.managed": "true",
        "org.container-atlas.instance": "inst1",
        "org.container-atlas.session": "sess1",
        "org.container-atlas.profile": "shell",
    }
    assert "uid=1000" in kw["tmpfs"]["/home/learner"] and "size=" in kw["tmpfs"]["/tmp"]
    assert kw["log_config"]["config"]["max-size"] == "1m"


@pytest.mark.parametrize(
    ("origin", "ok"),
    [
        (None, True),
        ("http://127.0.0.1:8000", True),
        ("https://127.0.0.1:8000", True),
        ("http://127.0.0.1:8001", False),
        ("https://evil.example", False),
        ("https://docs.example", True),
        ("null", False),
    ],
)
def test_origin_rule(origin, ok):
    assert origin_allowed(origin, "127.0.0.1:8000", ["https://docs.example"]) is ok


def test_checks_from_front_matter(tmp_path):
    tut = tmp_path / "tutorials"
    tut.mkdir()
    (tut / "first.md").write_text(
        "---\ntitle: x\nchecks:\n  run-it:\n    run: echo hi\n    expect: '^hi$'\n"
        "    hint:\n      en: Run it.\n---\n"
    )
    (tut / "first.zh.md").write_text(
        "---\nchecks:\n  run-it:\n    run: echo hi\n    expect: '^hi$'\n    hint:\n      zh: 运行它。\n---\n"
    )
    (tut / "plain.md").write_text("# no front matter\n")
    checks = load_checks(tmp_path)
    assert sorted(checks) == ["first/run-it"]
    c = checks["first/run-it"]
    assert c.run == "echo hi" and c.expect.search("hi\n") and c.hint == {"en": "Run it.", "zh": "运行它。"}


def test_bad_checks_name_file_and_field(tmp_path):
    (tmp_path / "t.md").write_text(
        "---\ntitle: t\nchecks:\n  s1:\n    expect: '('\n  s2:\n    run: ls\n    expect: '('\n---\n"
    )
    with pytest.raises(AtlasError) as exc:
        load_checks(tmp_path)
    msg = str(exc.value)
    assert f"{tmp_path / 't.md'}:3: checks.s1.run: expected a shell command" in msg
    assert "checks.s2.expect: not a valid regular expression" in msg


def test_real_docs_checks_load():
    from sandbox.config import ROOT

    checks = load_checks(ROOT / "docs")
    assert all("/" in cid for cid in checks)
