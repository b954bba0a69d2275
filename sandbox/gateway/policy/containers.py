"""Calls on an existing container (start, archive upload); the create body's rules are in
container_create.py."""

from __future__ import annotations

from ..errors import Denied
from .buildcontext import Bounds, MiB
from .rules import rule


@rule("containers.start-body")
def check_start_body(body: object) -> None:
    """`docker start` takes no body: API versions before 1.24 accepted a host configuration there,
    which would bypass every check of `docker create`."""
    if body:
        raise Denied("a start request may not carry a host configuration")


@rule("containers.archive")
def check_upload(name: str, unpacked: int, entries: int, bounds: Bounds, problem: str = "") -> None:
    """An archive uploaded into a container (`docker cp`, PUT /containers/{id}/archive), which the
    engine decompresses (gzip, bzip2, xz) and unpacks outside the container, may unpack to at most
    Bounds.unpacked bytes and Bounds.entries entries (sizes as the tar headers say); a zstd or
    unreadable one (`problem`) is refused."""
    if problem:
        raise Denied(f"the {name} cannot be checked ({problem}); send a plain, gzip, bzip2 or xz tar")
    if unpacked > bounds.unpacked or entries > bounds.entries:
        raise Denied(
            f"the {name} unpacks to more than {bounds.unpacked // MiB} MiB or {bounds.entries} entries"
        )
