"""Labels a learner may set: anything outside the sandbox's own `org.container-atlas.` namespace.

The gateway decides ownership by these labels (session, origin, default network), so a learner-set one
could make an object look like another session's, or escape clean-up.
"""

from __future__ import annotations

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
