"""Rules on what an entry says: every dated, licence, status or maturity fact has a source, and its
Chinese is stored unwrapped and uses the glossary's terms. Both report into the entry's `Report`."""

from __future__ import annotations

from atlas.cjk import wrapped_lines
from atlas.kb.glossary import term_problems
from atlas.kb.load import LocDict, LocList
from atlas.kb.problems import Mark, Report, as_mark
from atlas.kb.vocabulary import LANGUAGES, SOURCED_FACTS

#: Facts that need no source: an active project shows it, a closed service has no licence text.
_SELF_EVIDENT = {("status", "active"), ("license", "LicenseRef-Proprietary")}


def check_sourced_facts(data: LocDict, report: Report) -> None:
    """Each dated, licence, status or maturity fact is backed by a source listing it in `supports`."""
    facts, sources = data.get("facts"), data.get("sources")
    if not isinstance(facts, LocDict) or not isinstance(sources, LocList) or not sources:
        return  # no sources at all is reported once, by the schema
    backed: set[str] = set()
    for source in sources:
        supports = source.get("supports") if isinstance(source, LocDict) else None
        if isinstance(supports, list):
            backed.update(s for s in supports if isinstance(s, str))
    for fact in SOURCED_FACTS:
        value = facts.get(fact)
        if value is None or fact in backed or (isinstance(value, str) and (fact, value) in _SELF_EVIDENT):
            continue
        report.warning(
            facts.value_mark(fact),
            f"facts.{fact}",
            f"no source backs it; add 'supports: [{fact}]' to the source (a URL with a title) that "
            "shows it, or add such a source",
        )


def _chinese_texts(data: LocDict) -> list[tuple[str, LocDict]]:
    """(field path, bilingual mapping) of every en/zh text of an entry."""
    out = [(k, data.get(k)) for k in ("summary", "description")]
    rels = data.get("relations")
    for i, rel in enumerate(rels if isinstance(rels, LocList) else []):
        if isinstance(rel, LocDict):
            out.append((f"relations[{i}].note", rel.get("note")))
    return [(where, v) for where, v in out if isinstance(v, LocDict)]


def check_chinese(data: LocDict, report: Report) -> None:
    """Chinese stored unwrapped (a break between two Chinese characters shows as a space) and
    written with the glossary's terms."""
    name, name_zh = data.get("name"), data.get("name_zh")
    if isinstance(name, str) and isinstance(name_zh, str):
        for message in term_problems(name, name_zh):
            report.warning(data.value_mark("name_zh"), "name_zh", message)
    for where, texts in _chinese_texts(data):
        text = texts.get(LANGUAGES[1])
        if not isinstance(text, str):
            continue
        en = texts.get(LANGUAGES[0])
        for message in term_problems(en, text) if isinstance(en, str) else []:
            report.warning(texts.value_mark(LANGUAGES[1]), f"{where}.zh", message)
        at = as_mark(texts.value_mark(LANGUAGES[1]))
        indent = as_mark(texts.key_mark(LANGUAGES[1])).column + 2
        lines = text.split("\n")
        for i in wrapped_lines(text):
            report.error(
                Mark(at.line + 1 + i, indent + len(lines[i].rstrip())),
                f"{where}.zh",
                f"a line break between two Chinese characters ('{lines[i].rstrip()[-6:]}' / "
                f"'{lines[i + 1].strip()[:6]}') shows as a space; write the paragraph on one line",
            )
