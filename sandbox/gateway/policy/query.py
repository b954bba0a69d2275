"""Query strings: an allow-list of typed parameters per endpoint, and the query rebuilt from it.

The engine reads parameters case-sensitively with `r.Form.Get` (the first value; and for some
endpoints a urlencoded *body* value wins over the query — the gateway never forwards such a body, see
bodies.py). Here every parameter must be declared for its endpoint (400 naming it otherwise), may
appear once unless declared repeated, is typed (booleans the way the engine reads them, integers,
JSON filters), and the forwarded query is re-encoded from the typed values only.

`/build` is not listed: its parameters and context are checked by build.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ..errors import Malformed
from .jsondecode import Pairs, loads, plain
from .rules import rule

Typed = Callable[[str, str], "str | None"]  # (value, parameter name) -> forwarded value (None: dropped)


def boolean(value: str, name: str) -> str:
    """The engine's httputils.BoolValue: "", 0, no, false, none are false; anything else true."""
    return "0" if value.strip().lower() in {"", "0", "no", "false", "none"} else "1"


def integer(value: str, name: str) -> str:
    """A decimal integer (as Go's strconv.Atoi reads it)."""
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", value):
        raise Malformed(f"query parameter {name}", f"expected an integer, got {value[:40]!r}")
    return str(int(value))


def text(value: str, name: str) -> str:
    """Any text without control characters."""
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise Malformed(f"query parameter {name}", "control characters are not allowed")
    return value


def tail(value: str, name: str) -> str:
    """`tail`: "all" or a number of lines."""
    return "all" if value == "all" else integer(value, name)


def dropped(value: str, name: str) -> None:
    """A parameter some clients send and the engine ignores (docker-py's trunc_cmd, only_ids, force)."""
    return None


def filters(value: str, name: str) -> str:
    """`filters`: a JSON object of name -> [values] or {value: true}, re-encoded in the map form."""
    where = f"query parameter {name}"
    parsed = loads(value.encode(), where)
    if parsed is None:
        return "{}"
    if not isinstance(parsed, Pairs):
        raise Malformed(where, "expected a JSON object")
    out: dict[str, dict[str, bool]] = {}
    for key, vals in plain(parsed, where).items():  # type: ignore[union-attr]
        if isinstance(vals, list) and all(isinstance(v, str) for v in vals):
            out[key] = {v: True for v in vals}
        elif isinstance(vals, dict) and all(isinstance(v, bool) for v in vals.values()):
            out[key] = dict(vals)
        else:
            raise Malformed(f"{where}.{key}", "expected an array of strings or an object of booleans")
    return json.dumps(out)


def one_of(*values: str) -> Typed:
    """An enumeration."""

    def check(value: str, name: str) -> str:
        if value not in values:
            raise Malformed(f"query parameter {name}", f"expected one of {', '.join(values)}")
        return value

    return check


REPEATED = object()  # marker: the parameter may appear several times (every value kept, in order)
B, INT, S, F = boolean, integer, text, filters
LOGS = {
    "follow": B,
    "stdout": B,
    "stderr": B,
    "since": S,
    "until": S,
    "timestamps": B,
    "details": B,
    "tail": tail,
}
ATTACH = {"detachKeys": S, "logs": B, "stream": B, "stdin": B, "stdout": B, "stderr": B}
C, IMG, NET, VOL = "/containers/[^/]+", "/images/.+", "/networks/[^/]+", "/volumes/[^/]+"
SPECS: tuple[tuple[str, str, dict], ...] = (
    ("GET HEAD", "/_ping|/version|/info|/system/df", {}),
    ("GET", "/events", {"since": S, "until": S, "filters": F}),
    (
        "GET",
        "/containers/json",
        {"all": B, "limit": INT, "size": B, "filters": F, "before": S, "since": S, "trunc_cmd": dropped},
    ),
    ("POST", "/containers/create", {"name": S, "platform": S}),
    ("POST", "/(containers|images|networks|volumes)/prune", {"filters": F}),
    ("GET", f"{C}/json", {"size": B}),
    ("GET", f"{C}/top", {"ps_args": S}),
    ("GET", f"{C}/logs", LOGS),
    ("GET", f"{C}/(changes|export)", {}),
    ("GET", f"{C}/stats", {"stream": B, "one-shot": B}),
    ("POST", f"{C}/(stop|restart)", {"t": INT, "signal": S}),
    ("POST", f"{C}/kill", {"signal": S}),
    ("POST", f"{C}/(pause|unpause)", {}),
    ("POST", f"{C}/wait", {"condition": one_of("", "not-running", "next-exit", "removed")}),
    ("POST", f"{C}/resize", {"h": INT, "w": INT}),
    ("POST", f"{C}/rename", {"name": S}),
    ("POST", f"{C}/start", {"detachKeys": S}),
    ("POST", f"{C}/attach", ATTACH),
    ("GET HEAD", f"{C}/archive", {"path": S}),
    ("PUT", f"{C}/archive", {"path": S, "noOverwriteDirNonDir": B, "copyUIDGID": B}),
    ("DELETE", C, {"v": B, "force": B, "link": B}),
    ("POST", f"{C}/exec", {}),
    ("POST", "/exec/[^/]+/start", {}),
    ("POST", "/exec/[^/]+/resize", {"h": INT, "w": INT}),
    ("GET", "/exec/[^/]+/json", {}),
    ("GET", "/images/json", {"all": B, "filters": F, "digests": B, "filter": S, "only_ids": dropped}),
    (
        "POST",
        "/images/create",
        {
            "fromImage": S,
            "fromSrc": S,
            "repo": S,
            "tag": S,
            "message": S,
            "changes": (S, REPEATED),
            "platform": S,
        },
    ),
    ("POST", "/build/prune", {"keep-storage": INT, "all": B, "filters": F}),
    (
        "POST",
        "/commit",
        {
            "container": S,
            "repo": S,
            "tag": S,
            "comment": S,
            "author": S,
            "pause": B,
            "changes": (S, REPEATED),
        },
    ),
    ("GET", "/images/get", {"names": (S, REPEATED)}),
    ("GET", f"{IMG}/(json|history|get)", {}),
    ("POST", f"{IMG}/tag", {"repo": S, "tag": S, "force": dropped}),
    ("POST", f"{IMG}/push", {"tag": S, "platform": S}),
    ("DELETE", IMG, {"force": B, "noprune": B}),
    ("GET", "/networks", {"filters": F}),
    ("POST", "/networks/create", {}),
    ("POST", f"{NET}/(connect|disconnect)", {}),
    ("GET", NET, {"verbose": B, "scope": S}),
    ("DELETE", NET, {}),
    ("GET", "/volumes", {"filters": F}),
    ("POST", "/volumes/create", {}),
    ("GET", VOL, {}),
    ("DELETE", VOL, {"force": B}),
)
UNCHECKED = {"/build"}  # build.py owns its parameters
_COMPILED = [(m.split(), re.compile(p), spec) for m, p, spec in SPECS]


def spec_for(method: str, path: str) -> dict | None:
    """The parameter spec of `method path` ({} when it takes none; None for UNCHECKED paths)."""
    if path in UNCHECKED:
        return None
    for methods, rx, spec in _COMPILED:
        if method in methods and rx.fullmatch(path):
            return spec
    return {}


@rule("api.query")
def rebuild(method: str, path: str, query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query to forward: each parameter checked against the endpoint's spec and typed."""
    spec = spec_for(method, path)
    if spec is None:
        return query
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in query:
        entry = spec.get(name)
        if entry is None:
            allowed = ", ".join(sorted(spec)) or "none"
            raise Malformed(
                f"query parameter {name}", f"not accepted by {method} {path} (accepted: {allowed})"
            )
        typed, repeated = entry if isinstance(entry, tuple) else (entry, None)
        if name in seen and repeated is not REPEATED:
            raise Malformed(f"query parameter {name}", "given more than once")
        seen.add(name)
        forwarded = typed(value, name)
        if forwarded is not None:
            out.append((name, forwarded))
    return out
