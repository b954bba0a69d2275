"""daemon.json merge: our mirror and runtime are added, everything the operator had stays."""

from __future__ import annotations

import json

import pytest
from atlas.errors import SetupError
from atlas.provision import daemonjson
from atlas.provision.daemonjson import MIRROR, merge

OPERATOR = {
    "log-driver": "journald",
    "registry-mirrors": ["https://mirror.example.org"],
    "runtimes": {"kata": {"path": "/usr/bin/kata-runtime"}},
    "insecure-registries": ["10.0.0.5:5000"],
    "features": {"buildkit": False},
}


def test_merge_keeps_every_operator_key_and_adds_ours():
    merged = merge(OPERATOR, MIRROR, "/usr/bin/runsc")
    for key in ("log-driver", "insecure-registries", "features"):
        assert merged[key] == OPERATOR[key]
    assert merged["registry-mirrors"] == [MIRROR, "https://mirror.example.org"]
    assert merged["runtimes"]["kata"] == {"path": "/usr/bin/kata-runtime"}
    assert merged["runtimes"]["runsc"] == {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}
    assert OPERATOR["registry-mirrors"] == ["https://mirror.example.org"], "input must not be mutated"


def test_merge_is_idempotent_and_leaves_an_operator_runsc_alone():
    theirs = {"registry-mirrors": [MIRROR + "/"], "runtimes": {"runsc": {"path": "/opt/runsc"}}}
    assert merge(theirs, MIRROR, "/usr/bin/runsc", None) == theirs
    once = merge({}, MIRROR, "/usr/bin/runsc")
    assert merge(once, MIRROR, "/usr/bin/runsc") == once


def test_merge_without_runsc_adds_no_runtime():
    assert merge({}, MIRROR, None, None) == {"registry-mirrors": [MIRROR]}


def test_merge_adds_userns_remap_and_keeps_the_operators_value():
    assert merge({}, MIRROR, None)["userns-remap"] == "default"
    assert merge({"userns-remap": "atlas:atlas"}, MIRROR, None)["userns-remap"] == "atlas:atlas"
    assert merge(OPERATOR, MIRROR, None, None).get("userns-remap") is None


def test_userns_remap_can_be_turned_off(tmp_path, monkeypatch):
    path = tmp_path / "daemon.json"
    monkeypatch.setenv("ATLAS_USERNS_REMAP", "off")
    daemonjson.ensure(path)
    assert "userns-remap" not in json.loads(path.read_text())
    monkeypatch.delenv("ATLAS_USERNS_REMAP")
    result, changed = daemonjson.ensure(path)
    assert changed and "userns-remap" in result
    assert json.loads(path.read_text())["userns-remap"] == "default"


def test_ensure_writes_once_keeps_a_backup_then_skips(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text(json.dumps({"log-level": "warn"}))
    result, changed = daemonjson.ensure(path)
    assert changed and "registry-mirrors" in result
    data = json.loads(path.read_text())
    assert data["log-level"] == "warn" and MIRROR in data["registry-mirrors"]
    assert json.loads((tmp_path / "daemon.json.before-atlas").read_text()) == {"log-level": "warn"}
    result, changed = daemonjson.ensure(path)
    assert not changed and result.startswith("mirror")


def test_invalid_daemon_json_is_reported_with_file_and_line_and_left_alone(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text('{\n  "log-level": "warn",\n  "debug": tru\n}\n')
    before = path.read_text()
    with pytest.raises(SetupError) as err:
        daemonjson.ensure(path)
    assert f"{path}:3:" in str(err.value)
    assert err.value.step == "daemon.json"
    assert path.read_text() == before
