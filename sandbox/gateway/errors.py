"""The Docker API gateway's errors, and the one mapping from any exception to a Docker-style answer.

Every answer the gateway makes up itself is `{"message": "..."}` with an HTTP status, like the engine's:

- `Denied` (403): the sandbox policy refuses the request; the message starts with `PREFIX` and says why.
- `NoSuchObject` (404): no such object *for this session* (other sessions' objects look missing).
- `HttpError` (4xx/5xx): the request is malformed at the HTTP level; `Malformed` (400) names the field
  (query parameter, JSON path or header) at fault.
- errors the engine reports through docker-py (`docker.errors.APIError`, `docker.errors.NotFound`) are
  passed on with the engine's status and message, scrubbed of engine-side names.
- anything else is a bug of the gateway: logged with its traceback, answered 500 with `FAILED`, never
  with the exception's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import docker.errors

from sandbox.errors import BadRequest, Forbidden, NotFoundError, ServiceError

log = logging.getLogger(__name__)
PREFIX = "denied by the Container Atlas sandbox policy: "
FAILED = "the sandbox's Docker API gateway failed on this request (logged)"
ENGINE_DOWN = "the sandbox's Docker engine is not reachable (logged)"


class GatewayError(ServiceError):
    """A refusal the gateway answers itself: `status` and a Docker-style `{"message": ...}` body."""

    status = 500

    def docker_body(self) -> dict:
        """The answer's JSON body, as the engine shapes its errors."""
        return {"message": self.message}


class Denied(GatewayError, Forbidden):
    """A request the policy refuses: 403 with `denied by the Container Atlas sandbox policy: <reason>`."""

    status = 403

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(PREFIX + reason, status=status)
        self.reason = reason


class NoSuchObject(GatewayError, NotFoundError):
    """404: an object that does not exist *for this session* (another session's objects look missing).
    Named after the engine's "No such container" so it never shadows `docker.errors.NotFound`."""

    status = 404


class HttpError(GatewayError):
    """A request the gateway refuses at the HTTP level (status + message for the client)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message, status=status, field=field)


class Malformed(HttpError, BadRequest):
    """400: a field of the request is not what the Engine API expects; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(400, f"{field}: {problem}", field=field)


def answer(exc: BaseException, scrub: Callable[[str], str] | None = None) -> tuple[int, dict]:
    """The (status, JSON body) a client gets for `exc`; `scrub` rewrites engine messages into the
    learner's names. Unexpected exceptions are logged here, with their traceback, and never shown."""
    if isinstance(exc, GatewayError):
        return exc.status, exc.docker_body()
    if isinstance(exc, ServiceError):  # a refusal of the service's own (limits, configuration)
        return exc.status, {"message": exc.message}
    if isinstance(exc, docker.errors.APIError):
        status = exc.status_code or 500
        message = str(exc.explanation or "") or f"the Docker engine answered {status}"
        if isinstance(exc.explanation, bytes):
            message = exc.explanation.decode("utf-8", "replace")
        return status, {"message": scrub(message) if scrub else message}
    log.error("gateway request failed", exc_info=exc)
    return 500, {"message": FAILED}
