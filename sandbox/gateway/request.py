"""One parsed request of the docker CLI (`Request`) and the parsing of its target (path, API version,
query); handlers rewrite it and `Request.target` re-encodes what the policy checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from .errors import HttpError

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
VERSION = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}")


@dataclass
class Request:
    """One parsed client request. `path` is decoded and has the /vX.Y prefix removed."""

    method: str
    path: str
    version: str  # "1.41" or "" when the client sent no version prefix
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # named groups of the matched route
    big: bool = False  # holds one of the session's large-body slots until answered
    body_file: BinaryIO | None = None  # a large body, spooled to disk (sent instead of `body`)

    def arg(self, name: str, default: str = "") -> str:
        """First value of a query parameter."""
        for k, v in self.query:
            if k == name:
                return v
        return default

    def args(self, name: str) -> list[str]:
        """Every value of a query parameter."""
        return [v for k, v in self.query if k == name]

    def set_arg(self, name: str, value: str | None) -> None:
        """Replace (or remove, with None) a query parameter."""
        self.query = [(k, v) for k, v in self.query if k != name]
        if value is not None:
            self.query.append((name, value))

    def json(self) -> dict:
        """The body as a JSON object ({} when empty); HttpError 400 when it is not JSON."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise HttpError(400, f"request body is not valid JSON: {exc}") from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise HttpError(400, "request body must be a JSON object")
        return data

    def target(self, path: str | None = None) -> str:
        """The request target to send upstream (re-encoded from what the policy checked)."""
        p = quote(path if path is not None else self.path, safe="/:@")
        prefix = f"/v{self.version}" if self.version else ""
        q = urlencode(self.query)
        return f"{prefix}{p}" + (f"?{q}" if q else "")


def parse_target(raw: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Split a request target into (decoded path without version, version, query pairs)."""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise HttpError(400, f"bad request target {raw[:80]!r}")
    path = unquote(parts.path)
    # No control characters: no engine name has one, and a route's `$` matches before a final newline.
    if CONTROL.search(path) or any(seg in {".", ".."} for seg in path.split("/")):
        raise HttpError(400, "bad request path")
    version = ""
    if path.startswith("/v"):
        head, _, rest = path[2:].partition("/")
        if head.replace(".", "", 1).isdigit() and "." in head:
            if not VERSION.fullmatch(head):  # isdigit() is also True for `١` and `１`
                raise HttpError(400, f"the API version in the request path (v{head[:20]}) is malformed")
            version, path = head, "/" + rest
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise HttpError(400, "bad query string") from None
    return path, version, query
