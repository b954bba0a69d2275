"""A relay between the engine and a registry a learner runs (`docker pull/push localhost:<port>/...`).

The engine pulls and pushes from the host, where every session's published ports listen on 127.0.0.1,
and follows a registry's redirects: a learner's "registry" answering `307 Location: http://127.0.0.1:
<another session's port>/v2/...` would have the engine fetch another session's images (and GET any
other address the host reaches). So the engine talks to a relay the gateway opens for the one pull or
push: each request goes to the session's own registry port with `Connection: close`, and an answer
that redirects anywhere but that same registry (a relative Location, or the relay's own address) is
replaced by a 502 (rule images.redirect).
"""

from __future__ import annotations

import contextlib
import json
import re
import select
import socket
import threading
from urllib.parse import urlsplit

from .errors import Denied
from .pipes import pipe_both
from .policy import images as image_rules

HEAD_MAX = 64 * 1024
MANIFEST_MAX = 4 * 1024 * 1024
MANIFEST_GET = re.compile(rb"^GET /v2/\S+/manifests/[^/\s]+ ")
HTTP_METHOD = re.compile(rb"^[A-Z]{1,10}( |$)")
IDLE = 120.0  # seconds without a new connection before the relay closes itself


class RegistryRelay:
    """A loopback listener relaying HTTP requests to 127.0.0.1:`target` (one request a connection)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(IDLE)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        self.refused = ""  # the refusal of a redirect, shown instead of the engine's "502" (once any)
        threading.Thread(target=self._accept, name=f"atlas-gw-registry-{self.port}", daemon=True).start()

    def close(self) -> None:
        """Stop accepting (connections being relayed finish on their own)."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                self.close()
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        up = None
        try:
            head, rest = _read_head(client)
            up = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            up.settimeout(None)
            up.sendall(_close_after(head) + rest)
            answer = self._answer_head(client, up, bool(MANIFEST_GET.match(head)))
            if answer is None:
                return
            pipe_both(client, up, b"", answer)
            up = client = None  # type: ignore[assignment] - pipe_both closed both
        except (OSError, ValueError):
            return
        finally:
            for s in (client, up):
                if s is not None:
                    with contextlib.suppress(OSError):
                        s.close()

    def _answer_head(self, client: socket.socket, up: socket.socket, manifest: bool) -> bytes | None:
        """The registry's answer so far (its head complete; a manifest's whole body), the request body
        relayed meanwhile; None when the answer was refused (a 502 sent instead)."""
        got = b""
        while b"\r\n\r\n" not in got:
            if len(got) > HEAD_MAX:
                raise ValueError("answer head too large")
            ready, _, _ = select.select([client, up], [], [], 600)
            if not ready:
                raise ValueError("no answer")
            if client in ready:
                data = client.recv(65536)
                if data:
                    up.sendall(data)
            if up in ready:
                data = up.recv(65536)
                if not data:
                    raise ValueError("the registry closed")
                got += data
        head = got.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        status = head.split("\r\n", 1)[0].split(" ")
        fields = {
            k.strip().lower(): v.strip()
            for k, v in (line.split(":", 1) for line in head.split("\r\n")[1:] if ":" in line)
        }
        try:
            if len(status) > 1 and status[1].startswith("3"):
                image_rules.check_registry_redirect(urlsplit(fields.get("location", "")).netloc, self.port)
            if manifest and len(status) > 1 and status[1] == "200":  # whatever its Content-Type says
                got = _whole(up, got, fields.get("content-length", ""))
                image_rules.check_manifest_urls(_urls(json.loads(got.split(b"\r\n\r\n", 1)[1])))
        except (Denied, ValueError) as exc:
            message = (
                exc.message if isinstance(exc, Denied) else f"the registry's answer is malformed ({exc})"
            )
            self.refused = message
            body = message.encode()
            client.sendall(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            return None
        return got


def _whole(up: socket.socket, got: bytes, length: str) -> bytes:
    """The answer with its whole body (a manifest: Content-Length, at most MANIFEST_MAX bytes)."""
    if not length.isdigit() or int(length) > MANIFEST_MAX:
        raise ValueError("a manifest without a length, or larger than 4 MiB")
    end = got.index(b"\r\n\r\n") + 4 + int(length)
    while len(got) < end:
        data = up.recv(65536)
        if not data:
            raise ValueError("the manifest was cut short")
        got += data
    return got


def _urls(doc: object) -> list[str]:
    """Every URL a manifest's descriptors name (the key `urls` in any letter case, as Go decodes it)."""
    if isinstance(doc, list):
        return [u for item in doc for u in _urls(item)]
    if not isinstance(doc, dict):
        return []
    found = [str(u) for k, v in doc.items() if k.lower() == "urls" and isinstance(v, list) for u in v]
    return found + [u for k, v in doc.items() if k.lower() != "urls" for u in _urls(v)]


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """(request head without its blank line, the bytes read after it)."""
    got = b""
    while b"\r\n\r\n" not in got:
        data = sock.recv(65536)
        if not data or len(got) > HEAD_MAX:
            raise ValueError("no request head")
        got += data
        if not HTTP_METHOD.match(got[:16]):  # the engine tries TLS first: refused at once, plain HTTP
            raise ValueError("not an HTTP request")  # follows (TLS would hide the registry's answers)
    head, rest = got.split(b"\r\n\r\n", 1)
    return head, rest


def _close_after(head: bytes) -> bytes:
    """The request head with `Connection: close` (one request per relayed connection)."""
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"
