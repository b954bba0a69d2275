"""The "Try it" section built from `try:` (fixture KB): a ▶ block, a Python block, a tutorial step link,
a one-line reason, in both languages; the terminal/Pyodide scripts load only where an example is; the
stats page and data/v1/runnable.json count the runnable pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from atlas.sitegen.publish import build_site
from site_fixture import write_docs, write_kb

pytestmark = pytest.mark.slow

TRIES = {
    "runtimes/rkt.yaml": """try:
  run: |
    docker run --rm busybox echo "<hello & bye>"
  shows:
    en: The container prints a `greeting`.
    zh: 容器打印一句问候。
""",
    "specs/oci-runtime-spec.yaml": """try:
  python: |
    import json
    print(json.dumps({"ociVersion": "1.0.2"}))
  shows:
    en: A config.json starts with its spec version.
    zh: config.json 以规范版本开头。
  tutorial: first-container#start
""",
    "orchestration/kubernetes.yaml": """try:
  reason:
    en: Needs a Kubernetes cluster; the sandbox runs containers on one Docker engine.
    zh: 需要一个 Kubernetes 集群，而沙箱只在一个 Docker 引擎上运行容器。
""",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site-try")
    kb = write_kb(root / "kb")
    for rel, block in TRIES.items():
        path = kb / rel
        path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    docs = write_docs(root / "docs")
    build_site(kb, root / "site", docs_dir=docs)
    return root / "site"


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def section(html: str) -> str:
    """The Try it section of a component page (up to the next heading)."""
    assert 'id="try-it"' in html, "no Try it section"
    return html.split('id="try-it"', 1)[1].split("<h2", 1)[0]


def test_run_example_is_a_runnable_block_with_what_it_shows(out):
    for url, shows in (
        ("components/rkt", "The container prints a <code>greeting</code>."),
        ("zh/components/rkt", "容器打印一句问候。"),
    ):
        html = page(out, url)
        part = section(html)
        assert (
            '<div class="atlas-run" data-atlas-run data-profile="docker">\n'
            '  <pre class="highlight"><code class="language-sh">'
            'docker run --rm busybox echo "&lt;hello &amp; bye&gt;"</code></pre>\n</div>'
        ) in part
        assert shows in part
        assert "assets/js/terminal.js" in html and "xterm" in html  # ▶ works on this page
        assert "assets/js/pyrun.js" not in html


def test_python_example_and_tutorial_step(out):
    html = page(out, "components/oci-runtime-spec")
    part = section(html)
    assert '<div class="atlas-pyrun" data-atlas-pyrun><pre><code class="language-python">import json' in part
    assert "A config.json starts with its spec version." in part
    assert (
        '<a href="../../tutorials/first-container/#start">Your first container › Start a container</a>'
        in part
    )
    assert "assets/js/pyrun.js" in html and "assets/js/terminal.js" not in html
    zh = section(page(out, "zh/components/oci-runtime-spec"))
    assert "你的第一个容器 › 启动一个容器" in zh and "config.json 以规范版本开头。" in zh


def test_reason_is_one_line_in_both_languages(out):
    en = section(page(out, "components/kubernetes"))
    assert (
        '<p class="atlas-try-reason"><strong>Can&#x27;t run here:</strong> Needs a Kubernetes cluster;' in en
    )
    assert "data-atlas-run" not in en
    zh = section(page(out, "zh/components/kubernetes"))
    assert "无法在此运行：</strong>需要一个 Kubernetes 集群" in zh  # no space after a full-width colon


def test_mentions_stay_and_pages_without_anything_have_no_section(out):
    runc = section(page(out, "components/runc"))  # mentioned by the tutorial only
    assert 'href="../../tutorials/first-container/#start"' in runc
    html = page(out, "components/rkt")
    assert html.count('id="try-it"') == 1


def test_runnable_share_in_data_and_stats(out):
    data = json.loads((out / "data/v1/runnable.json").read_text(encoding="utf-8"))
    # runnable: rkt (run), oci-runtime-spec (python + step), runc and containerd (tutorial mentions);
    # kubernetes has a reason, so 4 of 5
    assert (data["entries"], data["runnable"], data["share"]) == (5, 4, 80.0)
    assert data["by_layer"]["core"] == {"entries": 4, "runnable": 4, "share": 100.0}
    assert data["by_layer"]["platform"] == {"entries": 1, "runnable": 0, "share": 0.0}
    stats = page(out, "stats")
    assert (
        'data-atlas-try-share="4 5"' in stats and "4 of 5 entry pages (80%) have a runnable example" in stats
    )
    assert (
        '<tr data-layer="platform"><td>Platform technologies</td><td>1</td><td>0</td><td>0%</td></tr>'
        in stats
    )
    assert "5 个条目页中有 4 个（80%）" in page(out, "zh/stats")
    assert "terminal.js" not in stats  # no ▶ block on the stats page
