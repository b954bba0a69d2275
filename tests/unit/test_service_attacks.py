"""Unit parts of the service's defences (the attacks themselves: tests/integration/test_attack_service.py):
the request-head deadline on a real socket pair, and the key per-client limits count under."""

from __future__ import annotations

import socket
import time

import pytest
from gunicorn.http.errors import NoMoreData

from sandbox import slowclients
from sandbox.clientaddr import client_key


def test_a_request_trickling_in_is_cut_when_its_budget_is_spent():
    server, client = socket.socketpair()
    try:
        sock = slowclients.DeadlineSocket(server)
        sock.begin(0.3)
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


def test_bytes_received_buy_time_at_the_minimum_rate(monkeypatch):
    monkeypatch.setattr(slowclients, "MIN_RATE", 100)  # bytes a second
    server, client = socket.socketpair()
    try:
        sock = slowclients.DeadlineSocket(server)
        sock.begin(0.2)
        client.sendall(b"x" * 100)  # one more second
        assert sock.recv(1000) == b"x" * 100
        time.sleep(0.5)  # past the budget alone, within what the 100 bytes bought
        client.sendall(b"y")
        assert sock.recv(10) == b"y"
        t0 = time.monotonic()
        with pytest.raises(NoMoreData):
            sock.recv(10)
        assert time.monotonic() - t0 < 1.0
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
