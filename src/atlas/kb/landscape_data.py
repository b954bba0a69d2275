"""Reading a CNCF landscape data file (`landscape.yml`, the format landscape2 consumes).

The file is `landscape: [{category: ..., name, subcategories: [{subcategory: ..., name, items:
[{item: ..., name, homepage_url, repo_url, project, extra: {accepted, incubating, graduated,
archived, ...}}]}]}]`. Every shape problem is an `AtlasError` naming `file:line:column` and the
path of the bad value (`landscape[3].subcategories[1].items[7].name`), never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from atlas.errors import AtlasError
from atlas.kb.load import LocDict, LocList, parse_mapping
from atlas.kb.problems import Report, type_name

LANDSCAPE_URL = "https://landscape.cncf.io/"
MATURITIES = ("graduated", "incubating", "sandbox", "archived")
DATE_FIELDS = ("accepted", "incubating", "graduated", "archived")


@dataclass
class Item:
    """One landscape item, with where it sits."""

    name: str
    category: str
    subcategory: str
    homepage: str | None = None
    repository: str | None = None
    maturity: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def item_id(self) -> str:
        """landscape2's id of the item: `category--subcategory--name`, each normalised."""
        return "--".join(normalize_id(x) for x in (self.category, self.subcategory, self.name))

    @property
    def url(self) -> str:
        """The item's page on the CNCF landscape."""
        return item_url(self.item_id)


def normalize_id(value: str) -> str:
    """landscape2's name normalisation (crates/core/src/util.rs): spaces and every character that is
    not a letter, digit, '-' or '+' become '-', letters are lowercased, runs of '-' collapse to one and
    one trailing '-' is dropped ("OPA/Gatekeeper" -> "opa-gatekeeper")."""
    chars = (c.lower() if c.isalpha() or c.isnumeric() or c in "-+" else "-" for c in value)
    text = re.sub(r"-{2,}", "-", "".join(chars))
    return text[:-1] if text.endswith("-") else text


def is_item_id(value: str) -> bool:
    """Whether `value` looks like a landscape2 item id: three normalised names joined by '--'."""
    parts = value.split("--")
    return len(parts) == 3 and all(p and normalize_id(p) == p for p in parts)


def item_url(item_id: str) -> str:
    """The CNCF landscape address that opens item `item_id`."""
    return f"{LANDSCAPE_URL}?item={item_id}"


def _fail(path: str, value: object, where: str, message: str) -> AtlasError:
    mark = getattr(value, "mark", None)
    pos = f":{mark.line}:{mark.column}" if mark else ""
    return AtlasError(f"{path}{pos}: {where}: {message}")


def _list(path: str, parent: LocDict, key: str, where: str) -> LocList:
    value = parent.get(key)
    if value is None:
        return LocList(parent._mark)
    if not isinstance(value, LocList):
        raise _fail(path, parent, f"{where}.{key}", f"expected a list, got {type_name(value)}")
    return value


def _mapping(path: str, value: object, where: str) -> LocDict:
    if not isinstance(value, LocDict):
        raise AtlasError(f"{path}: {where}: expected a mapping, got {type_name(value)}")
    return value


def _name(path: str, value: LocDict, where: str) -> str:
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, value, f"{where}.name", "missing or not text")
    return name.strip()


def read_landscape(path: Path) -> list[Item]:
    """Every item of the landscape data file at `path`, in file order."""
    path = Path(path)
    if not path.is_file():
        raise AtlasError(f"{path}: landscape data file not found (pass --data landscape.yml)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AtlasError(f"{path}: cannot read the landscape data file: {exc}") from exc
    problems: list = []
    root = parse_mapping(text, Report(str(path), problems), "a landscape data file")
    if problems:
        p = problems[0]
        raise AtlasError(f"{path}:{p.line}:{p.column}: {p.field}: {p.message}")
    assert root is not None
    if "landscape" not in root:
        raise AtlasError(f"{path}:1:1: landscape: missing (the file's top key is 'landscape:')")
    items: list[Item] = []
    categories = root.get("landscape")
    if not isinstance(categories, LocList):
        raise _fail(str(path), root, "landscape", f"expected a list, got {type_name(categories)}")
    for i, cat in enumerate(categories):
        where = f"landscape[{i}]"
        cat = _mapping(f"{path}:{categories.item_mark(i).line}", cat, where)
        cat_name = _name(str(path), cat, where)
        subs = _list(str(path), cat, "subcategories", where)
        for j, sub in enumerate(subs):
            swhere = f"{where}.subcategories[{j}]"
            sub = _mapping(f"{path}:{subs.item_mark(j).line}", sub, swhere)
            sub_name = _name(str(path), sub, swhere)
            raw_items = _list(str(path), sub, "items", swhere)
            for k, raw in enumerate(raw_items):
                iwhere = f"{swhere}.items[{k}]"
                raw = _mapping(f"{path}:{raw_items.item_mark(k).line}", raw, iwhere)
                items.append(_item(str(path), raw, iwhere, cat_name, sub_name))
    return items


def _item(path: str, raw: LocDict, where: str, category: str, subcategory: str) -> Item:
    extra = raw.get("extra")
    if extra is not None and not isinstance(extra, LocDict):
        raise _fail(path, raw, f"{where}.extra", f"expected a mapping, got {type_name(extra)}")
    maturity = raw.get("project")
    if maturity is not None and maturity not in MATURITIES:
        raise _fail(path, raw, f"{where}.project", f"'{maturity}' is not one of {', '.join(MATURITIES)}")
    dates = {k: str(extra[k]) for k in DATE_FIELDS if extra and extra.get(k)}
    return Item(
        name=_name(path, raw, where),
        category=category,
        subcategory=subcategory,
        homepage=raw.get("homepage_url") or None,
        repository=raw.get("repo_url") or None,
        maturity=maturity,
        dates=dates,
        line=raw.mark.line,
    )


REVIEWABLE_FIELDS: dict[str, str] = {
    "repository": "the entry's facts.repository differs from the item's repo_url",
    "homepage": "the entry's facts.homepage differs from the item's homepage_url",
    "maturity": "the entry's CNCF standing (facts.foundation) differs from the item's project",
    "since": "the entry's facts.foundation.since differs from the year of the item's maturity date",
}
