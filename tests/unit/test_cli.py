"""The `./atlas` entry point: unknown subcommands, --help everywhere, a taken port names --port."""

from __future__ import annotations

import socket
import subprocess

import pytest
from atlas import ROOT
from atlas.cli import build_parser, main
from atlas.errors import AtlasError
from atlas.provision.setup import check_port


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def test_unknown_subcommand_prints_help_and_exits_2():
    proc = run([str(ROOT / "atlas"), "frobnicate"])
    assert proc.returncode == 2
    assert "unknown command 'frobnicate'" in proc.stderr
    assert "usage: atlas" in proc.stderr and "setup" in proc.stderr


def test_every_subcommand_has_help(capsys):
    choices = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in [*choices, "kb check", "kb export", "kb path"]:
        with pytest.raises(SystemExit) as exc:
            main([*name.split(), "--help"])
        assert exc.value.code == 0, name
        assert "usage:" in capsys.readouterr().out


@pytest.fixture
def busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_taken_port_names_the_port_option(busy_port):
    with pytest.raises(AtlasError) as err:
        check_port("127.0.0.1", busy_port)
    assert f"port {busy_port}" in str(err.value) and "--port" in str(err.value)


def test_atlas_up_on_a_taken_port_says_so_before_setting_up(busy_port):
    proc = run([str(ROOT / "atlas"), "up", "--port", str(busy_port)], timeout=60)
    assert proc.returncode == 1
    assert "already in use" in proc.stderr and "--port" in proc.stderr
    assert "[packages]" not in proc.stdout
