"""The architecture page (en + zh) names only modules and folders that exist, and answers the
three "where is" questions with paths."""

from __future__ import annotations

import re

import pytest
from realparts import ROOT

PAGES = ["docs/architecture.md", "docs/architecture.zh.md"]
#: A repository path as the page writes it: a known top folder, then path parts; a file or a folder/.
PATH = re.compile(r"(?<![\w./-])((?:src|sandbox|site-src|tests|kb|docs)/[\w.<>/-]*[\w/])")


def named_paths(text: str) -> set[str]:
    """Every concrete repository path in `text` (templates such as `kb/<category>/<id>.yaml` left out)."""
    return {p for p in PATH.findall(text) if "<" not in p}


@pytest.mark.parametrize("page", PAGES)
def test_every_path_the_page_names_exists(page):
    paths = named_paths((ROOT / page).read_text(encoding="utf-8"))
    assert len(paths) > 30, "the page names the real modules of each flow"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"{page} names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_the_three_questions_are_answered_with_paths(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    for path in ("src/atlas/kb/schema.py", "sandbox/terminal.py", "sandbox/gateway/policy/"):
        assert path in text
    assert text.count("```text") >= 3, "one diagram per flow: KB field, keystroke, docker run"


def test_the_scan_finds_paths_in_prose_tables_and_diagrams():
    text = "see `src/atlas/cli.py`, | `sandbox/gateway/policy/` |\n  │  sandbox/gateway/server.py   the proxy"
    assert named_paths(text) == {"src/atlas/cli.py", "sandbox/gateway/policy/", "sandbox/gateway/server.py"}
    assert named_paths("`kb/<category>/<id>.yaml`") == set()
