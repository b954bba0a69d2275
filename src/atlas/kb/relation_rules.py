"""What `part-of` means, and the relations that contradict it.

`A part-of B` says A ships inside B (swarm mode inside Docker Engine, a CLI inside its project).
Then A does not also *use* B, and neither is an *alternative* to the other; a concept is an idea,
never a whole that a component is part of (one concept may be part of another). A `uses` link
whose note says the source is built into, or part of, the target is the same mistake written the
other way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from atlas.kb.load import LocDict
from atlas.kb.problems import Problem, Report

if TYPE_CHECKING:
    from atlas.kb.validate import WrittenRelation

#: Relation types that cannot hold between a part and its whole (in either direction).
EXCLUDED_BY_PART_OF = ("uses", "alternative-to")

_INSIDE = r"\b(built into|runs inside|part of|a component of|bundled (?:in|with)) (?:the )?"


def check_part_of(
    relations: list[WrittenRelation], data: dict[str, LocDict], problems: list[Problem]
) -> None:
    """Report part-of links to concepts, relations that contradict a part-of, and `uses` that mean part-of."""
    parts = {(r.source, r.target): r for r in relations if r.type == "part-of"}
    for rel in relations:
        report = Report(rel.entry.path, problems)
        where = f"relations[{rel.index}]"
        if rel.type == "part-of":
            target, source = data.get(rel.target), data.get(rel.source)
            concept = [isinstance(d, LocDict) and d.get("kind") == "concept" for d in (source, target)]
            if concept == [False, True]:
                report.error(
                    rel.target_mark,
                    f"{where}.target",
                    f"'{rel.target}' is a concept, and a component is never part of an idea; "
                    "use 'uses' or 'related-to'",
                )
            continue
        if rel.type in EXCLUDED_BY_PART_OF:
            whole = parts.get((rel.source, rel.target)) or parts.get((rel.target, rel.source))
            if whole is not None:
                report.error(
                    rel.mark,
                    where,
                    f"'{whole.source} part-of {whole.target}' is written in {whole.entry.path}; "
                    f"a part and its whole are not also '{rel.type}'; remove one of them",
                )
                continue
        if rel.type == "uses":
            _check_uses_note(rel, data.get(rel.target), report, where)


def _check_uses_note(rel: WrittenRelation, target: object, report: Report, where: str) -> None:
    """A `uses` whose note says the source ships inside the target ("built into Docker Engine")."""
    rels = rel.entry.data.get("relations")
    note = rels[rel.index].get("note") if rels is not None else None
    text = note.get("en") if isinstance(note, LocDict) else None
    name = target.get("name") if isinstance(target, LocDict) else None
    names = [re.escape(n) for n in (rel.target, name) if isinstance(n, str) and n]
    pattern = re.compile(_INSIDE + "(?:" + "|".join(names) + r")\b", re.I)
    if isinstance(text, str) and (m := pattern.search(text)):
        report.error(
            rel.mark,
            f"{where}.type",
            f"the note says '{m.group(1)}': when '{rel.source}' ships inside '{rel.target}', "
            f"write 'part-of {rel.target}' instead of 'uses'",
        )
