"""Typed models of Engine API request bodies: decode what the learner sent into canonical fields.

A model is a `Struct` of declared fields (the Engine API 1.41 schema). `Struct.decode` maps every key to
its field the way the engine does (`jsondecode.fold`), and refuses with a 400 naming the JSON path:

- a key no field matches (`HostConfig.Bogus: unknown field`);
- two keys that land on one field (`HostConfig.binds duplicates HostConfig.Binds`) — the engine would
  silently take the last one;
- a value of the wrong type (Go would refuse it too, or decode it differently).

A field declared with `deny=` is refused (403 `Denied` with that reason) unless its value is empty
(null, 0, "", false, [] or {}), and is never forwarded; `drop=True` accepts a field the engine ignores
and does not forward it. The result is plain dicts with canonical keys only, which the policy checks
and the handler serialises into the request the engine receives.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Denied, Malformed
from .jsondecode import Pairs, fold, path_join
from .rules import rule

INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)


def empty(value: object) -> bool:
    """True for the values Go treats as "not set": null, 0, "", false, [], {} and an object whose
    fields are all such values (a zero struct, as Go clients send them)."""
    if isinstance(value, dict):
        return all(empty(v) for v in value.values())
    return value is None or value is False or value == 0 or value == "" or value == []


class Kind:
    """A JSON type; `decode(value, path)` returns the canonical Python value or raises Malformed."""

    name = "value"
    zero: object = None  # what Go stores for a null element of an array or value of a map

    def decode(self, value: object, path: str) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def zero_if_null(self, value: object, path: str) -> object:
        """`decode`, with null as the kind's zero value (an element of an array, a value of a map)."""
        zero = self.zero() if callable(self.zero) else self.zero
        return zero if value is None else self.decode(value, path)

    def wrong(self, value: object, path: str) -> Malformed:
        """The 400 for a value of the wrong JSON type."""
        got = type(value).__name__ if not isinstance(value, Pairs) else "object"
        got = {"str": "string", "list": "array", "bool": "boolean", "float": "number", "int": "number"}.get(
            got, got
        )
        return Malformed(path or "request body", f"expected {self.name}, got {got}")


class Str(Kind):
    """A JSON string."""

    name = "a string"
    zero = ""

    def decode(self, value: object, path: str) -> object:
        if value is None or isinstance(value, str):
            return value
        raise self.wrong(value, path)


class Bool(Kind):
    """A JSON boolean."""

    name = "a boolean"
    zero = False

    def decode(self, value: object, path: str) -> object:
        if value is None or isinstance(value, bool):
            return value
        raise self.wrong(value, path)


class Int(Kind):
    """A JSON integer (Go int64 by default; no fractions or exponents, as Go refuses them)."""

    def __init__(self, bounds: tuple[int, int] = INT64) -> None:
        self.bounds = bounds
        self.zero = 0
        self.name = "an integer"

    def decode(self, value: object, path: str) -> object:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.wrong(value, path)
        lo, hi = self.bounds
        if not lo <= value <= hi:
            raise Malformed(path, f"{value} is out of range ({lo}..{hi})")
        return value


class StrSlice(Kind):
    """Docker's strslice: a string or an array of strings (Cmd, Entrypoint, Shell, CapAdd, CapDrop)."""

    name = "a string or an array of strings"

    def decode(self, value: object, path: str) -> object:
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if (
            isinstance(value, list)
            and not isinstance(value, Pairs)
            and all(v is None or isinstance(v, str) for v in value)
        ):
            return ["" if v is None else v for v in value]  # null elements are "" in Go
        raise self.wrong(value, path)


class ListOf(Kind):
    """A JSON array of one kind (optionally of a fixed length)."""

    def __init__(self, item: Kind, length: int | None = None) -> None:
        self.item = item
        self.length = length
        self.name = f"an array of {item.name}" if length is None else f"an array of {length} numbers"

    def decode(self, value: object, path: str) -> object:
        if value is None:
            return None
        if not isinstance(value, list) or isinstance(value, Pairs):
            raise self.wrong(value, path)
        if self.length is not None and len(value) != self.length:
            raise Malformed(path, f"expected {self.length} elements, got {len(value)}")
        return [self.item.zero_if_null(v, f"{path}[{i}]") for i, v in enumerate(value)]


class MapOf(Kind):
    """A JSON object with free keys (labels, options): keys compared exactly, as in a Go map."""

    def __init__(self, value: Kind) -> None:
        self.value = value
        self.name = f"an object of {value.name}"

    def decode(self, value: object, path: str) -> object:
        if value is None:
            return None
        if not isinstance(value, Pairs):
            raise self.wrong(value, path)
        out: dict = {}
        for key, item in value:
            where = path_join(path, key)
            if key in out:
                raise Malformed(where, "the key is given twice")
            out[key] = self.value.zero_if_null(item, where)
        return out


@dataclass(frozen=True)
class Field:
    """A declared field: its kind; `deny` refuses any non-empty value; `drop` accepts and discards."""

    kind: Kind
    deny: str = ""
    drop: bool = False


class Struct(Kind):
    """A Go struct: declared fields (name -> Field or Kind), keys matched by the engine's folding."""

    def __init__(self, name: str, fields: dict[str, Field | Kind], extra: Kind | None = None) -> None:
        """`extra`: unknown keys are accepted when their value is of that kind, and never forwarded
        (the engine ignores them; only for client quirks, see engine_types.NETWORKING_CONFIG)."""
        self.extra = extra
        self.name = f"an object ({name})"
        self.zero = dict  # a fresh {} each time: the policy fills structs in place
        self.fields = {k: f if isinstance(f, Field) else Field(f) for k, f in fields.items()}
        self.by_fold = {fold(k): k for k in self.fields}
        assert len(self.by_fold) == len(self.fields), f"{name}: two fields fold to one key"

    def decode(self, value: object, path: str) -> object:
        if value is None:
            return None
        if not isinstance(value, Pairs):
            raise self.wrong(value, path)
        out: dict = {}
        seen: dict[str, str] = {}  # canonical field -> the key the learner used
        for key, item in value:
            canon = self.by_fold.get(fold(key))
            where = path_join(path, key)
            if canon is None and self.extra is not None:
                canon = "\0" + fold(key)  # an ignored key: still checked for duplicates, never forwarded
            if canon is None:
                raise Malformed(where, "unknown field")
            if canon in seen:
                raise Malformed(
                    where,
                    f"duplicates {path_join(path, seen[canon])} (the engine matches keys case-insensitively)",
                )
            seen[canon] = key
            if canon.startswith("\0"):
                self.extra.decode(item, where)  # type: ignore[union-attr]
                continue
            spec = self.fields[canon]
            decoded = spec.kind.decode(item, where)
            if spec.deny and not empty(decoded):
                raise Denied(spec.deny)
            if spec.deny or spec.drop or decoded is None:
                continue
            out[canon] = decoded
        return out


EMPTY = Struct("empty object", {})


@rule("api.body")
def decode_body(model: Struct, parsed: object) -> dict:
    """The request body `parsed` (from jsondecode.loads) as `model`'s canonical dict ({} when empty)."""
    if parsed is None:
        return {}
    if not isinstance(parsed, Pairs):
        raise Malformed("request body", "expected a JSON object")
    return model.decode(parsed, "")  # type: ignore[return-value]
