"""The browser's UI strings (site-src/assets/js/strings.js): one table, both languages, one term each.

strings.js is read by Node (the same ES module the browser imports), so the test sees the table the
pages see. The scripts ask for strings by key (t("terminal.run")); every key a script names must exist, or
the page would show an error instead of a label.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from realparts import ROOT, need

JS = ROOT / "site-src" / "assets" / "js"
#: Chinese terms the glossary rules out, with the term to use instead.
RULED_OUT = {"沙盒": "沙箱"}
#: Strings that are the same in both languages (key names).
SAME_IN_BOTH = {"terminal.ctrlc"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def strings() -> dict[str, dict[str, str]]:
    """The STRINGS table of strings.js as Node imports it."""
    node = shutil.which("node")
    need("Node.js", node is not None, "apt-get install nodejs")
    url = json.dumps((JS / "strings.js").as_uri())
    script = f"const m = await import({url}); console.log(JSON.stringify(m.STRINGS));"
    proc = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def keys_used() -> dict[str, str]:
    """Every string key a script names (a literal "<module>.<name>"): key -> the file naming it."""
    used = {}
    literal = re.compile(r'"((?:terminal|tutorial|graph|python)\.[A-Za-z0-9.]*[A-Za-z0-9])"')
    for path in sorted(JS.glob("*.js")):
        if path.name != "strings.js":
            used.update((key, path.name) for key in literal.findall(path.read_text(encoding="utf-8")))
    return used


def test_every_string_has_english_and_chinese_with_the_same_placeholders(strings):
    assert len(strings) > 50
    for key, entry in strings.items():
        assert set(entry) == {"en", "zh"}, f"strings.js: {key}: languages {sorted(entry)}, expected en and zh"
        assert entry["en"].strip() and entry["zh"].strip(), f"strings.js: {key}: empty text"
        en, zh = set(PLACEHOLDER.findall(entry["en"])), set(PLACEHOLDER.findall(entry["zh"]))
        assert en == zh, f"strings.js: {key}: placeholders differ: en {sorted(en)}, zh {sorted(zh)}"


def test_chinese_strings_are_chinese_and_use_the_glossary_terms(strings):
    for key, entry in strings.items():
        zh = entry["zh"]
        if key not in SAME_IN_BOTH:
            assert CJK.search(zh), f"strings.js: {key}.zh: {zh!r} has no Chinese; is it translated?"
        for bad, good in RULED_OUT.items():
            assert bad not in zh, f"strings.js: {key}.zh: uses {bad}; the site's term is {good}"


def test_every_key_a_script_uses_exists(strings):
    used = keys_used()
    assert {"terminal.run", "tutorial.check", "graph.path", "python.run"} <= set(used)
    missing = {key: name for key, name in used.items() if key not in strings}
    assert not missing, f"keys used but not in strings.js: {missing}"


def test_ui_text_shown_from_the_docs_uses_the_glossary_terms():
    """Hints in tutorial front matter (shown by tutorial.js), the pages and the KB use the same terms."""
    for path in sorted([*(ROOT / "docs").rglob("*.md"), *(ROOT / "kb").rglob("*.yaml")]):
        text = path.read_text(encoding="utf-8")
        for bad, good in RULED_OUT.items():
            lines = [i for i, line in enumerate(text.splitlines(), 1) if bad in line]
            assert not lines, f"{path.relative_to(ROOT)}:{lines[0]}: uses {bad}; the site's term is {good}"


def test_no_script_defines_its_own_strings_or_el():
    """One home for UI text and for making elements: strings.js and common.js."""
    for path in sorted(JS.glob("*.js")):
        if path.name in {"strings.js", "common.js"}:
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\bfunction el\(", source), f"{path.name} defines its own el()"
        assert not CJK.search(source), f"{path.name} has Chinese text outside strings.js"
