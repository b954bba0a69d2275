"""Chinese pages name concepts in Chinese: the page title and heading, its relation links, and the
`[[id]]` links of a hand-written Chinese page (one browser page load; the rest reads built HTML)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.playwright


def _zh_names() -> dict[str, str]:
    """Each concept's Chinese name, as its KB file writes it."""
    out = {}
    for path in (ROOT / "kb" / "concepts").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["id"]] = data["name_zh"]
    return out


def test_a_chinese_concept_page_and_its_links_use_chinese_names(page, site_url, built_site):
    names = _zh_names()
    page.goto(site_url + "/zh/components/microservices/")
    assert page.locator("article h1").inner_text() == names["microservices"] == "微服务"
    assert page.title().startswith("微服务")
    links = page.eval_on_selector_all(
        ".atlas-relations a", "as => as.map(a => [a.getAttribute('href'), a.textContent])"
    )
    concepts = [(re.search(r"components/([a-z0-9-]+)/", h).group(1), text) for h, text in links]
    concepts = [(i, text) for i, text in concepts if i in names]
    assert concepts and all(text == names[i] for i, text in concepts), concepts
    # a hand-written Chinese tutorial writes [[seccomp]]: its link reads as the Chinese name
    tutorial = (built_site / "zh" / "tutorials" / "limits" / "index.html").read_text(encoding="utf-8")
    texts = re.findall(r'<a href="[./]*components/seccomp/">([^<]+)</a>', tutorial)
    assert texts and set(texts) == {names["seccomp"]}, texts
    assert re.search(r"[\u4e00-\u9fff]", names["seccomp"])
