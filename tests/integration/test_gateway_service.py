"""The sandbox service's `docker` profile end to end: POST /api/sessions, the docker CLI in the session's
container reaches its gateway, `localhost:<port>` and the preview link work, DELETE leaves nothing."""

from __future__ import annotations

import time

import pytest
from gateway_harness import SANDBOX_IMAGE, leftovers, require_images
from realparts import run

pytestmark = [pytest.mark.docker]


@pytest.fixture
def service(docker_client, tmp_path):
    """The real Flask app with the docker profile (no warm pool), shut down afterwards."""
    require_images(docker_client, SANDBOX_IMAGE, "busybox")
    from sandbox.app import create_app

    app = create_app({"pool_size": 0, "state_dir": str(tmp_path)})
    yield app
    app.extensions["atlas_sessions"].shutdown()


def _sandbox_container(client, sid: str) -> str:
    flt = {"label": [f"org.container-atlas.session={sid}"]}
    found = [
        c["Id"] for c in client.api.containers(filters=flt) if "org.container-atlas.origin" not in c["Labels"]
    ]
    assert len(found) == 1, found
    return found[0]


def test_docker_profile_session(docker_client, service):
    client = service.test_client()
    resp = client.post("/api/sessions", json={"profile": "docker"})
    assert resp.status_code == 201, resp.get_json()
    sid, token = resp.get_json()["id"], resp.get_json()["token"]
    cid = _sandbox_container(docker_client, sid)
    script = (
        "docker run -d -p 80:80 --name site busybox sh -c "
        "'mkdir /www && echo served-by-busybox > /www/index.html && httpd -f -p 80 -h /www' >/dev/null && "
        "curl -s --retry 5 --retry-connrefused --retry-delay 1 localhost/ && docker ps --format '{{.Ports}}'"
    )
    proc = run(["docker", "-H", "unix:///var/run/docker.sock", "exec", cid, "sh", "-c", script], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "served-by-busybox" in proc.stdout and "0.0.0.0:80->80/tcp" in proc.stdout
    preview = client.get(f"/preview/{sid}/80/?token={token}")
    assert preview.status_code == 200 and preview.get_data(as_text=True) == "served-by-busybox\n"
    assert client.get(f"/preview/{sid}/80/?token=wrong").status_code == 403
    assert (
        client.delete(f"/api/sessions/{sid}", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    )
    for _ in range(50):
        if not leftovers(docker_client, sid):
            break
        time.sleep(0.1)
    assert leftovers(docker_client, sid) == []
