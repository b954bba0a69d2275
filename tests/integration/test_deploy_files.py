"""The shipped systemd units are valid for the real tool (`systemd-analyze verify`), with the install path
of README "Operate it" mapped to this checkout (deploy/nginx/atlas.conf runs in tests/e2e/test_operate.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from realparts import IN_CI

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def _verify(folder: Path, names: list[str]) -> tuple[int, str]:
    out = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[f"./{n}" for n in names]],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return out.returncode, (out.stdout + out.stderr).strip()


@pytest.fixture
def analyze():
    if not shutil.which("systemd-analyze"):
        if IN_CI:
            pytest.fail("CI=true and systemd-analyze is missing (Debian package systemd)")
        pytest.skip("systemd-analyze is not installed")


def _installed_copy(tmp_path: Path, text_of: dict[str, str] | None = None) -> list[str]:
    """The units as installed, with /opt/container-atlas (the checkout) mapped to this one."""
    names = []
    for unit in UNITS:
        text = (text_of or {}).get(unit.name) or unit.read_text()
        (tmp_path / unit.name).write_text(text.replace("/opt/container-atlas", str(ROOT)))
        names.append(unit.name)
    return names


def test_systemd_units_verify_without_a_warning(analyze, tmp_path):
    assert {u.name for u in UNITS} >= {"container-atlas.service", "container-atlas-registry.service"}
    code, out = _verify(tmp_path, _installed_copy(tmp_path))
    assert code == 0 and out == "", out


def test_a_broken_unit_is_reported(analyze, tmp_path):
    """The check above can fail: a misspelt setting is reported by the same command."""
    service = (ROOT / "deploy" / "systemd" / "container-atlas.service").read_text()
    names = _installed_copy(tmp_path, {"container-atlas.service": service.replace("KillMode=", "KilMode=")})
    code, out = _verify(tmp_path, names)
    assert "KilMode" in out, out


def test_service_unit_runs_the_production_server():
    text = (ROOT / "deploy" / "systemd" / "container-atlas.service").read_text()
    assert "-m atlas.cli serve" in text and "KillSignal=SIGTERM" in text and "Requires=docker.service" in text
