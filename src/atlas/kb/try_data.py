"""The `try:` field in the export: each entry's example as JSON, whether its page is runnable, and the
share of runnable pages by layer (the stats page and `data/v1/runnable.json` show the same numbers).

A page is runnable when its entry has a `try.run`, `try.python` or `try.tutorial`, or when a tutorial
step with runnable blocks (▶) mentions it (`[[id]]`, the page's "Try it" links). A `try.reason` page is
not runnable, mentioned or not: it says why (a tutorial may still explain the subject, as the
ecosystem-map quiz or the multi-host page do).
"""

from __future__ import annotations

from pathlib import Path

from atlas.kb.vocabulary import LAYERS

RUNNABLE_KEYS = ("run", "python", "tutorial")


def try_export(value: dict | None) -> dict | None:
    """The JSON form of an entry's `try:` (only the keys written; `profile` defaults to docker)."""
    if not value:
        return None
    out: dict = {}
    for key in ("run", "python", "tutorial"):
        if value.get(key):
            out[key] = value[key].strip("\n")
    if value.get("run"):
        out["profile"] = value.get("profile") or "docker"
    for key in ("shows", "reason"):
        if value.get(key):
            out[key] = {"en": value[key]["en"].strip(), "zh": value[key]["zh"].strip()}
    return out


def is_runnable(try_value: dict | None, mentioned: bool) -> bool:
    """A runnable example, a tutorial step named by `try.tutorial`, or the mention of a tutorial step
    that runs something — unless the entry gives a reason it cannot run here."""
    value = try_value or {}
    if value.get("reason"):
        return False
    return mentioned or any(value.get(k) for k in RUNNABLE_KEYS)


def mentioned_ids(docs_dir: Path, series=None) -> set[str]:
    """Ids of the entries mentioned by a tutorial step that has runnable blocks (none when `docs_dir`
    has no tutorials); `series`: the already loaded tutorials, if any."""
    if not (Path(docs_dir) / "tutorials").is_dir():
        return set()
    from atlas.content.mentions import scan_mentions
    from atlas.content.series import load_series

    series = series or load_series(Path(docs_dir))
    found = scan_mentions(Path(docs_dir), "en", series)
    return {cid for cid, mentions in found.items() if any(step_runs(m, series) for m in mentions)}


def step_runs(mention, series) -> bool:
    """Whether the tutorial step of `mention` (a content.mentions.Mention) has runnable blocks."""
    tut = series.get(mention.slug)
    return tut is not None and bool(mention.anchor) and bool(tut.blocks_of(mention.anchor))


def runnable_counts(cat: dict) -> dict:
    """`{"entries", "runnable", "share", "by_layer": {layer: {"entries", "runnable", "share"}}}`;
    share is a percentage with one decimal."""
    by_layer = {layer: {"entries": 0, "runnable": 0} for layer in LAYERS}
    for e in cat["entries"]:
        row = by_layer.setdefault(e["layer"], {"entries": 0, "runnable": 0})
        row["entries"] += 1
        row["runnable"] += bool(e.get("runnable"))
    total = {
        "entries": sum(r["entries"] for r in by_layer.values()),
        "runnable": sum(r["runnable"] for r in by_layer.values()),
    }
    for row in [total, *by_layer.values()]:
        row["share"] = round(100 * row["runnable"] / row["entries"], 1) if row["entries"] else 0.0
    return {**total, "by_layer": {k: v for k, v in by_layer.items() if v["entries"]}}
