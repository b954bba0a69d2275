"""The built site (`site/`) served by the same process, so the terminal WebSocket is same-origin.

`/a/b/` serves `a/b/index.html`; unknown paths get the site's own `404.html` with status 404 (JSON for
paths under `/api/`).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from sandbox.sessions import ApiError

bp = Blueprint("site", __name__)


def _site_dir() -> Path:
    return Path(current_app.config["ATLAS_SITE_DIR"])


def not_found_page() -> Response:
    """The site's 404 page (or a plain one when the site has none)."""
    page = _site_dir() / "404.html"
    if page.is_file():
        return Response(page.read_bytes(), status=404, mimetype="text/html")
    return Response(
        "<!doctype html><title>Not found</title><h1>Page not found</h1>", 404, mimetype="text/html"
    )


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def static_file(path: str):
    """A file of the built site."""
    if path == "api" or path.startswith("api/"):
        raise ApiError(404, f"No API endpoint /{path}.", field="path")
    root = _site_dir()
    target = safe_join(str(root), path) if path else str(root)
    if target is None:
        return not_found_page()
    p = Path(target)
    if p.is_dir():
        if path and not path.endswith("/"):
            return current_app.redirect("/" + path + "/", 301)
        p = p / "index.html"
    if not p.is_file():
        return not_found_page()
    try:
        resp = send_from_directory(root, str(p.relative_to(root)), max_age=0)
    except NotFound:
        return not_found_page()
    return resp
