"""The preview proxy keeps a learner's server from taking over the site's origin.

A real HTTP server on loopback plays the learner's published container; the app registers the
preview blueprint with a token check and a gateway lookup that maps the published port to it.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from flask import Flask

from sandbox.gateway.preview import create_preview_blueprint


class _Hostile(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        body = b"navigator.serviceWorker.register('/preview/s/80/sw.js', {scope: '/'})"
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Service-Worker-Allowed", "/")
        self.send_header("Clear-Site-Data", '"*"')
        self.send_header("X-Learner", "kept")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _Ports:
    def __init__(self, port: int) -> None:
        self.port = port

    def host_port(self, session_id: str, port: int) -> int | None:
        return self.port if (session_id, port) == ("s", 80) else None


@pytest.fixture
def client():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app = Flask(__name__)
    app.extensions["atlas_gateway"] = _Ports(server.server_address[1])
    app.register_blueprint(create_preview_blueprint(check_token=lambda sid, tok: tok == "good"))
    try:
        yield app.test_client()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_origin_wide_headers_are_dropped(client):
    r = client.get("/preview/s/80/app.js?token=good")
    assert r.status_code == 200 and b"serviceWorker" in r.get_data()
    assert r.headers.get("X-Learner") == "kept"
    assert "Service-Worker-Allowed" not in r.headers
    assert "Clear-Site-Data" not in r.headers
    r.close()


def test_service_worker_scripts_are_refused(client):
    r = client.get("/preview/s/80/sw.js?token=good", headers={"Service-Worker": "script"})
    assert r.status_code == 403
    assert r.get_json() == {
        "error": "previews cannot register service workers on the site's origin",
        "field": "Service-Worker",
    }


def test_wrong_token_still_names_the_token(client):
    r = client.get("/preview/s/80/?token=bad")
    assert r.status_code == 403 and r.get_json()["field"] == "token"
