"""The durable part of sessions: a stable instance id with its lock, and one atomic record per session."""

from __future__ import annotations

import logging

from sandbox.sessionstore import InstanceIdentity, Record, SessionStore, token_hash


def _record(sid: str = "abc123") -> Record:
    h = token_hash("secret")
    return Record(sid, "c" * 64, "shell", h, "10.0.0.1", 1000.0, 3600.0, 600.0, 1500.0, False)


def test_instance_id_is_stable_across_restarts_and_locked_while_running(tmp_path):
    first = InstanceIdentity(tmp_path, wait=0)
    assert first.persistent
    second = InstanceIdentity(tmp_path, wait=0)  # started while the first still runs
    assert not second.persistent and second.id != first.id, "two live servers must not share an id"
    second.release()
    assert not (tmp_path / "sandbox-instances" / f"{second.id}.lock").exists()
    first.release()
    again = InstanceIdentity(tmp_path, wait=0)  # the restart
    assert again.persistent and again.id == first.id
    assert not again.is_dead(again.id), "our own id is never treated as a dead instance"
    again.release()


def test_records_round_trip_and_never_hold_the_token(tmp_path):
    store = SessionStore(tmp_path, "inst1")
    store.save(_record())
    text = (tmp_path / "sandbox-sessions" / "inst1" / "abc123.json").read_text()
    assert "secret" not in text and token_hash("secret") in text
    assert store.load() == [_record()]
    store.delete("abc123")
    assert store.load() == []


def test_unreadable_record_is_named_and_removed(tmp_path, caplog):
    store = SessionStore(tmp_path, "inst1")
    store.save(_record("good1"))
    bad = tmp_path / "sandbox-sessions" / "inst1" / "bad1.json"
    bad.write_text('{"id": "bad1", "profile": ')
    with caplog.at_level(logging.WARNING, logger="sandbox"):
        assert [r.id for r in store.load()] == ["good1"]
    assert str(bad) in caplog.text and "unreadable session record" in caplog.text
    assert not bad.exists()


def test_gateway_ports_come_back_only_for_containers_that_still_exist():
    from sandbox.gateway.session import PortMap, restore_ports

    saved = {"8080": ["c1", 41000, "80/tcp"], "9090": ["gone", 41001, "80/tcp"], "x": ["c1", 1, "1"]}
    saved["7"] = "bad"
    assert restore_ports(saved, {"c1"}) == {8080: PortMap("c1", 41000, "80/tcp")}
