"""The built site (`site/`) served by the same process, so the terminal WebSocket is same-origin.

`/a/b/` serves `a/b/index.html`; unknown paths get the site's own `404.html` with status 404 (JSON for
paths under `/api/`). Text files (HTML, CSS, JS, JSON, WebAssembly) are sent gzip-compressed when the
browser accepts it, from a bounded in-memory cache.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from sandbox.errors import NotFoundError

bp = Blueprint("site", __name__)

#: Suffixes worth compressing; everything else (images, already-compressed archives) is sent as is.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".wasm", ".py"}
VERSIONED_PREFIXES = ("assets/vendor/", "assets/wheels/")
_MIN_SIZE = 1024
_PIECE = 16 * 1024  # a write of a slow reader's answer waits on its own (sandbox.slowclients)
_MAX_FILE = 32 * 1024 * 1024
_CACHE_BYTES = 256 * 1024 * 1024


class GzipCache:
    """Gzipped bodies of site files, keyed by path, size and mtime; bounded in total bytes."""

    def __init__(self, limit: int = _CACHE_BYTES) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: Path) -> bytes:
        """The gzip-compressed content of `path` (computed once per version of the file)."""
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                return body
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        with self._lock:
            if key not in self._items:
                self._items[key] = body
                self._size += len(body)
                while self._size > self.limit and self._items:
                    _, old = self._items.popitem(last=False)
                    self._size -= len(old)
        return body


# Shared by every request on purpose: one bounded cache of gzipped site files per process (the files are
# the same for everyone; GzipCache locks its own dict and evicts beyond _CACHE_BYTES).
_gzip_cache = GzipCache()


def _wants_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def _compressed(resp: Response, p: Path) -> Response:
    """Swap the body of a 200 response for its gzip form when the client accepts it."""
    if resp.status_code != 200 or p.suffix.lower() not in COMPRESSIBLE or not _wants_gzip():
        return resp
    size = p.stat().st_size
    if size < _MIN_SIZE or size > _MAX_FILE:
        return resp
    body = _gzip_cache.get(p)
    original = resp.response
    resp.direct_passthrough = False
    resp.set_data(body)
    resp.response = (body[i : i + _PIECE] for i in range(0, len(body), _PIECE))
    if hasattr(original, "close"):
        original.close()
    resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Content-Length"] = str(len(body))
    resp.headers.add("Vary", "Accept-Encoding")
    # The ETag names the uncompressed bytes; a weak one keeps caches honest about the encoding.
    if resp.headers.get("ETag", "").startswith('"'):
        resp.headers["ETag"] = "W/" + resp.headers["ETag"]
    return resp


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
        raise NotFoundError(f"No API endpoint /{path}.", field="path")
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
        rel = str(p.relative_to(root))
        # Vendored packages and wheels carry their version in the path: cache them for a year.
        versioned = rel.startswith(VERSIONED_PREFIXES)
        # A .gz file is a gzip file to the page (the Python snapshot is gunzipped by its worker), not
        # a gzip-encoded response the browser should unpack first, as werkzeug would label it.
        mimetype = "application/gzip" if p.suffix.lower() == ".gz" else None
        resp = send_from_directory(root, rel, max_age=31536000 if versioned else 0, mimetype=mimetype)
    except NotFound:
        return not_found_page()
    return _compressed(resp, p)
