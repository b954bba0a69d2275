"""HTTP hardening of the service's own answers: a small body limit on the API, and safe headers.

- A request body to the API (`/api/...`) may have at most `API_BODY_MAX` bytes (its JSON names a
  profile or a check); a bigger one is refused with 413 naming `body` before it is read, so nobody
  makes the server hold megabytes per request. (Previews, `/preview/...`, carry a learner's own
  uploads and keep no such limit.)
- Every answer says `X-Content-Type-Options: nosniff` (a file is never run as something else).
- API answers (`/api/...`, `/healthz`, `/metrics`) are never stored by a cache (`Cache-Control:
  no-store`: a new session's answer holds its token) and may not be framed or run anything
  (`Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`). Site pages keep no
  frame-ancestors rule: the site's embeds are meant to be framed by other origins.
"""

from __future__ import annotations

import io

from flask import Flask, Response, request

from sandbox.errors import ServiceError

API_BODY_MAX = 64 * 1024
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _too_big(size: str) -> None:
    raise ServiceError(
        f"The request body is {size} bytes; the API takes at most {API_BODY_MAX}.", field="body", status=413
    )


def _api(path: str) -> bool:
    return path.startswith("/api/") or path in {"/healthz", "/metrics"}


def install(app: Flask) -> None:
    """Apply the body limit and the headers above to every request of `app`."""

    @app.before_request
    def _limit_api_bodies():
        if not request.path.startswith("/api/"):
            return None
        length = request.content_length
        if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            raw = request.environ["wsgi.input"].read(API_BODY_MAX + 1)  # read no further than that
            if len(raw) > API_BODY_MAX:
                _too_big(f"more than {API_BODY_MAX}")
            request.environ["wsgi.input"] = io.BytesIO(raw)  # the view reads it as if it had a length
            request.environ["CONTENT_LENGTH"] = str(len(raw))
        elif length is not None and length > API_BODY_MAX:
            _too_big(str(length))
        request.max_content_length = API_BODY_MAX
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if _api(request.path):
            resp.headers["Cache-Control"] = "no-store"
            resp.headers.setdefault("Content-Security-Policy", API_CSP)
        return resp
