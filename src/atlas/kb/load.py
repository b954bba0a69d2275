"""Stage 1: read `kb/<category>/<id>.yaml` files, keeping the position of every key and item.

YAML is parsed by libyaml when available (`CSafeLoader`) and turned into plain dicts and lists
that remember where each key, value and list item was written (`LocDict`, `LocList`), so every
later stage can say `path:line:column`. Syntax errors become problems, never tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from atlas.kb.problems import START, Mark, Problem, Report, as_mark, gc_paused, one_of, type_name
from atlas.kb.vocabulary import CATEGORIES

try:  # libyaml is several times faster; its nodes still carry marks
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader


_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_RESOLVED: dict[str, str] = {}  # plain scalar -> implicit tag (values repeat a lot)
_SCALAR_NODE, _SEQUENCE_NODE, _MAPPING_NODE = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode


class MarkingLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe YAML loader composing nodes (with start marks) and resolving plain scalars quickly."""

    # libyaml's composer calls these two for every node; no path resolvers are registered, so
    # they have nothing to do. Built-in callables avoid ~2 Python calls per node (~20% of parsing):
    # descend_resolver(parent, index) -> {}.get(parent, index); ascend_resolver() -> tuple().
    descend_resolver = staticmethod({}.get)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """The YAML 1.1 implicit tag of a node (same result as PyYAML's resolver, fewer steps)."""
        if kind is _SCALAR_NODE:
            if not implicit[0]:
                return _STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = _STR
                for candidate, regexp in _IMPLICIT.get(value[0] if value else "", ()):
                    if regexp.match(value):
                        tag = candidate
                        break
                if len(_RESOLVED) < 50_000:
                    _RESOLVED[value] = tag
            return tag
        return "tag:yaml.org,2002:seq" if kind is _SEQUENCE_NODE else "tag:yaml.org,2002:map"


def _pos(raw: object) -> Mark:
    """A 1-based Mark from a 0-based yaml mark (or an already converted Mark)."""
    return as_mark(raw)


class LocDict(dict):
    """A YAML mapping that remembers where it, each key and each value started."""

    __slots__ = ("_mark", "_keys", "_values")

    def __init__(self, mark: object) -> None:
        super().__init__()
        self._mark = mark
        self._keys: dict[str, object] = {}
        self._values: dict[str, object] = {}

    @property
    def mark(self) -> Mark:
        """Where the mapping starts."""
        return _pos(self._mark)

    def key_mark(self, key: str) -> Mark:
        """Where `key` was written (the mapping's start if it was not)."""
        return _pos(self._keys.get(key, self._mark))

    def value_mark(self, key: str) -> Mark:
        """Where the value of `key` starts (the mapping's start if it was not written)."""
        return _pos(self._values.get(key, self._mark))


class LocList(list):
    """A YAML sequence that remembers where it and each item started."""

    __slots__ = ("_mark", "_items")

    def __init__(self, mark: object) -> None:
        super().__init__()
        self._mark = mark
        self._items: list[object] = []

    @property
    def mark(self) -> Mark:
        """Where the sequence starts."""
        return _pos(self._mark)

    def item_mark(self, index: int) -> Mark:
        """Where item `index` starts."""
        return _pos(self._items[index] if index < len(self._items) else self._mark)


@dataclass
class RawEntry:
    """One entry file as read: where it is and what it holds (None when unreadable)."""

    path: str
    category: str
    stem: str
    data: LocDict | None


@dataclass
class LoadedKB:
    """Every entry file of a knowledge base, plus the problems met while reading them."""

    root: Path
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SCALARS = {
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
}
_CONSTRUCTOR = SafeConstructor()


def _where(path: tuple) -> str:
    """Render a reversed linked path `(parent, key)` as `relations[1].target`."""
    parts: list[str] = []
    while path:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".") or "yaml"


def _scalar(node: yaml.ScalarNode, report: Report, where: tuple) -> object:
    """The Python value of a scalar node (timestamps stay text)."""
    tag = node.tag
    if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
        return node.value
    if tag == _INT and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
        return int(node.value)  # plain decimal (a leading 0 means octal in YAML 1.1)
    ctor = _SCALARS.get(tag)
    if ctor is None:
        report.error(_pos(node.start_mark), _where(where), f"unsupported YAML tag '{tag}'")
        return node.value
    return ctor(_CONSTRUCTOR, node)


def _build(node: yaml.Node, report: Report, where: tuple) -> object:
    """Turn a composed node into plain Python values with marks attached."""
    cls = type(node)
    if cls is _SCALAR_NODE:
        return _scalar(node, report, where)
    if cls is _SEQUENCE_NODE:
        seq = LocList(node.start_mark)
        marks = seq._items
        for i, item in enumerate(node.value):
            marks.append(item.start_mark)
            if type(item) is _SCALAR_NODE and item.tag == _STR:
                seq.append(item.value)
            else:
                seq.append(_build(item, report, (where, i)))
        return seq
    mapping = LocDict(node.start_mark)
    keys, values = mapping._keys, mapping._values
    for key_node, value_node in node.value:
        if type(key_node) is not _SCALAR_NODE:
            report.error(
                _pos(key_node.start_mark), _where(where), "a key must be plain text, not a list or mapping"
            )
            continue
        key = key_node.value
        if key in mapping:
            first = _pos(keys[key])
            report.error(
                _pos(key_node.start_mark),
                _where((where, key)),
                f"duplicate key '{key}' (first written at line {first.line})",
            )
            continue
        keys[key] = key_node.start_mark
        values[key] = value_node.start_mark
        if type(value_node) is _SCALAR_NODE and value_node.tag == _STR:
            mapping[key] = value_node.value
        else:
            mapping[key] = _build(value_node, report, (where, key))
    return mapping


def parse_entry(text: str, report: Report) -> LocDict | None:
    """Parse one entry file's text; report syntax errors and non-mapping documents."""
    return parse_mapping(text, report, "an entry", " (see kb/_example.yaml)")


def parse_mapping(text: str, report: Report, noun: str, example: str = "") -> LocDict | None:
    """Parse one YAML document that must be a mapping of fields, keeping positions.

    Used for KB entries and tutorial front matter. Syntax errors, an empty document and a non-mapping
    are reported (naming `noun`, e.g. "an entry", and pointing at `example`) and give None.
    """
    loader = MarkingLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else START
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        report.error(where, "yaml", f"YAML syntax error: {detail}")
        return None
    except yaml.YAMLError as exc:
        report.error(START, "yaml", f"YAML syntax error: {exc}")
        return None
    finally:
        loader.dispose()
    if node is None:
        report.error(START, "file", f"the file is empty; {noun} is a mapping of fields{example}")
        return None
    data = _build(node, report, ())
    if not isinstance(data, LocDict):
        message = f"{noun} must be a mapping of fields, not {type_name(data)}"
        report.error(_pos(node.start_mark), "file", message)
        return None
    return data


def entry_files(root: Path) -> list[Path]:
    """The entry files of a KB folder (`<category>/*.yaml`, names starting with `_` skipped), sorted."""
    return sorted(p for p in root.glob("*/*.y*ml") if not p.name.startswith("_"))


def load_kb(root: Path) -> LoadedKB:
    """Read every entry file under `root`; unreadable files become problems, not exceptions."""
    with gc_paused():
        return _load_kb(Path(root))


def _load_kb(root: Path) -> LoadedKB:
    root = Path(root)
    kb = LoadedKB(root=root)
    if not root.is_dir():
        kb.problems.append(Problem(str(root), 1, 1, "kb", "knowledge-base folder not found"))
        return kb
    prefix = root.name
    for stray in sorted(root.glob("*.y*ml")):
        if not stray.name.startswith("_"):
            Report(f"{prefix}/{stray.name}", kb.problems).error(
                START, "file", "entries live in a category folder: kb/<category>/<id>.yaml"
            )
    for path in entry_files(root):
        rel = f"{prefix}/{path.parent.name}/{path.name}"
        report = Report(rel, kb.problems)
        if path.suffix != ".yaml":
            report.error(START, "file", f"use the .yaml extension (rename to {path.stem}.yaml)")
            continue
        category = path.parent.name
        if category not in CATEGORIES:
            hint = one_of(category, CATEGORIES)
            report.error(START, "category", f"unknown category folder '{category}'{hint}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            report.error(START, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        kb.entries.append(RawEntry(rel, category, path.stem, parse_entry(text, report)))
    return kb
