"""One rule for the state directory, and set-up, the sandbox service and the gateway all follow it."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas.statedir import state_dir_path


def test_override_wins_even_for_root():
    assert state_dir_path({"ATLAS_STATE_DIR": "/srv/atlas"}, euid=0) == Path("/srv/atlas")


def test_root_uses_var_lib():
    assert state_dir_path({"XDG_STATE_HOME": "/x"}, euid=0) == Path("/var/lib/container-atlas")


def test_user_uses_xdg_state_home():
    assert state_dir_path({"XDG_STATE_HOME": "/x/state"}, euid=1000) == Path("/x/state/container-atlas")


@pytest.mark.parametrize("env", [{}, {"XDG_STATE_HOME": ""}, {"ATLAS_STATE_DIR": ""}])
def test_unset_or_empty_variables_mean_the_default(env):
    assert state_dir_path(env, euid=1000) == Path.home() / ".local" / "state" / "container-atlas"


def test_setup_service_and_gateway_agree(tmp_path, monkeypatch):
    from atlas.provision.state import state_dir

    from sandbox.config import load_config
    from sandbox.gateway.manager import default_state_dir

    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "s"))
    assert state_dir() == default_state_dir() == load_config(None, environ={}).state_path == tmp_path / "s"
