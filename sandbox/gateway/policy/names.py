"""Names a learner may give: nothing that looks like an engine-side name of a session."""

from __future__ import annotations

import re

from ..errors import Denied
from .rules import rule

# What a learner's name may never contain: anything that looks like an engine-side session prefix, in any
# case and anywhere (`atlas-<other>.db`, `/ATLAS-x.db`, `localhost:5000/atlas-x.img`). Such names are
# looked up as missing and refused as new names, so no spelling reaches another session's object.
RESERVED = re.compile(r"atlas-[a-z0-9]*\.", re.IGNORECASE)


def reserved(name: str) -> bool:
    """True when a learner's name looks like an engine-side name (see RESERVED)."""
    return bool(RESERVED.search(name))


@rule("names.reserved")
def check_reserved_name(name: str) -> None:
    """A new name (container, network, volume, image tag) may not contain `atlas-<word>.`, the shape
    of the engine-side names the sandbox gives, so no name can reach another session's object."""
    if reserved(name):
        raise Denied(f"the name {name!r} is reserved: names may not contain 'atlas-<word>.'")
