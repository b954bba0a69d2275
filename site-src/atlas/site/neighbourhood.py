"""A component's neighbourhood as a small inline SVG rendered at build time (no JS needed)."""

from __future__ import annotations

import math
from html import escape

from atlas.site.model import SiteModel, component_url, rel_url
from atlas.site.strings import t

MAX_NEIGHBOURS = 14
LAYER_CLASS = {"core": "l-core", "platform": "l-platform", "support": "l-support", "concepts": "l-concepts"}


def neighbourhood_svg(model: SiteModel, entry_id: str, lang: str) -> str:
    """Return an SVG with `entry_id` in the middle and its direct neighbours on a circle, each a link."""
    entry = model.entries[entry_id]
    here = component_url(entry_id)
    seen: dict[str, str] = {}
    for r in model.out[entry_id]:
        if r["target"] not in seen and r["target"] in model.entries:
            seen[r["target"]] = r["type"]
    items = list(seen.items())
    extra = max(0, len(items) - MAX_NEIGHBOURS)
    items = items[:MAX_NEIGHBOURS]
    w, h, cx, cy = 640, 360, 320, 180
    rx, ry = 230, 130
    parts = []
    labels = []
    n = len(items) or 1
    for i, (nid, rtype) in enumerate(items):
        a = -math.pi / 2 + 2 * math.pi * i / n
        x, y = cx + rx * math.cos(a), cy + ry * math.sin(a)
        other = model.entries[nid]
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.0f}" y2="{y:.0f}"/>')
        mx, my = (cx + x) / 2, (cy + y) / 2
        word = escape(model.wording.get(rtype, {}).get(lang, rtype))
        parts.append(f'<text class="atlas-nb-edge" x="{mx:.0f}" y="{my:.0f}">{word}</text>')
        cls = LAYER_CLASS.get(other["layer"], "")
        href = escape(rel_url(here, component_url(nid)))
        labels.append(
            f'<a href="{href}"><circle class="{cls}" cx="{x:.0f}" cy="{y:.0f}" r="9"/>'
            f'<text x="{x:.0f}" y="{y + 24:.0f}">{escape(other["name"])}</text></a>'
        )
    centre_cls = LAYER_CLASS.get(entry["layer"], "")
    labels.append(
        f'<circle class="{centre_cls} atlas-nb-centre" cx="{cx}" cy="{cy}" r="14"/>'
        f'<text class="atlas-nb-centre-label" x="{cx}" y="{cy + 32}">{escape(entry["name"])}</text>'
    )
    alt = escape(t("neighbourhood_alt", lang, name=entry["name"]))
    more = f'<p class="atlas-nb-more">{escape(t("more", lang, n=extra))}</p>' if extra else ""
    return (
        f'<figure class="atlas-nb" role="group" aria-label="{alt}"><svg viewBox="0 0 {w} {h}">'
        f'<title>{alt}</title><g class="atlas-nb-edges">{"".join(parts)}</g>'
        f'<g class="atlas-nb-nodes">{"".join(labels)}</g></svg>{more}</figure>'
    )
