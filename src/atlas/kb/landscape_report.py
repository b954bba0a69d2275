"""The `./atlas kb landscape` command: print `atlas.kb.landscape.compare` as text or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from atlas.kb.landscape import compare


def _where(f: dict) -> str:
    return f"{f['file']}:{f['line']}: {f['field']}"


def format_text(rep: dict) -> str:
    """The report for people: counts, then one section per finding kind."""
    c = rep["counts"]
    miss = c["missing_items"]
    lines = [
        f"landscape: {c['items']} items, {c['ecosystem_items']} in the container ecosystem; "
        f"{c['entries_matched']} entries match {c['items_matched']} items",
        f"disagreements: {c['disagreements']} unreviewed, {c['reviewed']} reviewed",
        "",
        f"== Disagreements ({len(rep['disagreements'])}) ==",
    ]
    for f in rep["disagreements"]:
        theirs = f" vs landscape '{f['landscape']}'" if f["landscape"] else ""
        why = f" ({f['reason']})" if f["reason"] else ""
        lines.append(f"{_where(f)}: ours '{f['ours']}'{theirs} [{f['item'] or '-'}]{why}")
    if rep["stale_reviews"]:
        lines += ["", f"== Reviewed differences that no longer differ ({len(rep['stale_reviews'])}) =="]
        lines += [f"{_where(f)}: {f['reason']}" for f in rep["stale_reviews"]]
    lines += ["", f"== Entries without a landscape: block ({len(rep['unlinked'])}) =="]
    for f in rep["unlinked"]:
        lines.append(
            f"{f['file']}: add  landscape: {{name: {f['item']!r}, item: {f['landscape']}}}  ({f['reason']})"
        )
    lines += ["", f"== CNCF dates the entries lack ({len(rep['missing_dates'])}) =="]
    lines += [f"{f['file']}: {f['field']} {f['landscape']} [{f['item']}]" for f in rep["missing_dates"]]
    counts = ", ".join(f"{n} {m}" for m, n in miss.items())
    lines += ["", f"== Landscape items with no entry ({sum(miss.values())}: {counts}) =="]
    for it in rep["missing_items"]:
        lines.append(f"{it['maturity'] or '-':<10} {it['name']}  ({it['category']})  {it['url']}")
    return "\n".join(lines) + "\n"


def run(kb_dir: Path, data_file: Path, fmt: str = "text") -> int:
    """Compare the KB with a landscape data file; exit 1 while unreviewed disagreements remain."""
    rep = compare(Path(kb_dir), Path(data_file))
    try:
        if fmt == "json":
            json.dump(rep, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(format_text(rep))
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return 1 if rep["disagreements"] else 0
