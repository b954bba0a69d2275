"""Calls on an existing container (start); the create body's rules are in container_create.py."""

from __future__ import annotations

from ..errors import Denied
from .rules import rule


@rule("containers.start-body")
def check_start_body(body: object) -> None:
    """`docker start` takes no body: API versions before 1.24 accepted a host configuration there,
    which would bypass every check of `docker create`."""
    if body:
        raise Denied("a start request may not carry a host configuration")
