"""The site build from a small fixture KB: pages, links, languages, banner, atomic swap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from atlas.errors import BuildError, KBError
from atlas.sitegen.linkcheck import broken_links
from atlas.sitegen.publish import build_site
from site_fixture import REASONS, write_docs, write_kb

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(fixture_site) -> dict[str, Path]:
    """The fixture site, built once per session (tests/conftest.py); these tests only read it."""
    return fixture_site


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.rglob("*")
    }


def test_every_internal_link_resolves(built):
    assert broken_links(built["out"]) == []


def test_every_english_page_has_a_chinese_page(built):
    out = built["out"]
    en = {
        p.relative_to(out)
        for p in out.rglob("index.html")
        if p.relative_to(out).parts[0] not in ("zh", "assets")
    }
    missing = [str(p) for p in en if not (out / "zh" / p).is_file()]
    assert len(en) > 15 and missing == []


def test_component_page_shows_facts_relations_both_directions_and_sources(built):
    spec = page(built["out"], "components/oci-runtime-spec")
    assert "OCI runtime spec implemented by" in spec
    assert 'href="../../components/runc/"' in spec and 'href="../../components/rkt/"' in spec
    runc = page(built["out"], "components/runc")
    assert "runc successor of" in runc and "runc implements" in runc
    assert "Apache-2.0" in runc and "https://example.org/runc/docs" in runc
    assert '<figure class="atlas-nb" role="group"' in runc  # the neighbourhood picture
    zh = page(built["out"], "zh/components/runc")
    assert "runc 实现了" in zh and "基本信息" in zh and "许可证" in zh


def test_archived_banner_names_the_successor(built):
    rkt = page(built["out"], "components/rkt")
    assert 'data-atlas-status="archived"' in rkt
    assert (
        "Archived since 2020" in rkt and 'What replaced it: <a href="../../components/runc/">runc</a>' in rkt
    )
    zh = page(built["out"], "zh/components/rkt")
    assert "自 2020 年起已归档" in zh and '取代它的是： <a href="../../components/runc/">runc</a>' in zh
    assert "atlas-banner" not in page(built["out"], "components/runc")


def test_try_it_links_the_tutorial_step_that_mentions_the_component(built):
    for cid in ("runc", "containerd"):
        html = page(built["out"], f"components/{cid}")
        assert 'href="../../tutorials/first-container/#start"' in html
    assert "#start" not in page(built["out"], "components/rkt")


def test_runnable_block_and_terminal_assets_only_where_needed(built):
    tut = page(built["out"], "tutorials/first-container")
    assert (
        '<div class="atlas-run" data-atlas-run data-profile="docker" data-step="first-container/start">\n'
        '  <pre class="highlight"><code class="language-sh">docker run -d -p 80:80 httpd</code></pre>\n'
        "</div>"
    ) in tut
    assert "xterm-" in tut and "xterm-" not in page(built["out"], "")
    assert "cytoscape" in page(built["out"], "graph") and "cytoscape" not in page(
        built["out"], "components/runc"
    )
    assert 'href="../../components/containerd/"' in tut  # [[containerd]] became a link


def test_page_config_reaches_js(built):
    for url, lang in (("components/runc", "en"), ("zh/components/runc", "zh")):
        html = page(built["out"], url)
        raw = html.split('<script type="application/json" id="atlas-config">', 1)[1].split("</script>", 1)[0]
        cfg = json.loads(raw)
        assert cfg["api"] == "/api" and cfg["lang"] == lang


def test_language_switch_keeps_the_page(built):
    en = page(built["out"], "components/runc")
    assert 'href="../../zh/components/runc/" hreflang="zh"' in en
    zh = page(built["out"], "zh/components/runc")
    assert 'href="../../../components/runc/" hreflang="en"' in zh


def test_home_map_and_category_table(built):
    home = page(built["out"], "")
    assert 'href="components/runc/"' in home and 'href="categories/runtimes/"' in home
    assert "Core technologies" in home and "核心技术" in page(built["out"], "zh")
    table = page(built["out"], "categories/runtimes")
    assert '<th scope="col">First release</th>' in table and ">containerd</a>" in table


def test_graph_json_is_the_export_catalog(built):
    from atlas.kb.export import catalog

    shipped = json.loads((built["out"] / "assets" / "graph.json").read_text(encoding="utf-8"))
    assert shipped == catalog(built["kb"])
    layout = json.loads((built["out"] / "assets" / "graph-layout.json").read_text())
    assert set(layout) == {e["id"] for e in shipped["entries"]}


def test_search_index_has_chinese_segmented_terms(built):
    index = json.loads((built["out"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    zh_docs = [d for d in index["docs"] if d["location"].startswith("zh/components/")]
    # jieba split the Chinese text into words; the browser matches a query against these words
    assert zh_docs and any("运行" in d["text"].split("\u200b") for d in zh_docs)
    assert any(d["location"] == "components/runc/" for d in index["docs"])


def test_bad_kb_leaves_the_previous_site_untouched(built, tmp_path):
    bad = write_kb(tmp_path / "kb", tries=REASONS)
    text = (bad / "runtimes" / "runc.yaml").read_text()
    (bad / "runtimes" / "runc.yaml").write_text(
        text.replace("target: oci-runtime-spec", "target: oci-runtim-spec")
    )
    before = snapshot(built["out"])
    with pytest.raises(KBError) as err:
        build_site(bad, built["out"], docs_dir=built["docs"])
    assert any("oci-runtim-spec" in str(p) for p in err.value.problems)
    assert snapshot(built["out"]) == before
    assert not list(built["out"].parent.glob("site.build-*"))


def test_broken_page_leaves_the_previous_site_untouched(built, tmp_path):
    docs = write_docs(tmp_path / "docs")
    (docs / "architecture.md").write_text("# Architecture\n\nSee [nothing](no-such-page.md).\n")
    before = snapshot(built["out"])
    with pytest.raises(BuildError) as err:
        build_site(built["kb"], built["out"], docs_dir=docs)
    assert "no-such-page.md" in str(err.value) and "architecture.md" in str(err.value)
    assert snapshot(built["out"]) == before
    assert not list(built["out"].parent.glob("site.build-*"))


@pytest.fixture(scope="module")
def rebuilt(built, tmp_path_factory) -> Path:
    """A second build, with the public address, over a folder holding a stale page."""
    out = tmp_path_factory.mktemp("rebuilt") / "site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    build_site(built["kb"], out, docs_dir=built["docs"], site_url="https://atlas.example.org/learn")
    return out


def test_rebuild_replaces_the_site(rebuilt):
    out = rebuilt
    assert not (out / "stale.html").exists() and (out / "components" / "runc" / "index.html").is_file()


def test_sitemap_only_with_the_public_address(built, rebuilt):
    """Without --site-url the one sitemap lists no page (MkDocs would write "None" addresses; Material
    asks for it on every page); with it the sitemap lists every page at that address, Chinese
    alternates included."""
    maps = [p.relative_to(built["out"]).as_posix() for p in built["out"].rglob("sitemap.xml*")]
    assert maps == ["sitemap.xml"]
    assert "<loc>" not in (built["out"] / "sitemap.xml").read_text(encoding="utf-8")
    out = rebuilt  # built with site_url="https://atlas.example.org/learn"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "None" not in sitemap
    assert "<loc>https://atlas.example.org/learn/components/runc/</loc>" in sitemap
    assert 'hreflang="zh" href="https://atlas.example.org/learn/zh/components/runc/"' in sitemap
    assert '<link rel="canonical" href="https://atlas.example.org/learn/components/runc/">' in page(
        out, "components/runc"
    )


@pytest.mark.parametrize("bad", ["atlas.example.org", "ftp://atlas.example.org/", "https://x.org/?a=1"])
def test_bad_site_url_is_refused_and_the_site_kept(built, bad):
    before = snapshot(built["out"])
    with pytest.raises(BuildError, match=r"--site-url .*not an absolute http\(s\) address"):
        build_site(built["kb"], built["out"], docs_dir=built["docs"], site_url=bad)
    assert snapshot(built["out"]) == before


def test_home_leads_through_the_tutorials(built):
    for url, words in (("", "tutorials"), ("zh", "个教程")):
        home = page(built["out"], url)
        assert "<!-- atlas:series -->" not in home
        assert words in home and 'href="tutorials/first-container/"' in home
