"""The sandbox service's errors: one base, `ServiceError`, under the project's `AtlasError`.

Every refusal the service gives a client is a `ServiceError` carrying the HTTP status, a message a
person understands and the request field at fault. One function turns them into HTTP, `to_response`
(`{"error": message, "field": field, ...extra}`), registered by `sandbox.app`; the Docker API gateway's
own errors (`sandbox.gateway.errors`) subclass `ServiceError` too and are answered Docker-style by its
proxy.
"""

from __future__ import annotations

from typing import Any

from atlas.errors import AtlasError


class ServiceError(AtlasError):
    """A failure the client is told about: `status` (HTTP), `message`, `field` and extra JSON keys."""

    status = 500

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra
        if status is not None:
            self.status = status

    def body(self) -> dict:
        """The JSON error body: `{"error", "field", ...extra}`."""
        return {"error": self.message, "field": self.field, **self.extra}

    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the answer (`Retry-After` when the client may retry later)."""
        if "retry_after" in self.extra:
            return {"Retry-After": str(self.extra["retry_after"])}
        return {}


class BadRequest(ServiceError):
    """400: the request itself is wrong (a field's type or value)."""

    status = 400


class Unauthorized(ServiceError):
    """401: a credential (the session token) is missing."""

    status = 401


class Forbidden(ServiceError):
    """403: the credential or the origin is not allowed to do this."""

    status = 403


class NotFoundError(ServiceError):
    """404: no such session, check or endpoint (named so it never shadows `docker.errors.NotFound`)."""

    status = 404


class TooManyRequests(ServiceError):
    """429: this client has too many sandboxes; `retry_after` seconds is sent as Retry-After."""

    status = 429


class BadGateway(ServiceError):
    """502: something in the sandbox the service forwards to (a learner's published port) did not answer."""

    status = 502


class Unavailable(ServiceError):
    """503: the service cannot serve this now (full, shutting down, engine or gateway failing)."""

    status = 503


def to_response(exc: ServiceError) -> Any:
    """THE mapping of a ServiceError to HTTP: status, `{"error", "field", ...extra}`, Retry-After.

    Registered as the Flask error handler by the app (and by blueprints that can be mounted alone).
    """
    from flask import jsonify

    resp = jsonify(exc.body())
    resp.status_code = exc.status
    resp.headers.update(exc.headers())
    return resp
