"""Sandbox configuration (a test per rule), hardening options, Origin rule and tutorial checks (no engine)."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from atlas.errors import AtlasError

from sandbox.checks import load_checks
from sandbox.config import DEFAULT_PATH, ROOT, ConfigError, gateway_settings, load_config, validate_config
from sandbox.containers import create_kwargs
from sandbox.gateway.policy import check_container_create
from sandbox.limits import parse_size
from sandbox.terminal import origin_allowed


def test_defaults_documented_and_loaded():
    cfg = load_config(None, environ={})
    shell = cfg.profiles["shell"]
    assert cfg.lifetime == 3600 and cfg.idle_timeout == 600
    plain = yaml.safe_load(DEFAULT_PATH.read_text())["limits"]  # the file read without the schema
    assert cfg.limits.memory == parse_size(plain["memory"]) and cfg.limits.cpu == plain["cpu"]
    assert cfg.limits.pids == plain["pids"] and cfg.limits.image_disk == parse_size(plain["image_disk"])
    assert shell.pool_size == cfg.pool_size and cfg.profiles["docker"].pool_size == 0
    assert cfg.profiles["docker"].user == shell.user  # the docker profile shares the shell's keys (<<:)
    lines = DEFAULT_PATH.read_text().splitlines()
    for section, obj in (("", cfg), ("limits", cfg.limits), ("gateway", cfg.gateway)):
        indent = "  " if section else ""
        for f in fields(obj):
            if f.metadata.get("internal"):
                continue
            # every key is documented by a comment above it (keys of one group share the comment)
            i = next(n for n, line in enumerate(lines) if line.startswith(f"{indent}{f.name}:"))
            j = i - 1
            while lines[j].startswith(f"{indent}") and not lines[j].lstrip().startswith("#") and j > i - 6:
                j -= 1
            assert lines[j].lstrip().startswith("#"), f"{section}.{f.name} has no comment in config.yaml"


def test_environment_overrides_top_level_and_nested():
    env = {
        "ATLAS_SANDBOX_MAX_SESSIONS": "7",
        "ATLAS_SANDBOX_PROFILES__SHELL__RUNTIME": "runsc",
        "ATLAS_SANDBOX_ALLOWED_ORIGINS": "[https://a.example]",
        "ATLAS_SANDBOX_LIMITS__MEMORY": "512m",
    }
    cfg = load_config(None, environ=env)
    assert cfg.max_sessions == 7
    assert cfg.profiles["shell"].runtime == "runsc"
    assert cfg.allowed_origins == ["https://a.example"]
    assert cfg.limits.memory == 512 * 2**20 and cfg.limits.pids == 128  # the rest of the section stays


def _problems(tmp_path, text: str, environ: dict | None = None) -> tuple[Path, list[str]]:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(path, environ=environ or {})
    assert str(exc.value).count("\n") == len(exc.value.problems)  # one line per problem
    return path, [str(p) for p in exc.value.problems]


def test_unknown_key_is_located_with_did_you_mean(tmp_path):
    path, problems = _problems(tmp_path, "max_sessions: 5\nmax_sesions: 6\n")
    assert problems == [f"{path}:2:1: max_sesions: unknown key (did you mean 'max_sessions'?)"]


def test_unknown_keys_in_sections_and_profiles(tmp_path):
    text = "limits:\n  memroy: 512m\ngateway:\n  runtiem: runsc\nprofiles:\n  shell:\n    pids_limit: 5\n"
    text += "    colour: blue\n"
    path, problems = _problems(tmp_path, text)
    assert f"{path}:2:3: limits.memroy: unknown key (did you mean 'memory'?)" in problems
    assert f"{path}:4:3: gateway.runtiem: unknown key (did you mean 'runtime'?)" in problems
    # limits are not per profile any more: the message says where the key went
    assert (
        f"{path}:7:5: profiles.shell.pids_limit: unknown key "
        "(the same for every profile now: set limits.pids in config.yaml)"
    ) in problems
    # nothing close: the message lists what a profile may say
    [prof] = [p for p in problems if "colour" in p]
    assert prof.startswith(f"{path}:8:5: profiles.shell.colour: unknown key (known: command, ")


def test_wrong_types_are_located(tmp_path):
    text = "max_sessions: many\naccess_log: 'yes'\nlimits:\n  cpu: [1]\n  memory: lots\n"
    path, problems = _problems(tmp_path, text)
    assert problems == [  # in file order
        f"{path}:1:1: max_sessions: expected an integer, got text 'many'",
        f"{path}:2:1: access_log: expected true or false, got 'yes'",
        f"{path}:4:3: limits.cpu: expected a number, got a list [1]",
        f"{path}:5:3: limits.memory: expected a size such as 512m or a number of bytes, got 'lots'",
    ]


def test_memory_below_what_a_shell_needs(tmp_path):
    path, problems = _problems(tmp_path, "limits:\n  memory: 4m\n")
    assert problems == [f"{path}:2:3: limits.memory: 4194304 bytes is less than a shell needs (at least 32m)"]


def test_pids_below_what_a_shell_needs(tmp_path):
    path, problems = _problems(tmp_path, "limits:\n  pids: 3\n")
    assert problems == [f"{path}:2:3: limits.pids: 3 processes are fewer than a shell needs (at least 16)"]


def test_pool_larger_than_capacity(tmp_path):
    # shell pools 8; docker (a gateway profile) none
    path, problems = _problems(tmp_path, "max_sessions: 7\npool_size: 8\n")
    assert problems == [
        f"{path}:2:1: pool_size: the profiles' warm pools hold 8 containers, more than max_sessions (7)"
    ]
    # two pooled profiles of 4 each: 8 > 7 as well
    text = "max_sessions: 7\npool_size: 4\nprofiles:\n  shell2:\n    <<: *p\n"
    text = text.replace(
        "profiles:\n",
        "profiles:\n  shell: &p\n    image: x\n    command: [sh]\n"
        "    user: '1:1'\n    hostname: h\n    workdir: /\n",
    )
    path, problems = _problems(tmp_path, text)
    assert problems == [
        f"{path}:2:1: pool_size: the profiles' warm pools hold 8 containers, more than max_sessions (7)"
    ]


def test_per_client_limit_larger_than_capacity(tmp_path):
    path, problems = _problems(tmp_path, "max_sessions: 3\nmax_sessions_per_client: 4\n")
    assert problems == [f"{path}:2:1: max_sessions_per_client: larger than max_sessions (3)"]


@pytest.mark.parametrize(
    "key", ["lifetime", "idle_timeout", "reap_interval", "verify_timeout", "docker_timeout"]
)
def test_negative_or_zero_durations(tmp_path, key):
    path, problems = _problems(tmp_path, f"{key}: -5\n")
    assert problems == [f"{path}:1:1: {key}: -5 is too small: expected a positive number"]


def test_negative_profile_duration_and_pool(tmp_path):
    text = "profiles:\n  shell:\n    lifetime: -1\n    pool_size: -2\n"
    path, problems = _problems(tmp_path, text)
    assert f"{path}:3:5: profiles.shell.lifetime: -1 is too small: expected a positive number" in problems
    assert f"{path}:4:5: profiles.shell.pool_size: -2 is too small: at least 0" in problems


def test_default_profile_must_exist_with_did_you_mean(tmp_path):
    path, problems = _problems(tmp_path, "default_profile: shel\n")
    assert problems == [f"{path}:1:1: default_profile: 'shel' is not a profile (did you mean 'shell'?)"]


def test_gateway_profile_cannot_be_pooled(tmp_path):
    path, problems = _problems(tmp_path, "profiles:\n  docker:\n    pool_size: 2\n")
    assert problems == [
        f"{path}:3:5: profiles.docker.pool_size: a gateway profile cannot be pooled (its socket is per "
        "session); use 0"
    ]


def test_new_profile_missing_keys_are_named(tmp_path):
    path, problems = _problems(tmp_path, "profiles:\n  web:\n    image: x\n")
    assert f"{path}:2:3: profiles.web.command: missing" in problems
    assert f"{path}:2:3: profiles.web.user: missing" in problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limits:\n  cpu: 0\n", "limits.cpu: expected a positive number of cores"),
        ("limits:\n  session_cpus: -1\n", "limits.session_cpus: expected a positive number of cores"),
        ("limits:\n  images: -1\n", "limits.images: cannot be negative"),
        ("limits:\n  build_context: -5\n", "limits.build_context: cannot be negative"),
    ],
)
def test_impossible_limits(tmp_path, text, message):
    path, problems = _problems(tmp_path, text)
    assert f"{path}:2:3: {message}" in problems


def test_unreadable_config_file_is_named(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as exc:
        load_config(missing, environ={})
    assert str(exc.value.problems[0]).startswith(f"{missing}: (file): cannot read the file")


def test_session_totals_below_one_container(tmp_path):
    path, problems = _problems(tmp_path, "limits:\n  session_memory: 128m\n")
    assert problems == [
        f"{path}:2:3: limits.session_memory: the whole session gets less than one container "
        f"(memory: {256 * 2**20})"
    ]


def test_gateway_values(tmp_path):
    path, problems = _problems(tmp_path, "gateway:\n  max_connections: 0\n  port_wait: -1\n")
    assert problems == [
        f"{path}:2:3: gateway.max_connections: 0 is too small: at least 1",
        f"{path}:3:3: gateway.port_wait: -1 is too small: at least 0",
    ]
    text = "gateway:\n  subnet_pool: 10.213.0.0/33\n  http:\n    body_tim: 2\n"
    path, problems = _problems(tmp_path, text)
    assert problems[0].startswith(f"{path}:2:3: gateway.subnet_pool: not an address range")
    assert problems[1] == f"{path}:4:5: gateway.http.body_tim: unknown key (did you mean 'body_time'?)"


def test_subnet_prefix_must_fit_the_pool(tmp_path):
    path, problems = _problems(tmp_path, "gateway:\n  subnet_pool: 10.0.0.0/24\n  subnet_prefix: 20\n")
    assert problems == [f"{path}:3:3: gateway.subnet_prefix: /20 does not fit in subnet_pool 10.0.0.0/24"]


def test_duplicate_key_and_yaml_syntax(tmp_path):
    path, problems = _problems(tmp_path, "pool_size: 1\npool_size: 2\n")
    assert problems == [f"{path}:2:1: pool_size: written twice"]
    path, problems = _problems(tmp_path, "limits:\n  memory: [512m\n")
    assert len(problems) == 1 and problems[0].startswith(f"{path}:3:1: (syntax): not valid YAML")


def test_environment_problem_names_the_variable(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config(None, environ={"ATLAS_SANDBOX_MAX_SESIONS": "3", "ATLAS_SANDBOX_LIMITS__MEMORY": "1m"})
    assert [str(p) for p in exc.value.problems] == [
        "ATLAS_SANDBOX_MAX_SESIONS: max_sesions: unknown key (did you mean 'max_sessions'?)",
    ]
    with pytest.raises(ConfigError) as exc:
        load_config(None, environ={"ATLAS_SANDBOX_LIMITS__MEMORY": "1m"})
    assert [str(p) for p in exc.value.problems] == [
        "ATLAS_SANDBOX_LIMITS__MEMORY: limits.memory: 1048576 bytes is less than a shell needs (at least 32m)"
    ]


def test_validate_config_lists_problems_without_raising(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("ATLAS_SANDBOX_")]:
        monkeypatch.delenv(name)
    assert validate_config(None) == []
    bad = tmp_path / "config.yaml"
    bad.write_text("max_sessions: 0\n")
    assert [str(p) for p in validate_config(bad)] == [f"{bad}:1:1: max_sessions: 0 is too small: at least 1"]


def test_create_kwargs_are_hardened():
    cfg = load_config(None, environ={})
    kw = create_kwargs(cfg.profiles["shell"], cfg.limits, "inst1", "sess1")
    assert kw["cap_drop"] == ["ALL"] and kw["security_opt"] == ["no-new-privileges"]
    assert kw["read_only"] is True and kw["network_mode"] == "none"
    assert kw["mem_limit"] == kw["memswap_limit"] == cfg.limits.memory
    assert kw["nano_cpus"] == int(cfg.limits.cpu * 10**9) and kw["pids_limit"] == cfg.limits.pids
    assert kw["user"] == "1000:1000" and "privileged" not in kw and "volumes" not in kw
    assert kw["labels"] == {
        "org.container-atlas.managed": "true",
        "org.container-atlas.instance": "inst1",
        "org.container-atlas.session": "sess1",
        "org.container-atlas.profile": "shell",
    }
    size = f"size={cfg.limits.tmpfs_size}"
    assert kw["tmpfs"]["/home/learner"].startswith(size) and "uid=1000" in kw["tmpfs"]["/home/learner"]
    assert kw["tmpfs"]["/tmp"] == f"{size},mode=1777"
    assert kw["log_config"]["config"]["max-size"] == "1m"
    assert create_kwargs(cfg.profiles["shell"], cfg.limits, "i", "s")["cap_drop"] is not kw["cap_drop"]


def test_one_limit_changes_the_learner_container_the_gateway_and_builds():
    cfg = load_config(
        None, environ={"ATLAS_SANDBOX_LIMITS__MEMORY": "300m", "ATLAS_SANDBOX_LIMITS__CPU": "0.25"}
    )
    kw = create_kwargs(cfg.profiles["docker"], cfg.limits, "i", "s")
    assert kw["mem_limit"] == 300 * 2**20 and kw["nano_cpus"] == 250_000_000
    body = {"HostConfig": {}}
    check_container_create(body, cfg.limits, "runc")
    assert body["HostConfig"]["Memory"] == 300 * 2**20 and body["HostConfig"]["NanoCpus"] == 250_000_000
    assert cfg.limits.build_params() == {
        "memory": str(300 * 2**20),
        "memswap": str(300 * 2**20),
        "cpuperiod": "100000",
        "cpuquota": "25000",
    }


def test_each_limit_value_is_written_once():
    """`grep 256m` finds the memory limit in one declaration (config.yaml): no code, test or bench repeats
    the memory, CPU or pids limit of a learner's container (they read it from the configuration)."""
    cfg = load_config(None, environ={})
    mib = cfg.limits.memory // 2**20
    values = [f"{mib}m", str(cfg.limits.memory), f"{cfg.limits.nano_cpus:_}"]
    values.append(f"pids_limit={cfg.limits.pids}")
    here = Path(__file__).resolve()
    for folder in ("sandbox", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve() == here:
                continue
            text = path.read_text()
            for value in values:
                assert value not in text, f"{path.relative_to(ROOT)} repeats the limit {value}"


def test_tests_and_benches_build_learner_containers_like_the_service():
    """No test or bench hardens a learner container by hand (their options would drift from the
    service's): they call sandbox.containers.create_kwargs, as the service does."""
    here = Path(__file__).resolve()
    by_hand = [
        str(path.relative_to(ROOT))
        for folder in ("tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.resolve() != here and "cap_drop=" in path.read_text()  # the mark of hardening by hand
    ]
    assert by_hand == []


def test_gateway_settings_for_tools_are_checked():
    settings, limits = gateway_settings({"runtime": "runsc"}, {"containers": 2}, instance="t1")
    assert settings.runtime == "runsc" and settings.instance == "t1" and limits.containers == 2
    with pytest.raises(
        ConfigError, match=r"overrides: gateway.runtim: unknown key \(did you mean 'runtime'\?\)"
    ):
        gateway_settings({"runtim": "runsc"})


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
    assert f"{tmp_path / 't.md'}:5:5: checks.s1.run: expected a shell command" in msg
    assert "checks.s2.expect: not a valid regular expression" in msg


def test_real_docs_checks_load():
    from sandbox.config import ROOT

    checks = load_checks(ROOT / "docs")
    assert all("/" in cid for cid in checks)


@pytest.fixture
def bad_default_config(tmp_path, monkeypatch):
    """sandbox/config.yaml with a typo (a copy, put in its place), and the located line it must give."""
    from sandbox import config

    for name in [n for n in os.environ if n.startswith("ATLAS_SANDBOX_")]:
        monkeypatch.delenv(name)
    bad = tmp_path / "config.yaml"
    text = DEFAULT_PATH.read_text()
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("max_sessions_per_client:"))
    bad.write_text(text.replace("max_sessions_per_client:", "max_sessions_per_cleint:"))
    monkeypatch.setattr(config, "DEFAULT_PATH", bad)
    return f"{bad}:{line}:1: max_sessions_per_cleint: unknown key (did you mean 'max_sessions_per_client'?)"


def test_atlas_check_and_build_report_a_bad_config_located(bad_default_config, tmp_path, capsys):
    from atlas.cli import main

    assert main(["check"]) == 1
    assert bad_default_config in capsys.readouterr().out
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site")
    assert main(["build", "--out", str(site)]) == 1
    assert bad_default_config in capsys.readouterr().err
    assert (site / "index.html").read_text() == "previous site"  # the previous site stays


def test_atlas_setup_up_and_test_stop_at_the_config_step(bad_default_config):
    """`./atlas setup`, `up` and `test` all run the set-up steps; the first one checks the config."""
    from atlas.errors import SetupError
    from atlas.provision.setup import _config_step
    from atlas.provision.steps import run_step

    with pytest.raises(SetupError) as exc:
        run_step("config", "sandbox configuration", _config_step)
    assert bad_default_config in str(exc.value)


def test_atlas_build_names_a_bad_environment_variable(tmp_path):
    """The real `./atlas build` in a subprocess, with a bad ATLAS_SANDBOX_* variable: named, located."""
    import subprocess

    env = {**os.environ, "ATLAS_SANDBOX_LIMITS__MEMORY": "1m"}
    proc = subprocess.run(
        [str(ROOT / "atlas"), "build", "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    want = "ATLAS_SANDBOX_LIMITS__MEMORY: limits.memory: 1048576 bytes is less than a shell needs"
    assert want in proc.stderr
    assert not (tmp_path / "site").exists()


def test_server_threads_must_cover_every_terminal(tmp_path):
    path, problems = _problems(tmp_path, "max_sessions: 50\nserver_threads: 60\n")
    assert problems == [
        f"{path}:2:1: server_threads: 60 threads cannot serve max_sessions (50) terminals and the API: "
        "use at least 66"
    ]


def test_trusted_proxies_and_allowed_origins_are_checked(tmp_path):
    text = "trusted_proxies: [127.0.0.1/32, 'fd00::/8', nginx]\nallowed_origins: [atlas.example]\n"
    path, problems = _problems(tmp_path, text)
    assert problems == [
        f"{path}:1:1: trusted_proxies.2: 'nginx' is not an address or network, e.g. 127.0.0.1/32",
        f"{path}:2:1: allowed_origins.0: 'atlas.example' is not an origin such as https://atlas.example",
    ]


def test_fair_use_caps_are_checked(tmp_path):
    path, problems = _problems(tmp_path, "max_docker_sessions: 3\nmax_docker_sessions_per_client: 4\n")
    assert problems == [f"{path}:2:1: max_docker_sessions_per_client: larger than max_docker_sessions (3)"]
    path, problems = _problems(tmp_path, "session_creations_per_minute: -1\n")
    assert len(problems) == 1 and "session_creations_per_minute" in problems[0], problems
