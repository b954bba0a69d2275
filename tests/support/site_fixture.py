"""A small, valid knowledge base and docs folder for site-build tests (written into tmp)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENTRY = """id: {id}
name: {name}
aliases: [{aliases}]
kind: {kind}
layer: {layer}
summary:
  en: {name} is a fixture {kind} that the site tests use.
  zh: {name} 是站点测试使用的{zh_kind}。
description:
  en: |
    {name} does one thing well and `talks` to **other** parts.
  zh: |
    {name} 专注做好一件事，并与其他部分通信。
facts:
  status: {status}
{since}  first_release: 2014
  license: Apache-2.0
  organization: Fixture Org
  homepage: https://example.org/{id}
relations:
{relations}
sources:
  - url: https://example.org/{id}/docs
    title: {name} docs
    supports: [status, first_release, license]
"""

ENTRIES = [
    ("oci-runtime-spec", "OCI runtime spec", "specs", "spec", "core", "规范", "active", [], []),
    ("runc", "runc", "runtimes", "runtime", "core", "运行时", "active", ["run-c"],
     [("implements", "oci-runtime-spec")]),
    ("rkt", "rkt", "runtimes", "runtime", "core", "运行时", "archived", ["rocket"],
     [("implements", "oci-runtime-spec"), ("succeeded-by", "runc"), ("alternative-to", "runc")]),
    ("containerd", "containerd", "runtimes", "runtime", "core", "运行时", "active", [], [("uses", "runc")]),
    ("kubernetes", "Kubernetes", "orchestration", "orchestrator", "platform", "编排引擎", "active", ["k8s"],
     [("uses", "containerd")]),
]  # fmt: skip

TUTORIAL = """---
title: {title}
profile: docker
next: ""
teaches: [containerd, runc]
steps:
  - id: start
    title: {step}
checks:
  start:
    run: docker ps
    expect: httpd
    hint:
      en: Start it.
      zh: 启动它。
---

# {title}

## {step} {{#start}}

The engine asks [[containerd]], which asks [runc](../components/runc.md) to start it.

```run profile="docker" step="first-container/start"
docker run -d -p 80:80 httpd
```

<div class="atlas-check" data-atlas-check="first-container/start"></div>
"""


#: A `try:` with a reason for each entry that no fixture tutorial step mentions: a KB that builds
#: (an entry with neither an example nor a reason is an error). Pass as write_kb(..., tries=REASONS).
REASONS = {
    eid: f"try:\n  reason:\n    en: The fixture {eid} has nothing to run.\n"
    f"    zh: 夹具条目 {eid} 没有可运行的内容。\n"
    for eid in ("oci-runtime-spec", "rkt", "kubernetes")
}


def write_kb(directory: Path, tries: dict[str, str] | None = None) -> Path:
    """Write the fixture KB into `directory` and return it.

    `tries` maps an entry id to the `try:` block appended to its file; without it the entries that no
    tutorial mentions have none (what the try-rule tests check); a KB to build needs REASONS.
    """
    for eid, name, cat, kind, layer, zh_kind, status, aliases, rels in ENTRIES:
        (directory / cat).mkdir(parents=True, exist_ok=True)
        rel_yaml = "".join(f"  - type: {t}\n    target: {x}\n" for t, x in rels) if rels else "  []\n"
        text = ENTRY.format(
            id=eid, name=name, kind=kind, layer=layer, zh_kind=zh_kind, status=status,
            aliases=", ".join(aliases), since="" if status == "active" else "  status_since: 2020\n",
            relations=rel_yaml,
        )  # fmt: skip
        if not rels:
            text = text.replace("relations:\n  []\n", "relations: []\n")
        text += (tries or {}).get(eid, "")
        (directory / cat / f"{eid}.yaml").write_text(text, encoding="utf-8")
    return directory


def write_docs(directory: Path) -> Path:
    """Copy the site's own top-level pages and add one tutorial with a runnable block."""
    directory.mkdir(parents=True, exist_ok=True)
    for page in (ROOT / "docs").glob("*.md"):
        if not page.name.startswith("sandbox-policy"):
            shutil.copy(page, directory / page.name)
    (directory / "tutorials").mkdir()
    tutorials = directory / "tutorials"
    en = TUTORIAL.format(title="Your first container", step="Start a container")
    (tutorials / "first-container.md").write_text(en, encoding="utf-8")
    zh = TUTORIAL.format(title="你的第一个容器", step="启动一个容器")
    (tutorials / "first-container.zh.md").write_text(zh, encoding="utf-8")
    return directory


def build_fixture_site(root: Path) -> dict[str, Path]:
    """Write the fixture KB and docs under `root` and build the site into root/site (plain options).

    Returns {"kb", "docs", "out", "root"}. Tests share one such build per session (the
    `fixture_site` fixture of tests/conftest.py) and must only read it; a test that rebuilds or
    changes options builds its own.
    """
    from atlas.sitegen.publish import build_site

    kb = write_kb(root / "kb", tries=REASONS)
    docs = write_docs(root / "docs")
    out = root / "site"
    build_site(kb, out, docs_dir=docs)
    return {"kb": kb, "docs": docs, "out": out, "root": root}
