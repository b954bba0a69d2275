"""Unit parts of the service's defences (the attacks themselves: tests/integration/test_attack_service.py):
the request-head deadline on a real socket pair, and the key per-client limits count under."""

from __future__ import annotations

import socket
import time

import pytest
from gunicorn.http.errors import NoMoreData

from sandbox import slowclients
from sandbox.clientaddr import client_key


def test_a_head_trickling_in_is_cut_at_its_deadline_and_a_prompt_one_is_read():
    server, client = socket.socketpair()
    try:
        sock = slowclients.DeadlineSocket(server)
        sock.deadline = time.monotonic() + 0.3
        client.sendall(b"GET / HTTP/1.1\r\n")
        assert sock.recv(100) == b"GET / HTTP/1.1\r\n"
        t0 = time.monotonic()
        with pytest.raises(NoMoreData):
            sock.recv(100)  # the rest never comes
        assert 0.2 < time.monotonic() - t0 < 1.0
        client.settimeout(1)
        assert client.recv(10) == b"", "the slow client is hung up on"
        assert server.gettimeout() is None, "the socket's own timeout is restored"
    finally:
        server.close()
        client.close()


def test_a_body_read_waits_at_most_body_idle_per_read(monkeypatch):
    monkeypatch.setattr(slowclients, "BODY_IDLE", 0.2)
    server, client = socket.socketpair()
    try:
        sock = slowclients.DeadlineSocket(server)  # deadline None: reading a body
        client.sendall(b"x" * 10)
        assert sock.recv(100) == b"x" * 10
        with pytest.raises(NoMoreData):
            sock.recv(100)
    finally:
        server.close()
        client.close()


@pytest.mark.parametrize(
    ("addr", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2::5", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::5", "2001:db8:1:3::/64"),
        (None, "?"),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64(addr, key):
    assert client_key(addr) == key
