"""System packages: what is missing is listed with the command that installs it, never half-installed."""

from __future__ import annotations

import pytest
from atlas.errors import MissingPrerequisite
from atlas.provision import packages
from atlas.provision.packages import Requirement


def test_present_checks_commands_and_files(tmp_path):
    there = tmp_path / "there"
    there.write_text("")
    assert Requirement("x", "why", commands=("sh",), files=(str(there),)).present()
    assert not Requirement("x", "why", files=(str(tmp_path / "absent"),)).present()
    assert not Requirement("x", "why", commands=("no-such-command-atlas",)).present()


def test_missing_required_package_without_install_names_it_and_the_command(tmp_path, monkeypatch):
    fake = (
        Requirement("atlas-fake-engine", "the engine", files=(str(tmp_path / "dockerd"),)),
        Requirement("runsc", "gVisor", files=(str(tmp_path / "runsc"),)),
    )
    monkeypatch.setattr(packages, "REQUIREMENTS", fake)
    with pytest.raises(MissingPrerequisite) as err:
        packages.ensure(skip_install=True)
    message = str(err.value)
    assert "atlas-fake-engine: the engine" in message and "runsc: gVisor" in message
    assert "apt-get install -y atlas-fake-engine runsc" in message


def test_only_optional_packages_missing_is_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setattr(
        packages, "REQUIREMENTS", (Requirement("runsc", "gVisor", files=(str(tmp_path / "r"),)),)
    )
    assert "optional packages missing: runsc" in packages.ensure(skip_install=True)
