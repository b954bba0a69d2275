"""The knowledge-base entry schema, declared once.

Each mapping of an entry is a `Schema` subclass with one typed attribute per field, each followed
by a one-line docstring (the MkDocs config-schema style). `kb/_example.yaml` shows every field with
comments; `tests/unit/test_kb_example.py` keeps the two in sync. Checking a value appends problems
to a `Report` and never stops at the first.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from atlas.kb.landscape_data import REVIEWABLE_FIELDS, is_item_id
from atlas.kb.licenses import check_license
from atlas.kb.load import LocDict, LocList
from atlas.kb.problems import Report, did_you_mean, one_of, type_name
from atlas.kb.vocabulary import (
    FOUNDATION_STATUSES,
    INVERSE_TYPES,
    KINDS,
    LANGUAGES,
    LAYERS,
    RELATION_TYPES,
    SOURCED_FACTS,
    STATUSES,
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_PATTERN = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$")
CJK_PATTERN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FIRST_YEAR = 1970


def current_year() -> int:
    """This year (no fact may lie after it)."""
    return datetime.date.today().year


class Field:
    """A typed field of a schema mapping."""

    expected = "a value"

    def __init__(self, *, required: bool = False) -> None:
        self.required = required
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Report what is wrong with `value` (written at `mark`, known as `where`)."""


class Text(Field):
    """Non-empty text."""

    expected = "text"

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Text that is not blank."""
        if not isinstance(value, str):
            report.error(mark, where, f"expected {self.expected}, got {type_name(value)}")
        elif not value.strip():
            report.error(mark, where, "must not be empty")


class Id(Text):
    """A lowercase kebab-case id."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Text made of lowercase letters, digits and single hyphens."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
        elif not ID_PATTERN.match(value):
            report.error(
                mark,
                where,
                f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens (kebab-case)",
            )


class Choice(Text):
    """One word of a closed vocabulary."""

    def __init__(self, vocabulary: Mapping[str, object], what: str, *, required: bool = False) -> None:
        super().__init__(required=required)
        self.vocabulary = vocabulary
        self.what = what

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """A key of the vocabulary, with a did-you-mean otherwise."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
        elif value not in self.vocabulary:
            report.error(mark, where, f"unknown {self.what} '{value}'{one_of(value, self.vocabulary)}")


class RelationTypeChoice(Choice):
    """A relation type as written: never a computed inverse."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """A forward relation type; an inverse name says which type to write from the other end."""
        if isinstance(value, str) and value in INVERSE_TYPES:
            forward = INVERSE_TYPES[value].id
            report.error(
                mark,
                where,
                f"'{value}' is computed, never written; write it from the other entry as '{forward}'",
            )
        else:
            super().check(value, mark, where, report)


class Year(Field):
    """A plausible year: 1970 up to this year."""

    expected = "a year"

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """An integer between 1970 and this year."""
        if isinstance(value, bool) or not isinstance(value, int):
            report.error(mark, where, f"expected a year like 2015, got {type_name(value)}")
        elif value < FIRST_YEAR:
            report.error(mark, where, f"{value} is before {FIRST_YEAR}; write the year in full (e.g. 2015)")
        elif value > current_year():
            report.error(mark, where, f"{value} is in the future (this year is {current_year()})")


class Url(Text):
    """An absolute http(s) URL."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """`http://` or `https://`, a host, no spaces."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
            return
        if not URL_PATTERN.match(value):
            report.error(mark, where, f"'{value}' is not an http(s) URL (expected https://host/path)")


class License(Text):
    """An SPDX license identifier or expression."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Known SPDX ids, `LicenseRef-*`, joined by AND/OR/WITH and parentheses."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
            return
        message = check_license(value)
        if message:
            report.error(mark, where, message)


#: The problem of a backtick in plain text (names, summaries: shown as written, not as Markdown).
PLAIN_TEXT = "is plain text, shown as written: no Markdown backticks"


class ChineseText(Text):
    """Plain text written in Chinese: it must contain Chinese characters."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Text with at least one Chinese character and no Markdown backticks."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
        elif not CJK_PATTERN.search(value):
            report.error(
                mark, where, f"'{value}' has no Chinese characters; write the name Chinese readers use"
            )
        elif "`" in value:
            report.error(mark, where, PLAIN_TEXT)


class Bilingual(Field):
    """Text in every site language (en and zh); `plain` text is shown as written (no Markdown)."""

    expected = "a mapping with en and zh"

    def __init__(self, *, required: bool = False, plain: bool = False) -> None:
        super().__init__(required=required)
        self.plain = plain

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """A mapping with non-empty text for each language and nothing else."""
        if not isinstance(value, LocDict):
            report.error(mark, where, f"expected a mapping with 'en' and 'zh' text, got {type_name(value)}")
            return
        for lang in LANGUAGES:
            if lang not in value or value[lang] is None:
                report.error(
                    value.mark,
                    f"{where}.{lang}",
                    f"missing; write it in both languages ({' and '.join(LANGUAGES)})",
                )
            elif not isinstance(value[lang], str):
                report.error(
                    value.value_mark(lang), f"{where}.{lang}", f"expected text, got {type_name(value[lang])}"
                )
            elif not value[lang].strip():
                report.error(value.value_mark(lang), f"{where}.{lang}", "must not be empty")
            elif self.plain and "`" in value[lang]:
                report.error(
                    value.value_mark(lang),
                    f"{where}.{lang}",
                    PLAIN_TEXT + " (write `docker run` as docker run)",
                )
            elif lang == "zh" and not CJK_PATTERN.search(value[lang]):
                report.warning(
                    value.value_mark(lang),
                    f"{where}.zh",
                    "has no Chinese characters; is it still the English text?",
                )
        for key in value:
            if key not in LANGUAGES:
                report.error(
                    value.key_mark(key), f"{where}.{key}", f"unknown language '{key}'{one_of(key, LANGUAGES)}"
                )


class Nested(Field):
    """A mapping checked against another schema."""

    expected = "a mapping"

    def __init__(self, schema: type[Schema], *, required: bool = False) -> None:
        super().__init__(required=required)
        self.schema = schema

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Delegate to the nested schema."""
        self.schema.check(value, mark, where, report)


class ListOf(Field):
    """A list whose items all match one field."""

    expected = "a list"

    def __init__(
        self, item: Field, *, required: bool = False, min_items: int = 0, noun: str = "item"
    ) -> None:
        super().__init__(required=required)
        self.item = item
        self.min_items = min_items
        self.noun = noun

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """Check the list, then each item as `where[i]`."""
        if not isinstance(value, LocList):
            report.error(mark, where, f"expected a list, got {type_name(value)}")
            return
        if len(value) < self.min_items:
            count = "one" if self.min_items == 1 else str(self.min_items)
            report.error(mark, where, f"at least {count} {self.noun} is required")
        marks = value._items
        for i, item in enumerate(value):
            self.item.check(item, marks[i], f"{where}[{i}]", report)


class Schema:
    """A mapping of typed fields, declared as class attributes in order."""

    fields: dict[str, Field] = {}

    def __init_subclass__(cls) -> None:
        cls.fields = {k: v for k, v in vars(cls).items() if isinstance(v, Field)}

    @classmethod
    def check(cls, value: object, mark: object, where: str, report: Report) -> None:
        """Report missing, unknown and mistyped fields of the mapping `value`."""
        if not isinstance(value, LocDict):
            report.error(mark, where or "file", f"expected a mapping, got {type_name(value)}")
            return
        for name, field in cls.fields.items():
            path = f"{where}.{name}" if where else name
            item = value.get(name)
            if item is None:
                if field.required:
                    state = "has no value" if name in value else "is missing"
                    report.error(value.key_mark(name), path, f"required field {state}")
                continue
            field.check(item, value._values.get(name, value._mark), path, report)
        for key in value:
            if key not in cls.fields:
                path = f"{where}.{key}" if where else key
                report.error(value.key_mark(key), path, f"unknown field{did_you_mean(key, cls.fields)}")


class Foundation(Schema):
    """The foundation that hosts the project, and its standing there."""

    name = Text(required=True)
    """Foundation name, e.g. CNCF, OCI, Linux Foundation."""
    status = Choice(FOUNDATION_STATUSES, "foundation status", required=True)
    """sandbox, incubating, graduated, archived, project (hosted) or top-level."""
    since = Year()
    """Year the project reached that status."""


class Facts(Schema):
    """What the facts table of a component page shows."""

    status = Choice(STATUSES, "status", required=True)
    """active, maintenance, deprecated, archived or historical."""
    status_since = Year()
    """Year the status last changed; required unless the status is active."""
    first_release = Year()
    """Year of the first public release (or publication)."""
    license = License()
    """SPDX identifier or expression, or LicenseRef-*."""
    organization = Text()
    """Who makes or made it."""
    homepage = Url()
    """Project home page, http(s)."""
    repository = Url()
    """Source repository, http(s)."""
    foundation = Nested(Foundation)
    """Foundation standing, when there is one."""


class Relation(Schema):
    """A typed link from this entry to another; its inverse is computed."""

    type = RelationTypeChoice(RELATION_TYPES, "relation type", required=True)
    """A forward relation type from the vocabulary (never an inverse)."""
    target = Id(required=True)
    """The id of the other entry."""
    note = Bilingual()
    """Optional remark on the link, in both languages."""


class Source(Schema):
    """A reference that supports the entry's facts."""

    url = Url(required=True)
    """http(s) address of the source."""
    title = Text(required=True)
    """What the source is, as a reader would cite it."""
    supports = ListOf(Choice(SOURCED_FACTS, "fact"))
    """Which facts it backs: first_release, status, license, foundation."""


class ReviewedDifference(Schema):
    """A disagreement with the CNCF landscape that was checked and is right as written."""

    field = Choice(REVIEWABLE_FIELDS, "landscape field", required=True)
    """repository, homepage, maturity or since: which comparison is settled."""
    reason = Text(required=True)
    """Why the entry differs from the landscape (with the evidence in the entry's sources)."""


class LandscapeItemId(Text):
    """landscape2's id of an item: three kebab-case parts joined by `--`."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """`category--subcategory--name`, as `./atlas kb landscape` prints it."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
        elif not is_item_id(value):
            report.error(
                mark,
                where,
                f"'{value}' is not a landscape item id (category--subcategory--name, lowercase; "
                "`./atlas kb landscape` prints it)",
            )


class Landscape(Schema):
    """The entry's item on the CNCF landscape (`./atlas kb landscape` compares the two)."""

    name = Text(required=True)
    """The item's name in landscape.yml, matched before any URL or name guess."""
    item = LandscapeItemId(required=True)
    """landscape2's item id (category--subcategory--name) for the link to landscape.cncf.io."""
    reviewed_differences = ListOf(Nested(ReviewedDifference))
    """Disagreements checked and kept on purpose, each with a reason; not reported again."""


TRY_PROFILES = {"docker": "the docker CLI and the policed gateway", "shell": "a plain shell, no docker CLI"}
TUTORIAL_STEP = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*#[A-Za-z0-9][A-Za-z0-9_.-]*$")


class TutorialStep(Text):
    """A tutorial step as `slug#step-id` (that it exists is checked with the tutorials)."""

    def check(self, value: object, mark: object, where: str, report: Report) -> None:
        """`slug#step-id`, e.g. `limits#memory`."""
        if not isinstance(value, str) or not value.strip():
            super().check(value, mark, where, report)
        elif not TUTORIAL_STEP.match(value):
            report.error(
                mark, where, f"'{value}' is not a tutorial step: write slug#step-id, e.g. limits#memory"
            )


class TryExample(Schema):
    """A runnable example of the entry, or one line saying why it cannot run here (rules: try_rules.py)."""

    run = Text()
    """Shell commands a learner runs in a sandbox (1-6 commands, self-contained, cleaning up)."""
    python = Text()
    """Python run in the browser (Pyodide: standard library + atlasgraph)."""
    shows = Bilingual()
    """With run or python: one sentence on what to look at in the output."""
    profile = Choice(TRY_PROFILES, "sandbox profile")
    """With run: docker (default) or shell."""
    tutorial = TutorialStep()
    """A tutorial step (slug#step-id) that runs it; alone or with run/python."""
    reason = Bilingual()
    """Alone: why the subject cannot run here, one line in each language."""


class Entry(Schema):
    """One component of the ecosystem: one file, `kb/<category>/<id>.yaml`."""

    id = Id(required=True)
    """Lowercase kebab-case; equals the file name."""
    name = Text(required=True)
    """Display name, as people write it."""
    name_zh = ChineseText()
    """Name on Chinese pages (atlas.kb.names); required for a concept, optional for a component."""
    aliases = ListOf(Text())
    """Other names that search should find."""
    kind = Choice(KINDS, "kind", required=True)
    """What sort of component it is (closed vocabulary)."""
    layer = Choice(LAYERS, "layer", required=True)
    """core, platform, support or concepts; the layer of the entry's folder."""
    summary = Bilingual(required=True, plain=True)
    """One plain sentence, en and zh (no Markdown: cards, search and meta tags show it as written)."""
    description = Bilingual(required=True)
    """Markdown paragraphs, en and zh."""
    facts = Nested(Facts, required=True)
    """Status, years, license, organisation, links, foundation."""
    relations = ListOf(Nested(Relation))
    """Typed links to other entries, each written once."""
    sources = ListOf(Nested(Source), required=True, min_items=1, noun="source")
    """At least one URL with a title; together they back every dated, licence and status fact."""
    landscape = Nested(Landscape)
    """The entry's item on the CNCF landscape, when it has one."""


# `try` is a Python keyword, so the field is added by name (after `landscape`, as files write it).
Entry.fields["try"] = Nested(TryExample)
Entry.fields["try"].name = "try"


def field_paths(schema: type[Schema] = Entry, prefix: str = "") -> list[str]:
    """Every field of the schema as a dotted path (`facts.foundation.since`, `relations.note`)."""
    paths: list[str] = []
    for name, field in schema.fields.items():
        path = f"{prefix}{name}"
        paths.append(path)
        inner = field.item if isinstance(field, ListOf) else field
        if isinstance(inner, Nested):
            paths.extend(field_paths(inner.schema, f"{path}."))
        elif isinstance(inner, Bilingual):
            paths.extend(f"{path}.{lang}" for lang in LANGUAGES)
    return paths
