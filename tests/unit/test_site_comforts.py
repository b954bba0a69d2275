"""Reader comforts in the built site: edit links to the source files, dark-mode toggle, no
requests for files that do not exist (hreflang links, sitemap)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from atlas import ROOT
from atlas.sitegen.publish import build_site
from site_fixture import write_docs, write_kb

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    out = root / "site"
    build_site(write_kb(root / "kb"), out, docs_dir=write_docs(root / "docs"))
    return out


def edit_link(html: str) -> str | None:
    m = re.search(r'<a href="([^"]*)"[^>]*rel="edit"', html)
    return m.group(1) if m else None


def test_edit_links_go_to_the_yaml_or_markdown_file(built):
    cfg = yaml.safe_load(re.sub(r"!!python\S+", "", (ROOT / "mkdocs.yml").read_text(encoding="utf-8")))
    repo = cfg["repo_url"].rstrip("/")
    root = cfg["edit_uri"].removesuffix("docs/")  # the repository root, for files outside docs/
    cat = json.loads((built / "data" / "v1" / "graph.json").read_text(encoding="utf-8"))
    for e in cat["entries"][:5]:
        for lang in ("", "zh/"):
            html = (built / lang / "components" / e["id"] / "index.html").read_text(encoding="utf-8")
            assert edit_link(html) == f"{repo}/{root}{e['file']}"
    home = (built / "index.html").read_text(encoding="utf-8")
    assert edit_link(home) == f"{repo}/{cfg['edit_uri']}index.md"
    cat_page = (built / "categories" / "runtimes" / "index.html").read_text(encoding="utf-8")
    assert edit_link(cat_page) == f"{repo}/{root}src/atlas/kb/vocabulary.py"


def test_every_page_has_the_dark_mode_toggle(built):
    for p in ("index.html", "stats/index.html", "zh/components/runc/index.html"):
        html = (built / p).read_text(encoding="utf-8")
        assert 'data-md-color-scheme="slate"' in html and 'data-md-component="palette"' in html


def test_no_page_points_at_files_that_do_not_exist(built):
    """Material fetches sitemap.xml under every <link rel=alternate>, and under the site root."""
    pages = list(built.rglob("index.html"))
    assert len(pages) > 20
    for p in pages:
        assert 'rel="alternate"' not in p.read_text(encoding="utf-8"), p
    assert (built / "sitemap.xml").is_file()
