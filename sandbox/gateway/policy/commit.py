"""POST /commit: the body (a container Config) and the `changes` query parameter."""

from __future__ import annotations

from ..errors import Denied
from .engine_types import CONFIG
from .jsondecode import loads
from .labels import check_labels
from .rules import rule
from .schema import decode_body

CHANGES = {"CMD", "ENTRYPOINT", "ENV", "EXPOSE", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}


def parse(body: bytes) -> dict:
    """The commit body (the new image's Config) as canonical fields."""
    return decode_body(CONFIG, loads(body))


@rule("images.commit")
def check_commit(body: dict, changes: list[str]) -> None:
    """The image config may not carry the sandbox's labels; `--change` takes one Dockerfile instruction
    of CHANGES per value (not LABEL, which could claim another session's image)."""
    check_labels(body.get("Labels"))
    for change in changes:
        if "\n" in change or "\r" in change:
            raise Denied("--change takes one instruction per value (no line breaks)")
        word = change.strip().split(None, 1)[0].upper() if change.strip() else ""
        if word not in CHANGES:
            raise Denied(
                f"--change {word or repr(change)} is not available (allowed: {', '.join(sorted(CHANGES))})"
            )
