"""Reader comforts in the built site: edit links to the source files, dark-mode toggle, no
requests for files that do not exist (hreflang links, sitemap)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from atlas.errors import AtlasError
from atlas.sitegen.publish import build_site, check_repo_url
from site_fixture import REASONS, write_docs, write_kb

pytestmark = pytest.mark.slow


REPO = "https://git.example.org/team/atlas"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    out = root / "site"
    build_site(
        write_kb(root / "kb", tries=REASONS), out, docs_dir=write_docs(root / "docs"), repo_url=REPO + "/"
    )
    return out


def edit_link(html: str) -> str | None:
    m = re.search(r'<a href="([^"]*)"[^>]*rel="edit"', html)
    return m.group(1) if m else None


def test_edit_links_go_to_the_yaml_or_markdown_file(built):
    cat = json.loads((built / "data" / "v1" / "graph.json").read_text(encoding="utf-8"))
    for e in cat["entries"][:5]:
        for lang in ("", "zh/"):
            html = (built / lang / "components" / e["id"] / "index.html").read_text(encoding="utf-8")
            assert edit_link(html) == f"{REPO}/edit/main/{e['file']}"
    home = (built / "index.html").read_text(encoding="utf-8")
    assert edit_link(home) == f"{REPO}/edit/main/docs/index.md"
    assert f'<a href="{REPO}" title=' in home  # the header's repository link
    cat_page = (built / "categories" / "runtimes" / "index.html").read_text(encoding="utf-8")
    assert edit_link(cat_page) == f"{REPO}/edit/main/src/atlas/kb/vocabulary.py"


def test_without_a_repository_url_pages_have_no_edit_or_repository_link(fixture_site):
    """mkdocs.yml names no repository: a build without --repo-url links to none (no made-up address)."""
    out = fixture_site["out"]  # built without repo_url
    for p in ("index.html", "components/runc/index.html", "zh/categories/runtimes/index.html"):
        html = (out / p).read_text(encoding="utf-8")
        assert edit_link(html) is None and 'class="md-source"' not in html, p


def test_repository_url_settings():
    assert check_repo_url("https://gitlab.example.com/a/b", "-/edit/trunk/docs") == {
        "repo_url": "https://gitlab.example.com/a/b",
        "repo_name": "a/b",
        "edit_uri": "-/edit/trunk/docs/",
    }
    assert check_repo_url("")["repo_url"] is None
    with pytest.raises(AtlasError, match=r"--repo-url \(or ATLAS_REPO_URL\): 'github.com/a/b'"):
        check_repo_url("github.com/a/b")


def test_the_option_and_variable_reach_the_build(monkeypatch, tmp_path):
    from atlas import cli

    seen = {}
    monkeypatch.setattr("atlas.sitegen.publish.build_site", lambda **kw: seen.update(kw))
    monkeypatch.setenv("ATLAS_REPO_URL", REPO)
    cli.main(["build", "--out", str(tmp_path / "s")])
    assert (seen["repo_url"], seen["edit_uri"]) == (REPO, None)
    cli.main(["build", "--out", str(tmp_path / "s"), "--repo-url", "https://x.example/r", "--edit-uri", "e/"])
    assert (seen["repo_url"], seen["edit_uri"]) == ("https://x.example/r", "e/")


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
