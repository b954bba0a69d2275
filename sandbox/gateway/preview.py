"""The preview proxy: `/preview/<session>/<port>/...` opens a port the learner published, in the browser.

Register it next to the gateway (the token is checked with `app.extensions["atlas_sessions"].get`
unless another `check_token(session_id, token) -> bool` is given):

    app.extensions["atlas_gateway"] = GatewayManager(...)
    app.register_blueprint(create_preview_blueprint())

The token comes from `?token=` (then kept in a cookie scoped to the preview path, so the page's own
links and assets work), the cookie, or `Authorization: Bearer`.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, redirect, request

from sandbox.errors import BadGateway, Forbidden, NotFoundError, ServiceError, Unauthorized, to_response

HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "cookie",
    "authorization",
    "content-length",
}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
#: Response headers a learner's server may not send through the site's origin: they would let a
#: preview page take over or wipe the whole site in the viewer's browser.
ORIGIN_WIDE = {"service-worker-allowed", "clear-site-data"}


def cookie_name(session_id: str) -> str:
    """The cookie holding the session token for previews of `session_id`."""
    return f"atlas_preview_{session_id}"


def session_token_ok(session_id: str, token: str) -> bool:
    """Default check: the sandbox service's session store (`app.extensions["atlas_sessions"].get`)."""
    sessions = current_app.extensions.get("atlas_sessions")
    if sessions is None:
        return False
    try:
        sessions.get(session_id, token)
    except Exception:  # noqa: BLE001 - unknown session, wrong token: all mean "no"
        return False
    return True


def create_preview_blueprint(
    check_token: Callable[[str, str], bool] | None = None, timeout: float = 30.0
) -> Blueprint:
    """A blueprint proxying `/preview/<session>/<port>/<path>` to the session's published port."""
    bp = Blueprint("atlas_preview", __name__)
    bp.register_error_handler(ServiceError, to_response)  # also when mounted without sandbox.app
    check_token = check_token or session_token_ok

    @bp.route("/preview/<session_id>/<int:port>", methods=METHODS)
    def bare(session_id: str, port: int) -> Response:
        query = ("?" + request.query_string.decode()) if request.query_string else ""
        return redirect(f"/preview/{session_id}/{port}/{query}", code=308)

    @bp.route("/preview/<session_id>/<int:port>/", defaults={"path": ""}, methods=METHODS)
    @bp.route("/preview/<session_id>/<int:port>/<path:path>", methods=METHODS)
    def preview(session_id: str, port: int, path: str) -> Response:
        auth = request.headers.get("Authorization", "")
        from_query = request.args.get("token", "")
        token = from_query or request.cookies.get(cookie_name(session_id), "") or auth.removeprefix("Bearer ")
        if not token:
            raise Unauthorized("a session token is needed (?token=...)", field="token")
        if not check_token(session_id, token):
            raise Forbidden("wrong session token for this preview", field="token")
        if request.headers.get("Service-Worker", "").lower() == "script":
            raise Forbidden(
                "previews cannot register service workers on the site's origin", field="Service-Worker"
            )
        gateway = current_app.extensions.get("atlas_gateway")
        host_port = gateway.host_port(session_id, port) if gateway else None
        if host_port is None:
            raise NotFoundError(
                f"nothing is published on port {port} in this sandbox (docker run -p {port}:...)"
            )
        query = "&".join(
            p for p in request.query_string.decode().split("&") if p and not p.startswith("token=")
        )
        target = "/" + path + (f"?{query}" if query else "")
        conn = http.client.HTTPConnection("127.0.0.1", host_port, timeout=timeout)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        headers["Host"] = f"localhost:{port}"
        try:
            conn.request(request.method, target, body=request.get_data() or None, headers=headers)
            upstream = conn.getresponse()
        except OSError as exc:
            conn.close()
            raise BadGateway(f"port {port} in the sandbox did not answer: {exc}") from exc
        prefix = f"/preview/{session_id}/{port}"
        out_headers = []
        for k, v in upstream.getheaders():
            if k.lower() in HOP or k.lower() in ORIGIN_WIDE:
                continue
            if k.lower() == "set-cookie" and "path=/" in v.lower():
                continue
            if k.lower() == "location" and v.startswith("/") and not v.startswith(prefix + "/"):
                v = prefix + v  # (a server told its external URL, e.g. $ATLAS_PREVIEW, already has it)
            elif k.lower() == "location":
                v = v.replace(f"http://localhost:{port}", prefix).replace(f"http://127.0.0.1:{port}", prefix)
            out_headers.append((k, v))
        resp = Response(_stream(upstream, conn), status=upstream.status, headers=out_headers)
        if from_query:
            resp.set_cookie(cookie_name(session_id), token, path=prefix + "/", httponly=True, samesite="Lax")
        return resp

    return bp


def _stream(upstream: http.client.HTTPResponse, conn: http.client.HTTPConnection) -> Iterator[bytes]:
    try:
        while True:
            data = upstream.read1(65536)
            if not data:
                return
            yield data
    finally:
        conn.close()
