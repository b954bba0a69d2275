"""A synthetic knowledge base for benchmarks: realistic, valid, bilingual entries.

`write_synthetic_kb(dir, 2000, 6000)` writes `dir/<category>/<id>.yaml` files that pass
`./atlas kb check` with no problems (every entry linked, no cycles, no duplicates).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from atlas.kb.names import NAME_ZH_REQUIRED_KINDS
from atlas.kb.schema import current_year
from atlas.kb.vocabulary import CATEGORIES, FOUNDATION_STATUSES, KINDS, RELATION_TYPES, STATUSES

#: The usual kind of each category folder.
DEFAULT_KINDS: dict[str, str] = {
    "specs": "spec",
    "runtimes": "runtime",
    "management-tools": "management-tool",
    "image-tools": "image-tool",
    "registries": "registry",
    "container-os": "container-os",
    "orchestration": "orchestrator",
    "management-platforms": "management-platform",
    "paas": "paas",
    "networking": "networking",
    "service-discovery": "service-discovery",
    "monitoring": "monitoring",
    "storage": "storage",
    "logging": "logging",
    "security": "security",
    "developer-desktops": "desktop",
    "wasm": "wasm-runtime",
    "kubernetes-distributions": "installer",
    "app-definition": "packaging",
    "ci-cd": "ci-cd",
    "serverless": "serverless",
    "service-mesh": "service-mesh",
    "virtualization": "virtualization",
    "service-proxy": "proxy",
    "tracing": "tracing",
    "policy": "policy",
    "secrets-identity": "secrets",
    "supply-chain": "supply-chain",
    "concepts": "concept",
}

_SYLLABLES = "ka lo mi ne ru sa to vi ze bo da fe gu hi ja ko lu ma no pi qua re si tu".split()
_LICENSES = ["Apache-2.0", "MIT", "BSD-3-Clause", "GPL-2.0-only", "MPL-2.0", "Apache-2.0 OR MIT", "ISC"]
_ORGS = ["Example Foundation", "Acme Cloud", "Open Containers Group", "Linux Foundation", "Independent"]
_FOUNDATIONS = ["CNCF", "OCI", "Linux Foundation", "Apache Software Foundation"]

_ENTRY = """\
id: {id}
name: {name}
{name_zh}aliases: [{alias}]
kind: {kind}
layer: {layer}
summary:
  en: {summary_en}
  zh: {summary_zh}
description:
  en: |
    {name} is a synthetic {kind} used to measure how fast Container Atlas handles a large
    knowledge base. It first shipped in {first}, and it talks to other components through
    well-known interfaces such as `config.json` and the image manifest.

    A second paragraph explains **why** it matters and links ideas together.
  zh: |
    {name} 是一个合成的 {kind} 条目，用来测量 Container Atlas 处理大型知识库的速度。\
它于 {first} 年首次发布，并通过 `config.json` 和镜像清单等通用接口与其他组件协作。

    第二段解释它**为什么**重要，并把相关概念串联起来。
facts:
  status: {status}
  status_since: {since}
  first_release: {first}
  license: {license}
  organization: {org}
  homepage: https://{id}.example.org/
  repository: https://github.com/example/{id}
{foundation}relations:
{relations}sources:
  - url: https://{id}.example.org/docs
    title: {name} documentation
    supports: [license, status, foundation]
  - url: https://github.com/example/{id}/releases
    title: {name} releases
    supports: [first_release]
"""


def _name(rng: random.Random, i: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() + f" {i}"


def _relations(rng: random.Random, n_entries: int, n_relations: int) -> list[list[tuple[str, int]]]:
    """Relations per source index: every entry linked, acyclic types point to lower indexes."""
    forward = [t for t in RELATION_TYPES]
    seen: set[tuple[int, int]] = set()  # one relation per pair (a part-of excludes uses/alternative-to)
    out: list[list[tuple[str, int]]] = [[] for _ in range(n_entries)]
    concept = list(CATEGORIES).index("concepts")

    def add(src: int, dst: int, rtype: str) -> bool:
        spec = RELATION_TYPES[rtype]
        if spec.acyclic and dst > src:
            src, dst = dst, src
        key = (min(src, dst), max(src, dst))
        if src == dst or key in seen:
            return False
        if rtype == "part-of" and dst % len(CATEGORIES) == concept and src % len(CATEGORIES) != concept:
            return False  # a component is never part of a concept
        seen.add(key)
        out[src].append((rtype, dst))
        return True

    count = 0
    for i in range(1, n_entries):
        if count >= n_relations:
            break
        count += add(i, rng.randrange(i), rng.choice(forward))
    while count < n_relations:
        count += add(rng.randrange(n_entries), rng.randrange(n_entries), rng.choice(forward))
    return out


def write_synthetic_kb(
    directory: Path, n_entries: int = 2000, n_relations: int = 6000, seed: int = 1
) -> Path:
    """Write a valid synthetic KB of `n_entries` entries and `n_relations` written relations.

    Returns `directory`. Needs `n_relations >= n_entries - 1` for every entry to be linked.
    """
    directory = Path(directory)
    rng = random.Random(seed)
    categories = list(CATEGORIES.values())
    ids = [f"synthetic-{categories[i % len(categories)].id}-{i:05d}" for i in range(n_entries)]
    relations = _relations(rng, n_entries, n_relations)
    year = current_year()
    statuses = list(STATUSES)
    for category in categories:
        (directory / category.id).mkdir(parents=True, exist_ok=True)
    for i, entry_id in enumerate(ids):
        category = categories[i % len(categories)]
        name = _name(rng, i)
        kind = DEFAULT_KINDS[category.id]
        first = rng.randint(2000, year - 1)
        status = rng.choice(statuses)
        foundation = ""
        if rng.random() < 0.3:
            foundation = (
                f"  foundation:\n    name: {rng.choice(_FOUNDATIONS)}\n"
                f"    status: {rng.choice(list(FOUNDATION_STATUSES))}\n"
                f"    since: {rng.randint(first, year)}\n"
            )
        rel_lines = []
        for rtype, dst in relations[i]:
            rel_lines.append(f"  - type: {rtype}\n    target: {ids[dst]}\n")
            if rng.random() < 0.2:
                rel_lines.append(
                    f"    note:\n      en: Connected since {first}.\n      zh: 自 {first} 年起相互关联。\n"
                )
        text = _ENTRY.format(
            id=entry_id,
            name=name,
            name_zh=f"name_zh: {name} 概念\n" if kind in NAME_ZH_REQUIRED_KINDS else "",
            alias=json.dumps(name.lower().replace(" ", "-")),
            kind=kind,
            layer=category.layer,
            summary_en=json.dumps(
                f"{name} is a {KINDS[kind].en.lower()} in the {category.label.en.lower()} category."
            ),
            summary_zh=json.dumps(
                f"{name} 是“{category.label.zh}”类别中的一个{KINDS[kind].zh}。", ensure_ascii=False
            ),
            status=status,
            since="null" if status == "active" else rng.randint(first, year),
            first=first,
            license=json.dumps(rng.choice(_LICENSES)),
            org=rng.choice(_ORGS),
            foundation=foundation,
            relations="".join(rel_lines) or "  []\n",
        )
        (directory / category.id / f"{entry_id}.yaml").write_text(text, encoding="utf-8")
    return directory


#: A tiny real-world KB for tests: (id, category, kind, name, status, status_since, relations).
SAMPLE: list[tuple[str, str, str, str, str, int | None, list[tuple[str, str]]]] = [
    ("oci-runtime-spec", "specs", "spec", "OCI Runtime Specification", "active", None, []),
    ("kubernetes-cri", "specs", "spec", "Kubernetes CRI", "active", None, []),
    ("runc", "runtimes", "runtime", "runc", "active", None, [("implements", "oci-runtime-spec")]),
    ("crun", "runtimes", "runtime", "crun", "active", None,
     [("implements", "oci-runtime-spec"), ("alternative-to", "runc")]),
    ("containerd", "runtimes", "runtime", "containerd", "active", None,
     [("implements", "kubernetes-cri"), ("uses", "runc")]),
    ("cri-o", "runtimes", "runtime", "CRI-O", "active", None,
     [("implements", "kubernetes-cri"), ("uses", "runc")]),
    ("docker-engine", "management-tools", "management-tool", "Docker Engine", "active", None,
     [("uses", "containerd")]),
    ("docker-cli", "management-tools", "management-tool", "Docker CLI", "active", None,
     [("uses", "docker-engine")]),
    ("podman", "management-tools", "management-tool", "Podman", "active", None,
     [("alternative-to", "docker-engine"), ("uses", "crun")]),
    ("kubernetes", "orchestration", "orchestrator", "Kubernetes", "active", None,
     [("uses", "kubernetes-cri")]),
    ("kubectl", "orchestration", "management-tool", "kubectl", "active", None, [("uses", "kubernetes")]),
    ("heapster", "monitoring", "monitoring", "Heapster", "archived", 2018,
     [("monitors", "kubernetes"), ("succeeded-by", "metrics-server")]),
    ("metrics-server", "monitoring", "monitoring", "Metrics Server", "active", None,
     [("monitors", "kubernetes")]),
    ("container", "concepts", "concept", "Container", "active", None, []),
]  # fmt: skip


#: Chinese names of the sample's concepts (written last, so the other fields keep their line numbers).
SAMPLE_NAMES_ZH = {"container": "容器"}


def write_sample_kb(directory: Path) -> Path:
    """Write a 14-entry KB of real components (kubectl → … → runc, heapster → metrics-server).

    Valid, with one warning: the concept `container` has no relations. Returns `directory`.
    """
    directory = Path(directory)
    for entry_id, category, kind, name, status, since, rels in SAMPLE:
        layer = CATEGORIES[category].layer
        lines = [
            f"id: {entry_id}",
            f"name: {name}",
            f"kind: {kind}",
            f"layer: {layer}",
            "summary:",
            f"  en: {name} is a {KINDS[kind].en.lower()}.",
            f"  zh: {name} 是一个{KINDS[kind].zh}。",
            "description:",
            f"  en: |\n    {name} appears here so tests have real names to follow.",
            f"  zh: |\n    {name} 出现在这里，让测试有真实的名字可循。",
            "facts:",
            f"  status: {status}",
            f"  status_since: {since if since else 'null'}",
            "  first_release: 2015",
            "  license: Apache-2.0",
            f"  homepage: https://example.org/{entry_id}",
            "relations:" if rels else "relations: []",
            *(f"  - type: {rtype}\n    target: {target}" for rtype, target in rels),
            "sources:",
            f"  - url: https://example.org/{entry_id}/docs",
            f"    title: {name} documentation",
            "    supports: [first_release, license, status]",
            *([f"name_zh: {SAMPLE_NAMES_ZH[entry_id]}"] if entry_id in SAMPLE_NAMES_ZH else []),
        ]
        (directory / category).mkdir(parents=True, exist_ok=True)
        (directory / category / f"{entry_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory
