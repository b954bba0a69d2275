"""The explorer's build-time layout: categories stay together in boxes that do not overlap,
related things end up close, and the result is the same every build."""

from __future__ import annotations

import math
import time

from atlas.sitegen.layout import SPACING, graph_layout


def _catalog(groups: dict[str, int], relations: list[tuple[str, str]]) -> dict:
    cats = {c: {"layer": "core", "en": c.title(), "zh": c} for c in groups}
    entries = [{"id": f"{c}-{i}", "category": c} for c, n in groups.items() for i in range(n)]
    rels = [{"source": a, "target": b, "type": "uses"} for a, b in relations]
    return {"vocabulary": {"layers": {"core": {}}, "categories": cats}, "entries": entries, "relations": rels}


def _boxes(cat: dict, pos: dict) -> dict[str, tuple[float, float, float, float]]:
    out: dict[str, tuple[float, float, float, float]] = {}
    for e in cat["entries"]:
        x, y = pos[e["id"]]
        b = out.get(e["category"], (x, y, x, y))
        out[e["category"]] = (min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y))
    return out


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def test_categories_do_not_overlap_and_related_categories_are_neighbours():
    groups = {"a": 12, "b": 12, "c": 12, "d": 12, "e": 12, "f": 12}
    rels = [(f"a-{i}", f"b-{i}") for i in range(10)] + [(f"c-{i}", f"d-{i}") for i in range(10)]
    rels += [(f"e-{i}", f"f-{i}") for i in range(10)] + [("a-0", "f-0")]
    cat = _catalog(groups, rels)
    pos = graph_layout(cat)
    assert sorted(pos) == sorted(e["id"] for e in cat["entries"])
    boxes = _boxes(cat, pos)
    names = sorted(boxes)
    for i, p in enumerate(names):  # entry boxes (the browser pads them by SPACING) keep apart
        for q in names[i + 1 :]:
            a, b = boxes[p], boxes[q]
            apart_x = max(a[0], b[0]) - min(a[2], b[2])
            apart_y = max(a[1], b[1]) - min(a[3], b[3])
            assert max(apart_x, apart_y) >= 2 * SPACING, (p, q)
    d = {
        (p, q): math.dist(_centre(boxes[p]), _centre(boxes[q]))
        for i, p in enumerate(names)
        for q in names[i + 1 :]
    }
    pairs = [("a", "b"), ("c", "d"), ("e", "f")]
    related = sum(d[p] for p in pairs) / len(pairs)
    unrelated = sum(v for p, v in d.items() if p not in pairs) / (len(d) - len(pairs))
    assert related < 0.8 * unrelated, d  # categories with many relations between them are neighbours


def test_related_entries_sit_closer_than_unrelated_ones_in_a_category():
    chain = [(f"a-{i}", f"a-{i + 1}") for i in range(19)]  # a path through 20 entries
    cat = _catalog({"a": 20}, chain)
    pos = graph_layout(cat)
    related = [math.dist(pos[x], pos[y]) for x, y in chain]
    ids = [f"a-{i}" for i in range(20)]
    far = [math.dist(pos[ids[i]], pos[ids[j]]) for i in range(20) for j in range(i + 5, 20)]
    assert sum(related) / len(related) < 0.5 * sum(far) / len(far)
    assert min(math.dist(pos[x], pos[y]) for i, x in enumerate(ids) for y in ids[i + 1 :]) > SPACING / 3


def test_the_layout_is_the_same_every_build(tmp_path):
    """Same KB, same picture (shared URLs keep their zoom and pan); bench/bench_pages.py times 2,000."""
    from atlas.kb.export import catalog
    from atlas.kb.synthetic import write_synthetic_kb

    cat = catalog(write_synthetic_kb(tmp_path / "kb", 400, 1200))
    start = time.perf_counter()
    pos = graph_layout(cat)
    print(f"layout of 400 entries / 1,200 relations: {time.perf_counter() - start:.2f} s")
    assert len(pos) == 400 and len({tuple(p) for p in pos.values()}) == 400
    assert graph_layout(cat) == pos
