"""The Flask app without an engine (start=False): site files, the site's 404 page, JSON API errors."""

from __future__ import annotations

import pytest

from sandbox.app import create_app


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path, monkeypatch):
    """Each app gets its own state folder: never the machine's, and never an instance lock that an
    earlier test's app (same process, never stopped) still holds (InstanceIdentity would wait 15 s)."""
    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def client(tmp_path):
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "guide" / "index.html").write_text("<h1>guide</h1>")
    (site / "404.html").write_text("<h1>our 404</h1>")
    app = create_app({"docs_dir": str(tmp_path / "docs")}, site_dir=site, start=False)
    return app.test_client()


def _get(client, path: str) -> tuple[int, bytes]:
    r = client.get(path)
    try:
        return r.status_code, r.get_data()
    finally:
        r.close()


def test_site_pages_and_404(client):
    assert b"home" in _get(client, "/")[1]
    assert b"guide" in _get(client, "/guide/")[1]
    assert _get(client, "/guide")[0] == 301
    status, body = _get(client, "/nope/")
    assert status == 404 and b"our 404" in body
    assert _get(client, "/../etc/passwd")[0] == 404


def test_api_errors_are_json(client):
    r = client.get("/api/sessions/unknown", headers={"Authorization": "Bearer x"})
    assert r.status_code == 404 and r.get_json() == {
        "error": "No such session (it may have expired).",
        "field": "id",
    }
    r = client.post("/api/sessions", data="not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["field"] == "body"
    r = client.post("/api/sessions", json={"profile": "nope"})
    assert r.status_code == 400 and r.get_json()["field"] == "profile"
    r = client.get("/api/whatever")
    assert r.status_code == 404 and r.is_json
    r = client.put("/api/sessions")
    assert r.status_code == 405 and r.is_json


def test_metrics_text(client):
    text = client.get("/metrics").get_data(as_text=True)
    assert "# TYPE atlas_sandbox_sessions_active gauge" in text
    assert 'atlas_sandbox_pool_target{profile="shell"} 2' in text


def test_busy_port_is_a_clear_error(tmp_path):
    import socket

    from atlas.errors import AtlasError

    from sandbox.serve import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AtlasError, match=f"port {port} on 127.0.0.1 is already in use.*--port"):
            serve("127.0.0.1", port, tmp_path, None)


def test_text_files_are_sent_gzipped_when_accepted(tmp_path):
    import gzip

    site = tmp_path / "site"
    site.mkdir()
    page = "<html>" + "<p>container atlas</p>" * 500 + "</html>"
    (site / "index.html").write_text(page)
    (site / "logo.png").write_bytes(b"\x89PNG" + b"\0" * 4000)
    app = create_app({"docs_dir": str(tmp_path / "docs")}, site_dir=site, start=False)
    client = app.test_client()
    r = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert int(r.headers["Content-Length"]) < len(page) // 5
    assert gzip.decompress(r.get_data()).decode() == page
    r.close()
    r = client.get("/")  # a client that does not accept gzip gets the plain bytes
    assert "Content-Encoding" not in r.headers and r.get_data(as_text=True) == page
    r.close()
    r = client.get("/logo.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    r.close()


def test_versioned_assets_are_cached_for_long(tmp_path):
    site = tmp_path / "site"
    (site / "assets" / "vendor").mkdir(parents=True)
    (site / "assets" / "vendor" / "xterm-6.0.0.js").write_text("var x = 1;")
    (site / "index.html").write_text("<h1>home</h1>")
    client = create_app({"docs_dir": str(tmp_path / "docs")}, site_dir=site, start=False).test_client()
    r = client.get("/assets/vendor/xterm-6.0.0.js")
    assert "max-age=31536000" in r.headers["Cache-Control"]
    r.close()
    r = client.get("/")
    assert "max-age=31536000" not in r.headers.get("Cache-Control", "")
    r.close()


def test_python_snapshot_is_sent_as_stored_bytes(tmp_path):
    """The worker gunzips the snapshot itself: the server must not label it Content-Encoding: gzip
    (the browser would then unpack it first and the worker's second gunzip would fail)."""
    import gzip

    site = tmp_path / "site"
    (site / "assets" / "wheels").mkdir(parents=True)
    packed = gzip.compress(b"heap" * 5000)
    (site / "assets" / "wheels" / "python-0123456789.snapshot.gz").write_bytes(packed)
    client = create_app({"docs_dir": str(tmp_path / "docs")}, site_dir=site, start=False).test_client()
    r = client.get("/assets/wheels/python-0123456789.snapshot.gz", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers
    assert r.get_data() == packed
    assert "max-age=31536000" in r.headers["Cache-Control"]
    r.close()
