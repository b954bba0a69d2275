"""`./atlas kb landscape`: the knowledge base compared with the CNCF landscape data.

Each component entry is matched to a landscape item: by its declared `landscape.name` first, then
by repository URL, then by homepage (when only one item has it), then by normalised name. The report
lists (1) entries whose repository, homepage, CNCF maturity or maturity year disagree with their item,
unless the entry declares that difference reviewed (`landscape.reviewed_differences`); (2) CNCF
dates of matched projects that the entry never mentions; (3) items of the container-ecosystem part
of the landscape (`ECOSYSTEM`) with no entry yet, CNCF maturity first: the contributors' to-do list.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from atlas.kb.landscape_data import Item, item_url, read_landscape
from atlas.kb.load import LocDict, load_kb

# The container-ecosystem part of the landscape: category -> its subcategories (None: all of them).
# Left out: provisioning automation (IaC), RPC, databases, streaming, chaos engineering, feature
# flags, cost, hosted Kubernetes services, serverless hosted platforms, AI, members and training.
ECOSYSTEM: dict[str, tuple[str, ...] | None] = {
    "Provisioning": ("Container Registry", "Security & Compliance", "Key Management"),
    "Runtime": None,
    "Orchestration & Management": (
        "Scheduling & Orchestration",
        "Coordination & Service Discovery",
        "Service Proxy",
        "API Gateway",
        "Service Mesh",
    ),
    "App Definition and Development": (
        "Application Definition & Image Build",
        "Continuous Integration & Delivery",
    ),
    "Platform": (
        "Certified Kubernetes - Distribution",
        "Certified Kubernetes - Installer",
        "PaaS/Container Service",
    ),
    "Serverless": ("Installable Platform",),
    "Observability and Analysis": ("Observability",),
    "Wasm": ("Runtimes", "Orchestration & Management"),
}
NOT_TECHNOLOGY = ("CNCF Members", "Special")  # organisations, never matched to an entry
RANK = {"graduated": 0, "incubating": 1, "sandbox": 2, "archived": 3}
MATURITY_DATE = {
    "sandbox": ("accepted",),
    "incubating": ("incubating", "accepted"),
    "graduated": ("graduated",),
}
MATURITY_DATE["archived"] = ("archived",)


def in_ecosystem(item: Item) -> bool:
    """Whether the item lies in the container-ecosystem part of the landscape."""
    if item.category not in ECOSYSTEM:
        return False
    subs = ECOSYSTEM[item.category]
    return subs is None or item.subcategory in subs


def norm_url(url: str | None) -> str:
    """A URL reduced for comparison: no scheme, `www.`, `.git`, trailing slash or case."""
    if not url:
        return ""
    u = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    return re.sub(r"(\.git)?/*$", "", u)


def norm_name(name: str) -> str:
    """A name reduced to lowercase letters and digits."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass
class Finding:
    """One line of the report, about one entry (or one landscape item)."""

    entry: str
    file: str
    line: int
    field: str
    ours: str
    landscape: str
    item: str
    url: str
    reason: str = ""


class _Index:
    def __init__(self, items: list[Item]) -> None:
        self.by_name: dict[str, Item] = {}
        self.by_repo: dict[str, Item] = {}
        self.by_home: dict[str, list[Item]] = {}
        self.by_norm: dict[str, Item] = {}
        for it in sorted(items, key=lambda it: not in_ecosystem(it)):  # ecosystem items win name ties
            if it.category in NOT_TECHNOLOGY:
                continue
            self.by_name.setdefault(it.name, it)
            self.by_norm.setdefault(norm_name(it.name), it)
            if it.repository:
                self.by_repo.setdefault(norm_url(it.repository), it)
            if it.homepage:
                self.by_home.setdefault(norm_url(it.homepage), []).append(it)

    def match(self, data: LocDict) -> tuple[Item | None, str]:
        facts = data.get("facts") or {}
        declared = _map(data.get("landscape")).get("name")
        if declared:
            return self.by_name.get(declared), "declared"
        hit = self.by_repo.get(norm_url(facts.get("repository")))
        if hit:
            return hit, "repository"
        homes = self.by_home.get(norm_url(facts.get("homepage")), [])
        if len(homes) == 1 and not facts.get("repository"):
            return homes[0], "homepage"
        for name in [data.get("name") or "", *_aliases(data)]:
            hit = self.by_norm.get(norm_name(str(name)))
            if hit:
                return hit, "name"
        return None, ""


def _map(value: object) -> dict:
    """`value` if it is a mapping, else an empty one (`kb check` reports the wrong shape)."""
    return value if isinstance(value, dict) else {}


def _aliases(data: dict) -> list:
    aliases = data.get("aliases")
    return aliases if isinstance(aliases, list) else []


def _names(data: dict) -> set[str]:
    return {norm_name(str(n)) for n in [data.get("name") or "", *_aliases(data)]}


def _strong(data: dict, item: Item) -> bool:
    """Whether the entry names the item: declared, or the same normalised name."""
    declared = _map(data.get("landscape")).get("name")
    return declared == item.name if declared else norm_name(item.name) in _names(data)


def _cncf_standing(facts: dict) -> str | None:
    fd = _map(facts.get("foundation"))
    return fd.get("status") if str(fd.get("name", "")).upper() == "CNCF" else None


def _maturity_year(item: Item) -> tuple[str, int] | None:
    for key in MATURITY_DATE.get(item.maturity or "", ()):
        if item.dates.get(key):
            return key, int(item.dates[key][:4])
    return None


def _differences(data: LocDict, item: Item) -> list[tuple[str, str, str]]:
    """(field, ours, landscape's) for each comparison that disagrees."""
    facts = data.get("facts") or {}
    out = []
    for fld, theirs in (("repository", item.repository), ("homepage", item.homepage)):
        ours = facts.get(fld)
        if ours and theirs and norm_url(ours) != norm_url(theirs):
            out.append((fld, ours, theirs))
    standing = _cncf_standing(facts)
    if standing != item.maturity:
        out.append(
            ("maturity", f"CNCF {standing}" if standing else "not a CNCF project", item.maturity or "none")
        )
    elif standing and _map(facts.get("foundation")).get("since") and _maturity_year(item):
        key, year = _maturity_year(item)  # type: ignore[misc]
        since = facts["foundation"]["since"]
        if since != year:
            out.append(("since", str(since), f"{year} ({key} {item.dates[key]})"))
    return out


def _line(data: LocDict, fld: str) -> int:
    facts = data.get("facts")
    if fld in ("repository", "homepage") and isinstance(facts, LocDict) and fld in facts:
        return facts.value_mark(fld).line
    if fld in ("maturity", "since") and isinstance(facts, LocDict) and "foundation" in facts:
        return facts.value_mark("foundation").line
    if "landscape" in data:
        return data.key_mark("landscape").line
    return data.mark.line


def compare(kb_dir: Path, data_file: Path) -> dict:
    """The whole report as a JSON-ready mapping (see the module docstring for its sections)."""
    items = read_landscape(data_file)
    index = _Index(items)
    kb = load_kb(Path(kb_dir))
    report: dict = {
        k: [] for k in ("disagreements", "reviewed", "stale_reviews", "unlinked", "missing_dates")
    }
    matched: dict[str, list[str]] = {}
    for raw in kb.entries:
        data = raw.data
        if data is None or data.get("layer") == "concepts" or not isinstance(data.get("facts"), dict):
            continue
        item, how = index.match(data)
        declared = _map(data.get("landscape"))
        if item is None:
            if declared:
                f = Finding(
                    data["id"], raw.path, _line(data, "name"), "name", declared.get("name", ""), "", "", ""
                )
                f.reason = "no item of that name in the landscape data"
                report["disagreements"].append(f)
            continue
        if how in ("repository", "homepage") and norm_name(item.name) not in _names(data):
            strong = [r for r in kb.entries if r.data and _strong(r.data, item) and r is not raw]
            if strong:
                continue  # a part of the project (kubeadm, dockershim) shares the item's repository
        matched.setdefault(item.item_id, []).append(data["id"])

        def finding(fld: str, ours: str, theirs: str, reason: str = "", d=data, r=raw, it=item) -> Finding:
            return Finding(d["id"], r.path, _line(d, fld), fld, ours, theirs, it.name, it.url, reason)

        if not declared:
            report["unlinked"].append(finding("landscape", "", item.item_id, f"matched by {how}"))
        elif declared.get("item") != item.item_id:
            report["disagreements"].append(finding("item", str(declared.get("item")), item.item_id))
        reviews = declared.get("reviewed_differences")
        reviewed = {r.get("field"): r.get("reason", "") for r in reviews or [] if isinstance(r, dict)}
        diffs = _differences(data, item)
        for fld, ours, theirs in diffs:
            bucket = "reviewed" if fld in reviewed else "disagreements"
            report[bucket].append(finding(fld, ours, theirs, reviewed.get(fld, "")))
        for fld in sorted(set(reviewed) - {d[0] for d in diffs}):
            report["stale_reviews"].append(finding(fld, "", "", "no longer differs; remove the review"))
        _missing_dates(data, item, finding, report["missing_dates"])
    by_id = {it.item_id: it for it in items}
    covered_repos = {norm_url(by_id[i].repository) for i in matched if by_id[i].repository}
    missing = sorted(  # an item listing the repository of a matched one ("containerd (Wasm)") is covered
        (
            it
            for it in items
            if in_ecosystem(it) and it.item_id not in matched and norm_url(it.repository) not in covered_repos
        ),
        key=lambda it: (RANK.get(it.maturity or "", 4), it.name.lower()),
    )
    out = {k: [asdict(f) for f in v] for k, v in report.items()}
    out["missing_items"] = [
        {
            "name": it.name,
            "maturity": it.maturity,
            "category": f"{it.category} / {it.subcategory}",
            "url": item_url(it.item_id),
            "repository": it.repository,
        }
        for it in missing
    ]
    out["counts"] = {
        "items": len(items),
        "ecosystem_items": sum(1 for it in items if in_ecosystem(it)),
        "entries_matched": sum(len(v) for v in matched.values()),
        "items_matched": len(matched),
        "disagreements": len(out["disagreements"]),
        "reviewed": len(out["reviewed"]),
        "missing_dates": len(out["missing_dates"]),
        "missing_items": {m: sum(1 for it in missing if it.maturity == m) for m in RANK}
        | {"other": sum(1 for it in missing if not it.maturity)},
    }
    return out


def _missing_dates(data: LocDict, item: Item, finding, out: list) -> None:
    """CNCF dates of the item whose year the entry gives neither as foundation.since nor in its text."""
    if not item.maturity or not item.dates:
        return
    facts = data.get("facts") or {}
    since = _map(facts.get("foundation")).get("since")
    text = " ".join(str(v) for v in _map(data.get("description")).values())
    for key, date in item.dates.items():
        year = int(date[:4])
        if year != since and str(year) not in text:
            out.append(finding(f"dates.{key}", "", date, f"CNCF {key} date not in the entry"))
