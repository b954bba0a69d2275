"""Client addresses behind a trusted reverse proxy (sandbox.clientaddr): believed only from trusted peers."""

from __future__ import annotations

from sandbox.clientaddr import TrustedProxies, client_address, parse_networks

PROXIES = parse_networks(["127.0.0.1/32", "10.0.0.0/8", "::1"])


def test_trusted_proxy_names_the_client():
    assert client_address("127.0.0.1", "203.0.113.7", PROXIES) == "203.0.113.7"
    # a chain of trusted proxies: the right-most untrusted hop is the client
    assert client_address("127.0.0.1", "203.0.113.7, 10.1.2.3", PROXIES) == "203.0.113.7"
    assert client_address("::1", "2001:db8::5", PROXIES) == "2001:db8::5"


def test_a_client_cannot_forge_its_address():
    # the client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.9", PROXIES) == "198.51.100.9"
    # an untrusted peer's header is ignored
    assert client_address("192.0.2.50", "1.2.3.4", PROXIES) == "192.0.2.50"
    # garbage stops the walk at the proxy
    assert client_address("127.0.0.1", "not-an-ip", PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", None, PROXIES) == "127.0.0.1"


def test_middleware_rewrites_remote_addr_and_scheme_for_trusted_peers_only():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return []

    mw = TrustedProxies(app, ["127.0.0.1/32"])
    hdrs = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "HTTP_X_FORWARDED_PROTO": "https"}
    mw({"REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", **hdrs}, None)
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"], seen["atlas.peer"]) == (
        "203.0.113.7",
        "https",
        "127.0.0.1",
    )
    seen.clear()
    mw({"REMOTE_ADDR": "192.0.2.50", "wsgi.url_scheme": "http", **hdrs}, None)
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"]) == ("192.0.2.50", "http")
    seen.clear()
    TrustedProxies(app, [])({"REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", **hdrs}, None)
    assert seen["REMOTE_ADDR"] == "127.0.0.1"  # no trusted proxies configured: nothing is believed
