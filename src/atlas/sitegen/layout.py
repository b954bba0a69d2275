"""Precomputed positions for the graph explorer: categories kept together, related things close.

A force-directed layout in two levels, done at build time so the browser only draws (cytoscape
`preset` layout; graph-model.js draws each category as a labelled box behind its entries):

1. Categories are discs sized by their entry count. A spring layout over the category graph
   (springs weighted by the number of relations between two categories, overlap pushed apart,
   discs growing from small so that they can pass each other) puts categories with many relations
   between them next to each other, starting from a block of rows per layer.
2. Inside each disc, a spring layout of the category's own relations (Fruchterman-Reingold:
   related entries attract, all repel), with each entry that has relations to other categories
   pulled towards the side facing them. Entries start on a sunflower spiral and stay inside the disc.
3. The discs settle again at their real sizes, then the category boxes (entries, padding and label)
   are pushed apart until no two overlap, keeping the picture about as wide as a screen.

Deterministic (no randomness: sorted ids, fixed start positions and step counts), pure Python.
bench/bench_pages.py times it (the real KB, 331 entries: about 0.5 s; 2,000: 2-4 s on a loaded machine).
"""

from __future__ import annotations

import math
from typing import Any

SPACING = 34.0  # the ideal distance between two related entries
GOLDEN = math.pi * (3 - math.sqrt(5))
GAP = 2 * SPACING  # between two category boxes: room for the compound node's label on top
LABEL_EM = 17.5  # the width of one Latin letter of a category label (graph-model.js: 32px bold)
CAT_STEPS = 300
WIDE = 1.6  # width / height of the picture, like a screen
ASPECT = 3.0  # the pull to the middle is this much harder in y: a landscape picture, like screens
NODE_STEPS = 60

Vec = list[float]


def graph_layout(catalog: dict[str, Any]) -> dict[str, list[float]]:
    """Return {entry id: [x, y]} for every entry of `catalog` (an export catalog)."""
    by_cat: dict[str, list[str]] = {}
    for e in catalog["entries"]:
        by_cat.setdefault(e["category"], []).append(e["id"])
    for ids in by_cat.values():
        ids.sort()
    cat_of = {i: c for c, ids in by_cat.items() for i in ids}
    pairs = sorted(
        {
            tuple(sorted((r["source"], r["target"])))
            for r in catalog.get("relations", [])
            if not r.get("derived")
        }
    )
    pairs = [(a, b) for a, b in pairs if a in cat_of and b in cat_of and a != b]
    cats = _category_order(catalog, by_cat)
    weight: dict[tuple[str, str], int] = {}
    for a, b in pairs:
        ca, cb = sorted((cat_of[a], cat_of[b]))
        if ca != cb:
            weight[(ca, cb)] = weight.get((ca, cb), 0) + 1
    radius = {c: SPACING * (math.sqrt(len(by_cat[c])) + 1) for c in cats}
    centre = _place_discs(cats, radius, weight, _rows(catalog, cats, radius), CAT_STEPS)
    pull: dict[str, Vec] = {}  # per entry: the sum of directions to its neighbours' categories
    inner: dict[str, list[tuple[str, str]]] = {c: [] for c in cats}
    for a, b in pairs:
        ca, cb = cat_of[a], cat_of[b]
        if ca == cb:
            inner[ca].append((a, b))
            continue
        for me, mine, theirs in ((a, ca, cb), (b, cb, ca)):
            p = pull.setdefault(me, [0.0, 0.0])
            p[0] += centre[theirs][0] - centre[mine][0]
            p[1] += centre[theirs][1] - centre[mine][1]
    local: dict[str, dict[str, Vec]] = {}
    for c in cats:
        local[c] = _spring(by_cat[c], inner[c], pull, radius[c] - SPACING / 2)
        radius[c] = max((math.hypot(*p) for p in local[c].values()), default=0.0) + SPACING
    centre = _place_discs(cats, radius, weight, centre, CAT_STEPS // 2, grow_from=1.0)
    half = {}  # half width and height of each category's box: its entries, padding, its label
    names = catalog["vocabulary"]["categories"]
    for c in cats:
        xs = [p[0] for p in local[c].values()]
        ys = [p[1] for p in local[c].values()]
        label = max(
            len(names.get(c, {}).get("en", c)) * LABEL_EM, len(names.get(c, {}).get("zh", "")) * 2 * LABEL_EM
        )
        half[c] = (max(max(xs), -min(xs), label / 2) + SPACING, max(max(ys), -min(ys)) + SPACING)
    centre = _separate(cats, centre, half)
    return {
        i: [round(centre[c][0] + p[0], 1), round(centre[c][1] + p[1], 1)]
        for c in cats
        for i, p in local[c].items()
    }


def _category_order(catalog: dict[str, Any], by_cat: dict[str, list[str]]) -> list[str]:
    """Categories with entries, in vocabulary order; unknown ones last."""
    known = [c for c in catalog["vocabulary"]["categories"] if c in by_cat]
    return known + sorted(c for c in by_cat if c not in known)


def _rows(catalog: dict[str, Any], cats: list[str], radius: dict[str, float]) -> dict[str, Vec]:
    """Start positions: one row of discs per layer (unknown categories in the last row), centred."""
    voc = catalog["vocabulary"]
    layer_of = {c: voc["categories"].get(c, {}).get("layer") for c in cats}
    layers = [la for la in voc["layers"] if la in layer_of.values()]
    rows = [[c for c in cats if layer_of[c] == la] for la in layers]
    rows.append([c for c in cats if layer_of[c] not in layers])
    per = [max(2, round(math.sqrt(len(r) * WIDE))) for r in rows]  # a layer's block: about WIDE:1
    rows = [r[i : i + n] for r, n in zip(rows, per, strict=True) for i in range(0, len(r), n)]
    pos: dict[str, Vec] = {}
    y = 0.0
    for row in rows:
        if not row:
            continue
        width = sum(2 * radius[c] + GAP for c in row)
        x = -width / 2
        height = max(radius[c] for c in row)
        for c in row:
            pos[c] = [x + radius[c], y + height]
            x += 2 * radius[c] + GAP
        y += 2 * height + GAP
    mid = y / 2
    return {c: [p[0], p[1] - mid] for c, p in pos.items()}


def _place_discs(
    cats: list[str],
    radius: dict[str, float],
    weight: dict[tuple[str, str], int],
    start: dict[str, Vec],
    steps: int,
    grow_from: float = 0.2,
) -> dict[str, Vec]:
    """Move the category discs: springs between related categories, no overlap, a pull to the middle.

    The discs start at `grow_from` times their size and grow, so that related categories can pass
    others on their way to each other; with 1.0 they only settle, close to where they are.
    """
    pos = {c: list(start[c]) for c in cats}
    top = max(weight.values(), default=1)
    for step in range(steps):
        cool = 1 - step / steps
        grow = min(1.0, grow_from + step / (0.6 * steps))
        move = {c: [0.0, 0.0] for c in cats}
        for i, a in enumerate(cats):
            pa = pos[a]
            for b in cats[i + 1 :]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                d = math.hypot(dx, dy) or 0.01
                gap = (radius[a] + radius[b]) * grow + GAP
                f = (gap - d) * 0.5 if d < gap else 0.0  # overlap: push apart
                w = weight.get((a, b) if a < b else (b, a), 0)
                if d > gap:
                    f -= (d - gap) * (0.005 + 0.3 * w / top)  # related categories: a spring
                ux, uy = dx / d * f, dy / d * f
                move[a][0] += ux
                move[a][1] += uy
                move[b][0] -= ux
                move[b][1] -= uy
        for c in cats:
            m = move[c]
            m[0] -= pos[c][0] * 0.01 * cool  # a pull to the middle, harder in y (ASPECT)
            m[1] -= pos[c][1] * ASPECT * 0.01 * cool
            limit = max(radius[c], SPACING) * (0.1 + cool)
            n = math.hypot(*m)
            if n > limit:
                m[0], m[1] = m[0] / n * limit, m[1] / n * limit
            pos[c][0] += m[0]
            pos[c][1] += m[1]
    return pos


def _separate(cats: list[str], pos: dict[str, Vec], half: dict[str, tuple[float, float]]) -> dict[str, Vec]:
    """Push overlapping category boxes apart (along the axis where they overlap least) until none do."""
    pos = {c: list(pos[c]) for c in cats}
    for _ in range(1000):
        moved = False
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        wide = (max(xs) - min(xs)) > WIDE * (max(ys) - min(ys))
        sideways = 0.5 if wide else 2.0  # push so that the picture gets (or stays) about WIDE:1
        for i, a in enumerate(cats):
            for b in cats[i + 1 :]:
                pa, pb = pos[a], pos[b]
                dx, dy = pb[0] - pa[0], pb[1] - pa[1]
                ox = half[a][0] + half[b][0] + GAP - abs(dx)
                oy = half[a][1] + half[b][1] + GAP - abs(dy)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < oy * sideways:
                    step = (ox / 2 + 0.5) * (1 if dx >= 0 else -1)
                    pa[0] -= step
                    pb[0] += step
                else:
                    step = (oy / 2 + 0.5) * (1 if dy >= 0 else -1)
                    pa[1] -= step
                    pb[1] += step
        if not moved:
            break
    return pos


def _spring(ids: list[str], edges: list[tuple[str, str]], pull: dict[str, Vec], rim: float) -> dict[str, Vec]:
    """Fruchterman-Reingold inside a disc of radius `rim`; `pull` gives each entry's outward direction."""
    n = len(ids)
    pos = [
        [
            SPACING * math.sqrt(i + 0.5) * math.cos(i * GOLDEN),
            SPACING * math.sqrt(i + 0.5) * math.sin(i * GOLDEN),
        ]
        for i in range(n)
    ]
    if n < 2:
        return {i: [0.0, 0.0] for i in ids}
    index = {i: k for k, i in enumerate(ids)}
    links = [(index[a], index[b]) for a, b in edges]
    out = []
    for k, i in enumerate(ids):
        p = pull.get(i)
        norm = math.hypot(*p) if p else 0.0
        if norm:
            out.append((k, p[0] / norm * SPACING * 0.6, p[1] / norm * SPACING * 0.6))
    k2 = SPACING * SPACING
    cell = 2.5 * SPACING  # repulsion reaches this far: only the 9 grid cells around an entry count
    cutoff2 = cell * cell
    for step in range(NODE_STEPS):
        temp = SPACING * (1 - step / NODE_STEPS) + 1
        disp = [[0.0, 0.0] for _ in range(n)]
        grid: dict[tuple[int, int], list[int]] = {}
        for a in range(n):
            grid.setdefault((int(pos[a][0] // cell), int(pos[a][1] // cell)), []).append(a)
        for (gx, gy), members in grid.items():
            near = [b for ox in (-1, 0, 1) for oy in (-1, 0, 1) for b in grid.get((gx + ox, gy + oy), ())]
            for a in members:
                pa, da = pos[a], disp[a]
                for b in near:
                    if b == a:
                        continue
                    pb = pos[b]
                    dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                    d2 = dx * dx + dy * dy
                    if d2 > cutoff2:
                        continue
                    f = k2 / (d2 or 0.01)  # repulsion k²/d, times the unit vector (dx/d)
                    da[0] += dx * f
                    da[1] += dy * f
        for a, b in links:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = math.hypot(dx, dy) or 0.01
            f = d / SPACING  # attraction d²/k, times the unit vector
            disp[a][0] -= dx * f
            disp[a][1] -= dy * f
            disp[b][0] += dx * f
            disp[b][1] += dy * f
        for a, fx, fy in out:
            disp[a][0] += fx
            disp[a][1] += fy
        for a in range(n):
            dx, dy = disp[a]
            d = math.hypot(dx, dy)
            if d > temp:
                dx, dy = dx / d * temp, dy / d * temp
            x, y = pos[a][0] + dx, pos[a][1] + dy
            r = math.hypot(x, y)
            if r > rim:  # stay inside the category's disc
                x, y = x / r * rim, y / r * rim
            pos[a] = [x, y]
    cx = sum(p[0] for p in pos) / n
    cy = sum(p[1] for p in pos) / n
    return {i: [pos[k][0] - cx, pos[k][1] - cy] for k, i in enumerate(ids)}
