"""The preview proxy opens a port the learner published, with the session token, through Flask."""

from __future__ import annotations

import secrets
import time

import pytest
from flask import Flask
from gateway_harness import gateway  # noqa: F401 - fixture
from realparts import run

from sandbox.gateway.preview import create_preview_blueprint

pytestmark = [pytest.mark.docker]
SERVE = "mkdir /www && echo hello-preview > /www/index.html && httpd -f -p 80 -h /www"


@pytest.fixture
def published(gateway):  # noqa: F811
    """A session with busybox httpd published on its port 8090; yields the session id."""
    sid = "p" + secrets.token_hex(5)
    gateway.open(sid)
    sock = f"unix://{gateway.state_dir / sid / 'docker.sock'}"
    try:
        proc = run(
            ["docker", "-H", sock, "run", "-d", "-p", "8090:80", "busybox", "sh", "-c", SERVE], timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        yield sid
    finally:
        gateway.close(sid)


def test_preview_with_token_cookie_and_errors(gateway, published):  # noqa: F811
    app = Flask(__name__)
    app.extensions["atlas_gateway"] = gateway
    app.register_blueprint(create_preview_blueprint(lambda sid, token: sid == published and token == "good"))
    client = app.test_client()
    for _ in range(50):  # httpd needs a moment to listen
        resp = client.get(f"/preview/{published}/8090/?token=good")
        if resp.status_code == 200:
            break
        time.sleep(0.1)
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "hello-preview\n"
    assert f"atlas_preview_{published}=good" in resp.headers["Set-Cookie"]
    assert client.get(f"/preview/{published}/8090/index.html").status_code == 200  # the cookie is enough
    assert client.get(f"/preview/{published}/8090").status_code == 308
    fresh = app.test_client()
    assert fresh.get(f"/preview/{published}/8090/").status_code == 401
    assert fresh.get(f"/preview/{published}/8090/?token=bad").status_code == 403
    missing = fresh.get(f"/preview/{published}/9999/?token=good")
    assert missing.status_code == 404 and "nothing is published on port 9999" in missing.get_json()["error"]
