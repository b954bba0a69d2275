"""CORS for a site published on another origin (`./atlas build --api-url`): allowed origins only.

A browser page on an origin listed in `allowed_origins` may call the API (`/api/...`, `/healthz`): its
preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 204 with the methods and headers the
site uses, and every answer carries `Access-Control-Allow-Origin: <that origin>` (never `*`; no
cookies are involved, the session token travels in `Authorization`). A page on any other foreign
origin gets no CORS headers, its preflight gets 403, and a state-changing request it sends anyway
(POST/DELETE, e.g. a cross-site form) is refused with 403 naming `Origin` before it runs. The same
origin rule (sandbox.terminal.origin_allowed) guards the terminal WebSocket, so both accept exactly the
site's own origin and `allowed_origins`.
"""

from __future__ import annotations

from flask import Flask, Response, request

from sandbox.errors import Forbidden
from sandbox.terminal import origin_allowed

METHODS = "GET, POST, DELETE"
HEADERS = "Authorization, Content-Type"
MAX_AGE = "600"


def _api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/healthz"


def install(app: Flask) -> None:
    """Answer CORS for `allowed_origins` (config) on the API paths of `app`; refuse foreign writes."""
    allowed = {o.rstrip("/") for o in app.extensions["atlas_config"].allowed_origins}

    @app.before_request
    def _preflight_and_foreign_writes():
        origin = request.headers.get("Origin")
        if not origin or not _api_path(request.path):
            return None
        listed = origin.rstrip("/") in allowed
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            if not listed:
                raise Forbidden("This page's origin may not use the sandbox API.", field="Origin")
            resp = Response(status=204)
            resp.headers["Access-Control-Allow-Methods"] = METHODS
            resp.headers["Access-Control-Allow-Headers"] = HEADERS
            resp.headers["Access-Control-Max-Age"] = MAX_AGE
            return resp
        if request.method in {"POST", "DELETE", "PUT", "PATCH"} and not origin_allowed(
            origin, request.host, list(allowed)
        ):
            raise Forbidden("This page's origin may not use the sandbox API.", field="Origin")
        return None

    @app.after_request
    def _allow_origin(resp: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and _api_path(request.path) and origin.rstrip("/") in allowed:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Expose-Headers"] = "Retry-After"
            resp.headers.add("Vary", "Origin")
        return resp
