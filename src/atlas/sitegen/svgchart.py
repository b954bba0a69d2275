"""Horizontal bar charts as inline SVG, made at build time (no chart library, no JavaScript).

Colours come from CSS (classes `atlas-chart`, `atlas-bar`, `l-<layer>`) so the charts follow the
light/dark palette. Each bar carries `data-key` and `data-count`, so tests and scripts can read the
numbers back; a screen reader gets a `<title>` per bar and the figure's caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.sitegen.model import escape

WIDTH = 420
LABEL_W = 170
ROW_H = 20
BAR_H = 14


@dataclass(frozen=True)
class Bar:
    """One bar: a stable key, its label in the page language, the count, an optional link and class."""

    key: str
    label: str
    count: int
    href: str = ""
    cls: str = ""


def _width(text: str) -> float:
    """Rough rendered width at 12px: CJK characters are square, Latin ones about half as wide."""
    return sum(12 if ord(ch) > 0x2E80 else 6.8 for ch in text)


def _clip(text: str, room: float = LABEL_W - 10) -> str:
    """`text` shortened with an ellipsis to fit `room` pixels (the full text is in the bar's title)."""
    if _width(text) <= room:
        return text
    while text and _width(text) > room - 12:
        text = text[:-1]
    return text.rstrip() + "…"


def bar_chart(chart_id: str, caption: str, bars: list[Bar]) -> str:
    """A `<figure>` with one horizontal bar per item, scaled to the largest count."""
    top = max((b.count for b in bars), default=0) or 1
    room = WIDTH - LABEL_W - 40
    rows = []
    for i, b in enumerate(bars):
        y = i * ROW_H
        w = round(room * b.count / top, 1)
        label = escape(_clip(b.label))
        text = f'<text x="{LABEL_W - 6}" y="{y + 14}" class="atlas-chart-label">{label}</text>'
        if b.href:
            text = f'<a href="{escape(b.href)}">{text}</a>'
        cls = f"atlas-bar {b.cls}".strip()
        rows.append(
            f'<g class="{cls}" data-key="{escape(b.key)}" data-count="{b.count}">'
            f"<title>{escape(b.label)}: {b.count}</title>{text}"
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{w}" height="{BAR_H}" rx="2"></rect>'
            f'<text x="{LABEL_W + w + 4}" y="{y + 14}" class="atlas-chart-value">{b.count}</text></g>'
        )
    height = max(len(bars), 1) * ROW_H + 4
    role = "group" if any(b.href for b in bars) else "img"  # links inside role=img are unreachable
    return (
        f'<figure class="atlas-chart" id="chart-{chart_id}" data-chart="{chart_id}">'
        f"<figcaption>{escape(caption)}</figcaption>"
        f'<svg viewBox="0 0 {WIDTH} {height}" role="{role}" aria-label="{escape(caption)}" '
        f'preserveAspectRatio="xMinYMin meet">{"".join(rows)}</svg></figure>'
    )
