"""The real client address behind a trusted reverse proxy (config `trusted_proxies`).

`TrustedProxies(wsgi_app, networks)` is WSGI middleware in the spirit of Werkzeug's ProxyFix, but it
believes `X-Forwarded-For` and `X-Forwarded-Proto` ONLY when the peer (the TCP connection's address) is
one of the trusted proxies. The client is then the right-most address of `X-Forwarded-For` that is not
itself a trusted proxy (a client cannot forge its way past the proxy that appended its real address).
`REMOTE_ADDR` is rewritten in place, so the per-client limits (sandbox.sessions, sandbox.fairuse) and
the access log see the real client; the peer stays in `environ["atlas.peer"]`. The limits count per
`client_key()` (an IPv6 client is its /64, so rotating addresses gets no more sandboxes).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> list[Network]:
    """`["127.0.0.1/32", "::1"]` -> networks (validated in sandbox.configrules)."""
    return [ipaddress.ip_network(item, strict=False) for item in items]


def _ip(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_key(addr: str | None) -> str:
    """The key per-client limits count under: the address itself for IPv4 (also written as IPv6,
    `::ffff:198.51.100.7`), the /64 network for IPv6 (one subscriber's line, however many addresses
    it rotates through), "?" when there is none."""
    ip = _ip(addr or "")
    if ip is None:
        return addr or "?"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def is_trusted(addr: str | None, networks: list[Network]) -> bool:
    """True when `addr` lies in one of `networks`."""
    ip = _ip(addr or "")
    return ip is not None and any(ip.version == n.version and ip in n for n in networks)


def client_address(peer: str, forwarded_for: str | None, networks: list[Network]) -> str:
    """The client behind `peer`: `peer` itself unless it is trusted and names a client in X-Forwarded-For."""
    if not forwarded_for or not is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:  # garbage in the header: stop believing it at this point
            return peer
        if not is_trusted(str(ip), networks):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR and wsgi.url_scheme from a trusted proxy's forwarding headers."""

    def __init__(self, app: Callable, networks: Iterable[str]) -> None:
        self.app = app
        self.networks = parse_networks(networks)

    def __call__(self, environ: dict, start_response: Callable):
        peer = environ.get("REMOTE_ADDR", "")
        environ["atlas.peer"] = peer
        if self.networks and is_trusted(peer, self.networks):
            environ["REMOTE_ADDR"] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks)
            proto = (environ.get("HTTP_X_FORWARDED_PROTO") or "").split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)
