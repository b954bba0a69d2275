"""The marking loader: same values as PyYAML's safe_load, plus positions."""

from __future__ import annotations

import yaml
from atlas.kb.load import LocDict, LocList, parse_entry
from atlas.kb.problems import Mark, Report

TEXT = """\
plain: runc
quoted: "2015"
year: 2015
under: 1_000
hex: 0x1F
octal: 017
float: 1.5
inf: .inf
yes_: yes
off_: Off
null_: ~
empty:
date: 2015-06-22
list: [a, 1, true, null]
nested:
  - key: value
    other: 3
"""


def test_values_match_pyyaml_safe_load():
    problems: list = []
    data = parse_entry(TEXT, Report("x.yaml", problems))
    expected = yaml.safe_load(TEXT)
    expected["date"] = "2015-06-22"  # timestamps stay text: the schema wants plain years
    assert problems == []
    assert data == expected
    assert isinstance(data["year"], int) and isinstance(data["yes_"], bool) and data["quoted"] == "2015"


def test_positions_of_keys_values_and_items():
    data = parse_entry(TEXT, Report("x.yaml", []))
    assert isinstance(data, LocDict) and data.mark == Mark(1, 1)
    assert data.key_mark("year") == Mark(3, 1)
    assert data.value_mark("year") == Mark(3, 7)
    items = data["list"]
    assert isinstance(items, LocList) and items.item_mark(2) == Mark(14, 14)
    nested = data["nested"][0]
    assert nested.key_mark("other") == Mark(17, 5) and nested.value_mark("other") == Mark(17, 12)
    assert data.key_mark("missing") == Mark(1, 1)
