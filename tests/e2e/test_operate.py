"""Operating it for real, in Chromium: through nginx with TLS (deploy/nginx/atlas.conf), and the site on
one origin with the sandbox API on another (`./atlas build --api-url`, `allowed_origins`).

Real parts only: Debian's nginx with a self-signed certificate made here by openssl, `atlas serve`
(gunicorn) with the real engine, the site built from the real kb/ and docs/.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from realparts import free_port, need
from server_process import ServerProcess
from test_tutorials import press_check, press_run

pytestmark = [pytest.mark.playwright, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[2]
SLUG = "containers"  # the first step of this tutorial is run


def _first_step() -> str:
    from tutorial_pages import load_tutorials

    return load_tutorials("en")[SLUG].step_ids[0]


def _run_first_step(page, base: str) -> None:
    """Open the tutorial under `base`, press ▶ of its first step, expect the shell, press Check, expect ✓."""
    step = _first_step()
    page.goto(f"{base}/tutorials/{SLUG}/")
    for block in page.locator(f'[data-atlas-run][data-step="{SLUG}/{step}"]').all():
        press_run(page, block)
    press_check(page, f"{SLUG}/{step}")
    assert "is-ok" in page.locator(f'[data-atlas-check="{SLUG}/{step}"]').get_attribute("class")


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nginx did not listen on {port}")


def nginx_conf(tmp: Path, site: Path, upstream: int, https_port: int, http_port: int) -> Path:
    """deploy/nginx/atlas.conf with test ports, paths and certificate, inside a minimal nginx.conf."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    text = (ROOT / "deploy" / "nginx" / "atlas.conf").read_text()
    subs = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "/etc/ssl/container-atlas/fullchain.pem": str(cert),
        "/etc/ssl/container-atlas/privkey.pem": str(key),
        "root /srv/container-atlas/site;": f"root {site};",
    }
    for old, new in subs.items():
        assert old in text, f"deploy/nginx/atlas.conf no longer has {old!r} (update this test)"
        text = text.replace(old, new)
    (tmp / "atlas.conf").write_text(text)
    temp = " ".join(f"{k}_temp_path {tmp}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp / "nginx.conf"
    main.write_text(
        f"user root; daemon off; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log info;\n"
        "events { worker_connections 512; }\n"
        f"http {{ include /etc/nginx/mime.types; default_type application/octet-stream;\n"
        f"  access_log {tmp}/access.log; {temp}\n  include {tmp}/atlas.conf; }}\n"
    )
    return main


@pytest.fixture(scope="module")
def proxied(built_site, tmp_path_factory):
    """`atlas serve` trusting 127.0.0.1, behind nginx with TLS; yields the https base URL and server."""
    need("nginx (Debian package nginx)", bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()))
    need("openssl", bool(shutil.which("openssl")))
    tmp = tmp_path_factory.mktemp("nginx")
    env = {
        "ATLAS_STATE_DIR": str(tmp / "state"),
        "ATLAS_SANDBOX_TRUSTED_PROXIES": "[127.0.0.1/32]",
        "ATLAS_SANDBOX_MAX_SESSIONS_PER_CLIENT": "3",
        "ATLAS_SANDBOX_ACCESS_LOG": "true",
    }
    cmd = [sys.executable, "-m", "atlas.cli", "serve", "--site", str(built_site), "--port", "{port}"]
    app = ServerProcess(cmd, tmp / "server.log", env)
    https_port, http_port = free_port(), free_port()
    conf = nginx_conf(tmp, built_site, app.port, https_port, http_port)
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    log = tmp / "nginx.out"
    proc = None
    try:
        need("the sandbox service (atlas serve)", app.start("/healthz"), app.output()[-1500:])
        with open(log, "w") as out:
            proc = subprocess.Popen([nginx_bin, "-p", str(tmp), "-c", str(conf)], stdout=out, stderr=out)
        _wait_port(https_port, proc, log)
        yield {"url": f"https://127.0.0.1:{https_port}", "http_port": http_port, "https_port": https_port,
               "app": app, "tmp": tmp}  # fmt: skip
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        app.stop()
        print(f"--- atlas serve output:\n{app.output()}\n--- nginx error.log:")
        print((tmp / "error.log").read_text(errors="replace")[-3000:] if (tmp / "error.log").exists() else "")


def _https(port: int, method: str, path: str, source: str = "127.0.0.1", body=None, headers=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=ctx, source_address=(source, 0))
    try:
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def test_tutorial_step_through_nginx_over_https(proxied, browser):
    """The page, its API calls and the terminal WebSocket (wss://) all go through nginx with TLS."""
    ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    errors: list[str] = []
    ws_urls: list[str] = []
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("websocket", lambda ws: ws_urls.append(ws.url))
    try:
        _run_first_step(page, proxied["url"])
    finally:
        ctx.close()
    assert not errors, errors
    assert any(u.startswith(f"wss://127.0.0.1:{proxied['https_port']}/api/sessions/") for u in ws_urls), (
        ws_urls
    )
    # the Check went through the proxy to the service
    assert re.search(r'"POST /api/sessions/\w+/verify HTTP/1\.1" 200', proxied["app"].output())


def test_proxy_serves_tls_redirects_http_caches_and_compresses(proxied):
    port = proxied["https_port"]
    status, _, headers = _https(
        port, "GET", "/assets/vendor/xterm-6.0.0.js", headers={"Accept-Encoding": "gzip"}
    )
    assert (
        status == 200
        and "immutable" in headers["Cache-Control"]
        and headers.get("Content-Encoding") == "gzip"
    )
    status, body, headers = _https(port, "GET", "/tutorials/containers/")
    assert status == 200 and b"atlas-config" in body and headers["Cache-Control"] == "no-cache"
    status, _, headers = _https(port, "GET", "/no/such/page/")
    assert status == 404
    # previews reach the service (its own answer: no token), not nginx's file tree
    status, body, _ = _https(port, "GET", "/preview/nosuch/8080/")
    assert status == 401 and json.loads(body)["field"] == "token", body
    # /metrics is for local monitoring: from loopback it is the service's
    status, body, _ = _https(port, "GET", "/metrics")
    assert status == 200 and b"atlas_sandbox_sessions_active" in body
    conn = http.client.HTTPConnection("127.0.0.1", proxied["http_port"], timeout=10)
    conn.request("GET", "/tutorials/")
    resp = conn.getresponse()
    assert resp.status == 301 and resp.getheader("Location").startswith("https://")
    conn.close()


def test_per_client_limit_through_the_proxy_is_keyed_on_the_real_client(proxied):
    """Behind nginx every learner arrives from 127.0.0.1; the limit still counts each one separately."""
    port = proxied["https_port"]
    made = []
    for _ in range(3):
        status, body, _ = _https(port, "POST", "/api/sessions", source="127.0.0.2", body={"profile": "shell"})
        assert status == 201, body
        made.append(json.loads(body))
    # a forged X-Forwarded-For does not help: nginx passes the address it saw
    forged = {"X-Forwarded-For": "203.0.113.99"}
    shell = {"profile": "shell"}
    status, body, headers = _https(
        port, "POST", "/api/sessions", source="127.0.0.2", body=shell, headers=forged
    )
    assert status == 429 and int(headers["Retry-After"]) > 0, body
    assert "Too many" in json.loads(body)["error"]
    status, body, _ = _https(port, "POST", "/api/sessions", source="127.0.0.3", body={"profile": "shell"})
    assert status == 201, body  # another learner behind the same proxy still gets a sandbox
    made.append(json.loads(body))
    for s in made:
        _https(port, "DELETE", f"/api/sessions/{s['id']}", headers={"Authorization": f"Bearer {s['token']}"})
    log = proxied["app"].output()
    assert "127.0.0.2 - - " in log and "127.0.0.3 - - " in log  # the access log names the real clients


# -- the site on one origin, the API on another ---------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def test_tutorial_step_with_the_site_and_the_api_on_different_origins(browser, tmp_path):
    """A site built with --api-url, on a plain static server, runs a step against the API elsewhere."""
    from atlas.sitegen.publish import build_site

    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    site_origin = f"http://127.0.0.1:{static.server_address[1]}"
    cmd = [sys.executable, "-m", "atlas.cli", "serve", "--site", str(tmp_path / "none"), "--port", "{port}"]
    env = {"ATLAS_STATE_DIR": str(tmp_path / "state"), "ATLAS_SANDBOX_ALLOWED_ORIGINS": f"[{site_origin}]"}
    api = ServerProcess(cmd, tmp_path / "server.log", env)
    site = tmp_path / "site"
    build_site(ROOT / "kb", site, api_url=f"http://127.0.0.1:{api.port}")
    static.RequestHandlerClass = functools.partial(_Quiet, directory=str(site))
    thread = threading.Thread(target=static.serve_forever, daemon=True)
    thread.start()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    try:
        need("the sandbox service (atlas serve)", api.start("/healthz"), api.output()[-1500:])
        errors: list[str] = []
        requests_seen: list[str] = []
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: requests_seen.append(r.url))
        _run_first_step(page, site_origin)
        assert not errors, errors
        api_calls = [u for u in requests_seen if u.startswith(f"http://127.0.0.1:{api.port}/api/")]
        assert api_calls, "the page did not call the API on its other origin"
        assert not [u for u in requests_seen if u.startswith(site_origin + "/api/")]
    finally:
        ctx.close()
        static.shutdown()
        static.server_close()
        api.stop()
        print(f"--- atlas serve output:\n{api.output()}")
