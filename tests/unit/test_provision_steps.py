"""Failing set-up steps name the step, the command and the last lines of the log; daemons wait/time out."""

from __future__ import annotations

import sys

import pytest
from atlas.errors import SetupError
from atlas.provision import procs
from atlas.provision.state import read_pid
from atlas.provision.steps import Skipped, run, run_step


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "state"))


def test_failed_command_names_step_command_and_log_tail(capsys):
    script = "for i in 1 2 3 4 5; do echo line-$i; done; echo 'disk full' >&2; exit 3"
    with pytest.raises(SetupError) as err:
        run_step("images", "demo images", lambda: run(["sh", "-c", script], "images"))
    message = str(err.value)
    assert "step 'images' failed" in message
    assert "sh -c" in message and "exit 3" in message
    assert "disk full" in message and "line-5" in message
    assert capsys.readouterr().out.startswith("[images] demo images ... FAILED")


def test_missing_command_is_a_setup_error_not_a_traceback():
    with pytest.raises(SetupError) as err:
        run(["no-such-command-atlas"], "packages")
    assert "no-such-command-atlas" in str(err.value)


def test_skipped_step_prints_the_reason(capsys):
    run_step("engine", "Docker engine", lambda: Skipped("already running"))
    assert "[engine] Docker engine ... ok (skipped: already running)" in capsys.readouterr().out


def test_daemon_that_exits_early_fails_with_its_log_and_no_pid_file(tmp_path):
    log, pid_file = tmp_path / "d.log", tmp_path / "d.pid"
    with pytest.raises(SetupError) as err:
        procs.start_daemon(
            ["sh", "-c", "echo cannot bind socket; exit 4"],
            step="engine",
            log=log,
            pid_file=pid_file,
            ready=lambda: False,
            timeout=10,
        )
    assert "exited with code 4" in str(err.value) and "cannot bind socket" in str(err.value)
    assert not pid_file.exists()


def test_daemon_that_never_answers_is_stopped_after_the_timeout(tmp_path):
    log, pid_file = tmp_path / "d.log", tmp_path / "d.pid"
    with pytest.raises(SetupError) as err:
        procs.start_daemon(
            [sys.executable, "-c", "import time; print('starting', flush=True); time.sleep(60)"],
            step="engine",
            log=log,
            pid_file=pid_file,
            ready=lambda: False,
            timeout=1,
        )
    assert "did not answer within 1s" in str(err.value) and "starting" in str(err.value)
    assert not pid_file.exists()


def test_daemon_ready_returns_pid_and_stop_removes_it(tmp_path):
    log, pid_file, flag = tmp_path / "d.log", tmp_path / "d.pid", tmp_path / "ready"
    code = f"import pathlib, time; time.sleep(0.3); pathlib.Path({str(flag)!r}).touch(); time.sleep(60)"
    pid = procs.start_daemon(
        [sys.executable, "-c", code],
        step="registry",
        log=log,
        pid_file=pid_file,
        ready=flag.exists,
        timeout=20,
    )
    assert read_pid(pid_file) == pid
    assert procs.stop_daemon(pid_file, grace=5)
    assert read_pid(pid_file) is None and not pid_file.exists()


def test_stale_pid_file_is_ignored_and_removed(tmp_path):
    pid_file = tmp_path / "x.pid"
    pid_file.write_text("999999999\n")
    assert read_pid(pid_file) is None
    assert not pid_file.exists()
