"""What one session may own and upload: object counts, image disk, its disk budget, request bodies.

The numbers come from `sandbox.limits` (the `limits:` section of config.yaml); the handlers count what
the session has (they ask the engine) and pass the facts here.
"""

from __future__ import annotations

from ..errors import Denied
from .rules import rule

MiB = 2**20


@rule("budget.objects")
def check_room(kind: str, count: int, allowed: int, extra: int = 1) -> None:
    """A session owning `count` objects of `kind` (containers, volumes, networks) may add `extra` more
    only within `allowed` (limits.containers, volumes, networks)."""
    if count + extra > allowed:
        raise Denied(f"at most {allowed} {kind} per sandbox; remove some first")


@rule("budget.images")
def check_image_room(count: int, used: int, allowed: int, disk: int) -> None:
    """One more image (pull, build, commit, tag) needs room: fewer than `allowed` images
    (limits.images) and at most `disk` bytes of images (limits.image_disk) in use."""
    if count >= allowed:
        raise Denied(f"at most {allowed} images per sandbox; remove some with docker rmi")
    if used > disk:
        raise Denied(
            f"the sandbox's images use {used // MiB} MiB, over the {disk // MiB} MiB limit; "
            "remove some with docker rmi"
        )


@rule("budget.disk")
def check_disk(refusal: str) -> None:
    """A request that makes the session grow (create, start, build, pull, commit, volume) is refused
    while the session is over its disk budget (limits.session_disk), and so is a running build's next
    step once it goes over; `refusal` is what the disk watcher measured ("" when within budget)."""
    if refusal:
        raise Denied(refusal)


@rule("budget.body")
def refuse_large_body(limit: int) -> None:
    """A build context or archive upload larger than `limit` bytes (limits.build_context) is refused."""
    raise Denied(f"the request body (build context) is larger than the {limit // MiB} MiB limit")
