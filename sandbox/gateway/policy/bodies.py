"""The body the engine receives: only one the gateway built, with a Content-Type the gateway set.

For most endpoints the engine reads parameters from `r.Form`, where an `application/x-www-form-urlencoded`
body overrides the query (e.g. `repo=` on /images/{id}/tag). So a body is forwarded only by the
handlers that rebuild one from a typed model (JSON_BODIES), always as application/json; every other
request goes without a body. Archive uploads go as a tar; /build is build.py's.
"""

from __future__ import annotations

from . import Route

JSON_BODIES = frozenset(
    {
        "container_create",
        "exec_create",
        "exec_start",
        "network_create",
        "network_connect",
        "volume_create",
        "image_commit",
    }
)
OWN_BODIES = frozenset({"image_build"})  # build.py rebuilds the context and sets its own headers


def seal(route: Route, req: object, raw: bytes) -> None:
    """Fix the body and Content-Type of `req` (after its handler ran); `raw` is what the learner sent.

    A JSON handler that left the learner's bytes in place is a gateway bug: refused, never forwarded."""
    headers = req.headers  # type: ignore[attr-defined]
    if route.handler in OWN_BODIES:
        return
    if route.big_body:  # PUT /containers/{id}/archive
        headers["content-type"] = "application/x-tar"
        return
    if route.handler in JSON_BODIES and req.body:  # type: ignore[attr-defined]
        if raw and req.body is raw:  # type: ignore[attr-defined]
            raise RuntimeError(f"handler {route.handler} did not rebuild the request body")
        headers["content-type"] = "application/json"
        return
    req.body = b""  # type: ignore[attr-defined]
    headers.pop("content-type", None)
