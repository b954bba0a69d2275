"""Stage 2: every rule of the knowledge base, checked at once.

`validate(kb)` returns every problem (schema, file naming, duplicate ids, layers, years, sources of
facts, wrapped Chinese, referential integrity, relation rules, cycles, orphans); it never stops at
the first. Callers
that need a valid KB raise `KBError(problems)` once, e.g. via `check_kb(kb_dir, strict=True)`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import KBError
from atlas.kb.content_rules import check_chinese, check_sourced_facts
from atlas.kb.load import LoadedKB, LocDict, LocList, RawEntry, load_kb
from atlas.kb.names import NAME_ZH_REQUIRED_KINDS
from atlas.kb.problems import Problem, Report, as_mark, did_you_mean, gc_paused
from atlas.kb.relation_rules import check_part_of
from atlas.kb.schema import ID_PATTERN, Entry
from atlas.kb.try_rules import check_try
from atlas.kb.vocabulary import CATEGORIES, LAYERS, RELATION_TYPES, STATUSES

__all__ = ["Problem", "WrittenRelation", "check_kb", "errors_of", "validate"]


@dataclass(frozen=True)
class WrittenRelation:
    """A relation as written in an entry file, with where it was written."""

    source: str
    type: str
    target: str
    index: int
    entry: RawEntry
    mark: object  # raw yaml marks: converted only when a problem is reported
    target_mark: object


def errors_of(problems: list[Problem]) -> list[Problem]:
    """Only the errors."""
    return [p for p in problems if p.severity == "error"]


def check_kb(kb_dir: Path, *, strict: bool = False) -> tuple[LoadedKB, list[Problem]]:
    """Load and validate `kb_dir`; with `strict`, raise `KBError` carrying every error (not warnings)."""
    kb = load_kb(Path(kb_dir))
    problems = validate(kb)
    if strict and errors_of(problems):
        raise KBError(errors_of(problems))
    return kb, problems


def validate(kb: LoadedKB) -> list[Problem]:
    """Every problem of a loaded KB (loading problems included), errors first, then by position."""
    with gc_paused():
        return _validate(kb)


def _validate(kb: LoadedKB) -> list[Problem]:
    problems = list(kb.problems)
    entries = [e for e in kb.entries if e.data is not None]
    for entry in entries:
        report = Report(entry.path, problems)
        Entry.check(entry.data, entry.data.mark, "", report)
        _check_entry(entry, report)
        check_sourced_facts(entry.data, report)
        check_chinese(entry.data, report)
        check_try(entry.data, report)
    by_id = _check_ids(entries, problems)
    relations = _written_relations(entries)
    # files that could not be read (or have no id) are reported already; do not cascade
    unreadable = {e.stem for e in kb.entries if _entry_id(e) is None}
    _check_targets(relations, by_id, unreadable, problems)
    known = [r for r in relations if r.target in by_id and r.target != r.source]
    _check_duplicates(known, problems)
    check_part_of(known, {i: e.data for i, e in by_id.items()}, problems)
    _check_cycles(known, problems)
    _check_orphans(entries, relations, known, problems)
    problems.sort(key=lambda p: p.sort_key)
    return problems


def _entry_id(entry: RawEntry) -> str | None:
    value = entry.data.get("id") if entry.data is not None else None
    return value if isinstance(value, str) and value else None


def _check_entry(entry: RawEntry, report: Report) -> None:
    """Rules within one entry: file name, layer of the folder, status years."""
    data = entry.data
    entry_id = _entry_id(entry)
    if entry_id is not None and ID_PATTERN.match(entry_id) and entry_id != entry.stem:
        report.error(
            data.value_mark("id"),
            "id",
            f"'{entry_id}' does not match the file name '{entry.stem}.yaml'; rename one of them",
        )
    layer = data.get("layer")
    category = CATEGORIES.get(entry.category)
    if category is not None and isinstance(layer, str) and layer in LAYERS and layer != category.layer:
        report.error(
            data.value_mark("layer"),
            "layer",
            f"'{layer}' does not match the folder '{entry.category}', whose layer is '{category.layer}'",
        )
    kind = data.get("kind")
    if isinstance(kind, str) and kind in NAME_ZH_REQUIRED_KINDS and data.get("name_zh") is None:
        report.error(
            data.key_mark("name_zh") if "name_zh" in data else data.value_mark("name"),
            "name_zh",
            f"required for a {kind}: the name Chinese pages show instead of '{data.get('name')}' "
            "(use the glossary's term where there is one)",
        )
    facts = data.get("facts")
    if not isinstance(facts, LocDict):
        return
    status, since, first = facts.get("status"), facts.get("status_since"), facts.get("first_release")
    if isinstance(status, str) and status in STATUSES and status != "active" and since is None:
        report.error(
            facts.key_mark("status_since") if "status_since" in facts else facts.value_mark("status"),
            "facts.status_since",
            f"required when the status is '{status}' (the year it became {status})",
        )
    if first is None and data.get("kind") != "concept" and isinstance(data.get("kind"), str):
        report.error(
            facts.key_mark("first_release") if "first_release" in facts else facts.mark,
            "facts.first_release",
            "required for a component (only concepts may leave it out): the year of its first public "
            "release, with a source that supports it",
        )
    if _is_year(first) and _is_year(since) and first > since:
        report.error(
            facts.value_mark("status_since"),
            "facts.status_since",
            f"{since} is before the first release ({first})",
        )


def _is_year(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_ids(entries: list[RawEntry], problems: list[Problem]) -> dict[str, RawEntry]:
    """Duplicate ids (both files named); returns the first entry for each id."""
    seen: dict[str, list[RawEntry]] = defaultdict(list)
    for entry in entries:
        entry_id = _entry_id(entry)
        if entry_id is not None:
            seen[entry_id].append(entry)
    for entry_id, group in seen.items():
        if len(group) > 1:
            for entry in group:
                others = ", ".join(o.path for o in group if o is not entry)
                Report(entry.path, problems).error(
                    entry.data.value_mark("id"), "id", f"duplicate id '{entry_id}' (also in {others})"
                )
    return {entry_id: group[0] for entry_id, group in seen.items()}


def _written_relations(entries: list[RawEntry]) -> list[WrittenRelation]:
    """Relations whose type and target are well formed (others were reported by the schema)."""
    out = []
    for entry in entries:
        source = _entry_id(entry)
        rels = entry.data.get("relations")
        if source is None or not isinstance(rels, LocList):
            continue
        for i, rel in enumerate(rels):
            if not isinstance(rel, LocDict):
                continue
            rtype, target = rel.get("type"), rel.get("target")
            if isinstance(rtype, str) and rtype in RELATION_TYPES and isinstance(target, str) and target:
                marks = rel._values
                out.append(WrittenRelation(source, rtype, target, i, entry, rels._items[i], marks["target"]))
    return out


def _check_targets(
    relations: list[WrittenRelation],
    by_id: dict[str, RawEntry],
    unreadable: set[str],
    problems: list[Problem],
) -> None:
    """Unknown targets (with did-you-mean, or the id an alias belongs to) and self-relations."""
    aliases: dict[str, str] = {}
    for entry_id, entry in by_id.items():
        names = entry.data.get("aliases")
        for alias in names if isinstance(names, list) else []:
            if isinstance(alias, str):
                aliases.setdefault(alias.lower(), entry_id)
    for rel in relations:
        where = f"relations[{rel.index}].target"
        report = Report(rel.entry.path, problems)
        if rel.target == rel.source:
            report.error(rel.target_mark, where, "an entry cannot relate to itself")
        elif rel.target not in by_id and rel.target not in unreadable:
            owner = aliases.get(rel.target.lower())
            hint = (
                f" ('{rel.target}' is an alias of '{owner}'; use the id)"
                if owner
                else did_you_mean(rel.target, by_id)
            )
            report.error(rel.target_mark, where, f"unknown component '{rel.target}'{hint}")


def _check_duplicates(relations: list[WrittenRelation], problems: list[Problem]) -> None:
    """A relation written twice, or a symmetric one written from both ends."""
    first: dict[tuple[str, str, str], WrittenRelation] = {}
    for rel in relations:
        a, b = rel.source, rel.target
        if RELATION_TYPES[rel.type].symmetric and b < a:
            a, b = b, a
        key = (rel.type, a, b)
        prior = first.setdefault(key, rel)
        if prior is rel:
            continue
        where = f"relations[{rel.index}]"
        report = Report(rel.entry.path, problems)
        at = as_mark(prior.mark)
        if prior.entry is rel.entry:
            report.error(
                rel.mark,
                where,
                f"'{rel.type} {rel.target}' is written twice (first at "
                f"relations[{prior.index}], line {at.line})",
            )
        else:
            report.error(
                rel.mark,
                where,
                f"already written in {prior.entry.path}:{at.line}:"
                f"{at.column} as '{prior.source} {prior.type} {prior.target}'; "
                f"'{rel.type}' goes both ways, so write it once",
            )


def _find_cycles(adjacency: dict[str, list[str]]) -> list[list[str]]:
    """Cycles found by an iterative depth-first search (each as nodes, smallest id first)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in sorted(adjacency):
        if root in state:
            continue
        path = [root]
        state[root] = 1
        stack = [iter(sorted(adjacency.get(root, ())))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    low = cycle.index(min(cycle))
                    cycles.append(cycle[low:] + cycle[:low])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(adjacency.get(nxt, ()))))
    return cycles


def _check_cycles(relations: list[WrittenRelation], problems: list[Problem]) -> None:
    """Cycles among relation types that must be acyclic (succeeded-by, part-of, fork-of)."""
    for rtype, spec in RELATION_TYPES.items():
        if not spec.acyclic:
            continue
        adjacency: dict[str, list[str]] = defaultdict(list)
        edges = {}
        for rel in relations:
            if rel.type == rtype:
                adjacency[rel.source].append(rel.target)
                edges[rel.source, rel.target] = rel
        for cycle in _find_cycles(adjacency):
            chain = " → ".join([*cycle, cycle[0]])
            rel = edges[cycle[0], cycle[1 % len(cycle)]]
            Report(rel.entry.path, problems).error(
                rel.target_mark,
                f"relations[{rel.index}].target",
                f"'{rtype}' relations form a cycle: {chain}; '{rtype}' must never loop",
            )


def _check_orphans(
    entries: list[RawEntry],
    written: list[WrittenRelation],
    known: list[WrittenRelation],
    problems: list[Problem],
) -> None:
    """Warn about entries with no relation in either direction."""
    linked = {r.source for r in written} | {r.target for r in known}
    for entry in entries:
        entry_id = _entry_id(entry)
        rels = entry.data.get("relations")
        if entry_id is None or entry_id in linked or (isinstance(rels, list) and rels):
            continue  # malformed relations were reported as errors already
        mark = entry.data.key_mark("relations") if "relations" in entry.data else entry.data.key_mark("id")
        Report(entry.path, problems).warning(
            mark,
            "relations",
            f"nothing links to '{entry_id}' and it links to nothing; add a relation so the graph reaches it",
        )
