"""A component's neighbourhood as a small inline SVG rendered at build time (no JS needed)."""

from __future__ import annotations

import math
from functools import lru_cache

from atlas.sitegen.model import SiteModel, escape
from atlas.sitegen.strings import t

MAX_NEIGHBOURS = 14
LAYER_CLASS = {"core": "l-core", "platform": "l-platform", "support": "l-support", "concepts": "l-concepts"}


@lru_cache(maxsize=MAX_NEIGHBOURS + 1)
def _ring(n: int) -> list[tuple[int, int, int, int, int]]:
    """Positions (node x, y, edge-label x, y, node-label y) of `n` neighbours on an ellipse."""
    cx, cy, rx, ry = 320, 180, 230, 130
    out = []
    for i in range(n):
        a = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        x, y = cx + rx * math.cos(a), cy + ry * math.sin(a)
        out.append((round(x), round(y), round((cx + x) / 2), round((cy + y) / 2), round(y + 24)))
    return out


def neighbourhood_svg(model: SiteModel, entry_id: str, lang: str) -> str:
    """Return an SVG with `entry_id` in the middle and its direct neighbours on a circle, each a link."""
    entry = model.entries[entry_id]
    seen: dict[str, str] = {}
    for r in model.out[entry_id]:
        if r["target"] not in seen and r["target"] in model.entries:
            seen[r["target"]] = r["type"]
    items = list(seen.items())
    extra = max(0, len(items) - MAX_NEIGHBOURS)
    items = items[:MAX_NEIGHBOURS]
    w, h, cx, cy = 640, 360, 320, 180
    parts = []
    labels = []
    for (nid, rtype), (x, y, mx, my, ly) in zip(items, _ring(len(items)), strict=False):
        other = model.entries[nid]
        word = escape(model.wording.get(rtype, {}).get(lang, rtype))
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x}" y2="{y}"/>'
            f'<text class="atlas-nb-edge" x="{mx}" y="{my}">{word}</text>'
        )
        cls = LAYER_CLASS.get(other["layer"], "")
        labels.append(
            f'<a href="../../components/{escape(nid)}/"><circle class="{cls}" cx="{x}" cy="{y}" r="9"/>'
            f'<text x="{x}" y="{ly}">{escape(model.name(other, lang))}</text></a>'
        )
    centre_cls = LAYER_CLASS.get(entry["layer"], "")
    labels.append(
        f'<circle class="{centre_cls} atlas-nb-centre" cx="{cx}" cy="{cy}" r="14"/>'
        f'<text class="atlas-nb-centre-label" x="{cx}" y="{cy + 32}">{escape(model.name(entry, lang))}</text>'
    )
    alt = escape(t("neighbourhood_alt", lang, name=model.name(entry, lang)))
    more = f'<p class="atlas-nb-more">{escape(t("more", lang, n=extra))}</p>' if extra else ""
    return (
        f'<figure class="atlas-nb" role="group" aria-label="{alt}"><svg viewBox="0 0 {w} {h}">'
        f'<title>{alt}</title><g class="atlas-nb-edges">{"".join(parts)}</g>'
        f'<g class="atlas-nb-nodes">{"".join(labels)}</g></svg>{more}</figure>'
    )
