"""Site-build parts that need no MkDocs run: fences, fast Markdown, URLs, layout, tutorial scan."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml
from atlas.content.mentions import scan_mentions
from atlas.sitegen import fences, mdlite
from atlas.sitegen.layout import graph_layout
from atlas.sitegen.model import rel_url

ROOT = Path(__file__).resolve().parents[2]


def test_run_fence_renders_the_contract():
    opts: dict = {}
    assert fences.validate_run("run", {"profile": "docker", "step": "first-container/2"}, opts, {}, None)
    html = fences.format_run("docker run -d -p 80:80 httpd\n", "run", "atlas-run", opts, None)
    assert html == (
        '<div class="atlas-run" data-atlas-run data-profile="docker" data-step="first-container/2">\n'
        '  <pre class="highlight"><code class="language-sh">docker run -d -p 80:80 httpd</code></pre>\n'
        "</div>"
    )


def test_run_fence_defaults_to_shell_and_escapes():
    html = fences.format_run("echo '<b>' && ls\n", "run", "atlas-run", {}, None)
    assert 'data-profile="shell"' in html and "data-step" not in html
    assert "echo '&lt;b&gt;' &amp;&amp; ls" in html


def test_run_fence_rejects_unknown_options():
    assert not fences.validate_run("run", {"profile": "root"}, {}, {}, None)
    assert not fences.validate_run("run", {"image": "x"}, {}, {}, None)


def test_pyrun_fence_placeholder():
    html = fences.format_pyrun("print(1 < 2)\n", "pyrun", "atlas-pyrun", {}, None)
    assert html == (
        '<div class="atlas-pyrun" data-atlas-pyrun><pre><code class="language-python">'
        "print(1 &lt; 2)</code></pre></div>"
    )


def _descriptions() -> list[str]:
    out = []
    for path in sorted((ROOT / "kb").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out += [v for v in (data.get("description") or {}).values() if isinstance(v, str)]
    return out


@pytest.mark.parametrize(
    "text",
    [
        "Plain *em*, **bold**, `code <x>` and [a link](https://example.org).\n\nSecond & last.",
        "- a list\n- goes to Markdown",
        "snake_case_name stays, _em_ goes to Markdown",
        "Quotes \"stay\" and 'single' too; a * alone",
    ],
)
def test_fast_markdown_matches_python_markdown(text):
    md = markdown.Markdown(extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    assert mdlite.to_html(text) == md.convert(text)


def test_fast_markdown_matches_python_markdown_on_the_real_kb():
    md = markdown.Markdown(extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    texts = _descriptions()
    for text in texts:
        md.reset()
        assert mdlite.to_html(text) == md.convert(text), text[:200]


def test_relative_urls_between_pages():
    assert rel_url("components/runc/", "components/crun/") == "../../components/crun/"
    assert rel_url("", "components/runc/") == "components/runc/"
    assert rel_url("categories/runtimes/", "") == "../../"
    assert rel_url("", "") == "./"


def test_layout_places_every_entry_apart():
    cat = {
        "vocabulary": {"layers": {"core": {}}, "categories": {"runtimes": {"layer": "core"}}},
        "entries": [{"id": f"e{i}", "category": "runtimes"} for i in range(50)],
    }
    pos = graph_layout(cat)
    assert len(pos) == 50 and len({tuple(p) for p in pos.values()}) == 50


def test_tutorial_scan_finds_steps_and_anchors(tmp_path):
    (tmp_path / "tutorials").mkdir()
    (tmp_path / "tutorials" / "registries.md").write_text(
        "---\ntitle: Registries\n---\n# Registries\n\n"
        "## Run a registry {#run}\n\nUse [[docker-registry]].\n\n"
        "## Push the image\n\nSee [Hub](../components/docker-hub.md).\n\n```run\n[[not-a-mention]]\n```\n",
        encoding="utf-8",
    )
    found = scan_mentions(tmp_path, "en")
    assert found["docker-registry"][0].anchor == "run"
    assert found["docker-hub"][0].anchor == "push-the-image"
    assert found["docker-hub"][0].tutorial_title == "Registries"
    assert "not-a-mention" not in found
