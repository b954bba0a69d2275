"""Reading YAML settings against a declared schema of dataclasses, every problem located.

`read_yaml(path)` returns the mapping and where each key was written; `merge` lays one layer (a
file, the environment, overrides) over another, section by section; `build(cls, raw, where)` turns
the merged mapping into the dataclass `cls`, collecting a `ConfigProblem` for each unknown key (with
a "did you mean"), missing key, wrong type or value outside the field's `min`/`max` metadata. Types:
bool, int, float, str, `X | None`, list[str], dict[str, str], `limits.Size`, nested dataclasses and
dict[str, dataclass]. A field whose metadata says `internal` is not read from the settings; one that
says `declared` must be written even though its dataclass has a default. A class attribute `MOVED`
(key -> where it went) turns an old key into a pointer to its new place.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from atlas.kb.problems import Problem, did_you_mean, type_name

from sandbox.limits import parse_size

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class ConfigProblem(Problem):
    """A problem in the settings: `file:line:col: key: message`, or `VARIABLE: key: message`."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Where:
    """Where a setting came from: a file position, or a name (an environment variable, "overrides")."""

    path: str
    line: int = 0
    column: int = 0

    def problem(self, key: str, message: str) -> ConfigProblem:
        """A problem located here."""
        return ConfigProblem(self.path, self.line, self.column, key, message)


Located = dict[KeyPath, Where]


def read_yaml(path: Path, shown: str) -> tuple[dict, Located, list[ConfigProblem]]:
    """The mapping in `path` (merge keys `<<:` resolved), each key's position, and syntax problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return {}, {}, [Where(shown).problem("(file)", f"cannot read the file: {exc.strerror or exc}")]
    loader = yaml.SafeLoader(text)
    where: Located = {}
    problems: list[ConfigProblem] = []

    def at(node: yaml.Node) -> Where:
        return Where(shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def walk(node: yaml.Node, keys: KeyPath) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return loader.construct_object(node, deep=True)
        own = len(node.value)
        loader.flatten_mapping(node)  # `<<: *anchor` pairs come first; the node's own keys win
        merged = len(node.value) - own
        out: dict = {}
        own_keys: set[str] = set()
        for i, (knode, vnode) in enumerate(node.value):
            key = loader.construct_object(knode, deep=True)
            if not isinstance(key, str):
                problems.append(at(knode).problem(".".join(keys) or "(top)", f"key {key!r} is not text"))
                continue
            if i >= merged:
                if key in own_keys:
                    problems.append(at(knode).problem(_dotted((*keys, key)), "written twice"))
                own_keys.add(key)
            where[(*keys, key)] = at(knode)
            out[key] = walk(vnode, (*keys, key))
        return out

    try:
        root = loader.get_single_node()
        data = walk(root, ()) if root is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Where(shown, mark.line + 1, mark.column + 1) if mark else Where(shown)
        return {}, {}, [pos.problem("(syntax)", f"not valid YAML: {exc.problem or exc}")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return {}, {}, [Where(shown, 1, 1).problem("(top)", f"expected a mapping, got {type_name(data)}")]
    return data, where, problems


def merge(base: dict, where: Located, layer: dict, layer_where: Located, sections: set[KeyPath]) -> None:
    """Lay `layer` over `base` in place: mappings at a key path in `sections` merge key by key,
    everything else is replaced; positions follow the values."""

    def go(dst: dict, src: dict, keys: KeyPath) -> None:
        for key, value in src.items():
            path = (*keys, key)
            if path in layer_where:
                where[path] = layer_where[path]
            if _is_section(path, sections) and isinstance(value, dict) and isinstance(dst.get(key), dict):
                go(dst[key], value, path)
            else:
                dst[key] = value
                for sub in [p for p in where if p[: len(path)] == path and len(p) > len(path)]:
                    del where[sub]
                for sub, pos in layer_where.items():
                    if sub[: len(path)] == path and len(sub) > len(path):
                        where[sub] = pos

    go(base, copy.deepcopy(layer), ())  # the caller's mappings are never shared or changed


def _is_section(path: KeyPath, sections: set[KeyPath]) -> bool:
    return any(
        len(s) == len(path) and all(a in ("*", b) for a, b in zip(s, path, strict=True)) for s in sections
    )


def locate(where: Located, path: KeyPath, fallback: Where) -> Where:
    """Where the key `path` (or its nearest written parent) came from."""
    for n in range(len(path), 0, -1):
        if path[:n] in where:
            return where[path[:n]]
    return fallback


def build(cls: type, raw: dict, where: Located, fallback: Where, problems: list, keys: KeyPath = ()) -> Any:
    """An instance of the dataclass `cls` from `raw`, or None; every problem appended to `problems`."""
    hints = typing.get_type_hints(cls, include_extras=True)
    wanted = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    values: dict[str, Any] = {}
    ok = True
    for key in raw:
        if key not in wanted:
            moved = getattr(cls, "MOVED", {}).get(key)  # a key that lives elsewhere now: say where
            hint = f" ({moved})" if moved else did_you_mean(str(key), wanted)
            hint = hint or f" (known: {', '.join(sorted(wanted))})"
            problems.append(
                locate(where, (*keys, key), fallback).problem(_dotted((*keys, key)), "unknown key" + hint)
            )
            ok = False
    for name, f in wanted.items():
        path = (*keys, name)
        here = locate(where, path, fallback)
        if name not in raw:
            no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if no_default or f.metadata.get("declared"):
                problems.append(locate(where, keys, fallback).problem(_dotted(path), "missing"))
                ok = False
            continue
        try:
            values[name] = _convert(hints[name], raw[name], path, where, fallback, problems)
        except _Nested:
            ok = False
            continue
        except ValueError as exc:
            problems.append(here.problem(_dotted(path), str(exc)))
            ok = False
            continue
        low, high = f.metadata.get("min"), f.metadata.get("max")
        value = values[name]
        if low is not None and value is not None and value < low:
            problems.append(
                here.problem(
                    _dotted(path), f"{raw[name]!r} is too small: {f.metadata.get('why', f'at least {low}')}"
                )
            )
            ok = False
        elif high is not None and value is not None and value > high:
            problems.append(here.problem(_dotted(path), f"{raw[name]!r} is too large (at most {high})"))
            ok = False
    return cls(**values) if ok else None


class _Nested(ValueError):
    """A nested section had problems (already reported)."""


def _convert(tp: Any, value: Any, path: KeyPath, where: Located, fallback: Where, problems: list) -> Any:
    if typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        if "size" in meta:
            return parse_size(value)
        tp = base
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (tp,) = [a for a in args if a is not type(None)]
        return _convert(tp, value, path, where, fallback, problems)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping, got {type_name(value)}")
        got = build(tp, value, where, fallback, problems, path)
        if got is None:
            raise _Nested
        return got
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping, got {type_name(value)}")
        out, bad = {}, False
        for k, v in value.items():
            try:
                out[str(k)] = _convert(args[1], v, (*path, str(k)), where, fallback, problems)
            except _Nested:
                bad = True
            except ValueError as exc:
                at = locate(where, (*path, str(k)), fallback)
                problems.append(at.problem(_dotted((*path, str(k))), str(exc)))
                bad = True
        if bad:
            raise _Nested
        return out
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, args[0]) for v in value):
            raise ValueError(f"expected a list of {args[0].__name__}, got {value!r}")
        return list(value)
    return _scalar(tp, value)


def _scalar(tp: type, value: Any) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ValueError(f"expected true or false, got {value!r}")
    if isinstance(value, bool):
        raise ValueError(f"expected {_article(tp)}, got {value!r}")
    if tp is float and isinstance(value, (int, float)):
        return float(value)
    if tp is int and isinstance(value, int):
        return value
    if tp is str and isinstance(value, str):
        return value
    raise ValueError(f"expected {_article(tp)}, got {type_name(value)} {value!r}")


def _article(tp: type) -> str:
    return {int: "an integer", float: "a number", str: "text (quote it)", bool: "true or false"}.get(
        tp, tp.__name__
    )


def _dotted(path: KeyPath) -> str:
    return ".".join(path) or "(top)"
