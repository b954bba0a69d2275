"""Labels a learner may set: anything outside the sandbox's own `org.container-atlas.` namespace.

The gateway decides ownership by these labels (session, origin, default network), so a learner-set one
could make an object look like another session's, or escape clean-up.
"""

from __future__ import annotations

from sandbox.labels import LINEAGE, SESSION
from sandbox.labels import PREFIX as RESERVED_PREFIX  # the labels' one home

from ..errors import Denied
from .rules import rule


@rule("labels.reserved")
def check_labels(labels: dict | None, where: str = "--label") -> dict:
    """Refuse labels in the reserved namespace (compared case-insensitively); the labels otherwise."""
    for key in labels or {}:
        if key.strip().lower().startswith(RESERVED_PREFIX):
            raise Denied(
                f"{where} {key} is not allowed: labels under {RESERVED_PREFIX} belong to the sandbox"
            )
    return dict(labels or {})


# The labels that say which session an image belongs to, or whose build lineage it is.
CLAIMS = (SESSION, LINEAGE)


@rule("labels.foreign")
def check_pulled_labels(labels: dict | None, session_id: str) -> None:
    """An image pulled from the learner's own registry (`localhost:<port>`, which may serve any image
    config) may name only this session in the sandbox's ownership labels (an image it built, pushed
    and pulls back); one naming another session, which would count as that session's image or start
    its builds, is refused."""
    for key in CLAIMS:
        value = (labels or {}).get(key)
        if value is not None and value != session_id:
            raise Denied(f"the image's label {key}={value} is not allowed: it names another sandbox")
