"""The timeline page and the history strip of a component page, made at build time.

Each component with a first release is one row: a bar from its first release to its end (the year
it was archived, deprecated or became historical) or to today, a marker for its foundation status
(e.g. CNCF graduated 2018) and arrows to what succeeded it (the KB's `succeeded-by` relations).
Rows are grouped by layer and category; `assets/js/timeline.js` filters them (layer, category in
the URL). Positions are percentages, so the axis scales with the screen.
"""

from __future__ import annotations

import datetime

from atlas.sitegen.model import SiteModel, component_url, escape, link, rel_url

ENDED = ("archived", "deprecated", "historical")

_T = {
    "title": ("Timeline", "时间线"),
    "intro": (
        "Every component from its first release to today, or to the year it was archived, deprecated or "
        "became history; arrows name what replaced it. {n} components have no first-release year yet.",
        "每个组件从首次发布到今天，或到它被归档、弃用或成为历史的那一年；箭头指向取代它的项目。"
        "另有 {n} 个组件尚无首次发布年份。",
    ),
    "layer": ("Layer", "层"),
    "category": ("Category", "分类"),
    "all": ("All", "全部"),
    "released": ("first release", "首次发布"),
    "succeeded": ("succeeded by", "后继"),
    "history": ("History", "历程"),
    "shown": ("{n} components shown", "显示 {n} 个组件"),
}


def _t(key: str, lang: str, **fmt: object) -> str:
    text = _T[key][0 if lang == "en" else 1]
    return text.format(**fmt) if fmt else text


def _end(e: dict) -> int | None:
    f = e["facts"]
    return f.get("status_since") if f.get("status") in ENDED else None


def span(model: SiteModel) -> tuple[int, int]:
    """First and last year of the axis: the earliest first release to this year."""
    years = [e["facts"]["first_release"] for e in model.catalog["entries"] if e["facts"].get("first_release")]
    now = datetime.date.today().year
    return (min(years, default=now), now)


def _pct(year: float, lo: int, hi: int) -> float:
    return round(100 * (year - lo) / (hi + 1 - lo), 2)


def _events(model: SiteModel, e: dict, lang: str) -> list[tuple[int, str, str]]:
    """(year, css class, wording) of each dated event of `e`, in time order."""
    f = e["facts"]
    out = [(f["first_release"], "start", _t("released", lang))]
    fdn = f.get("foundation")
    if fdn and fdn.get("since"):
        what = f"{fdn['name']} {model.label('foundation_statuses', fdn['status'], lang)}"
        out.append((fdn["since"], f"fdn fdn-{fdn['status']}", what))
    end = _end(e)
    if end:
        out.append((end, f"end end-{f['status']}", model.label("statuses", f["status"], lang)))
    return sorted(out, key=lambda ev: ev[0])


def _track(model: SiteModel, e: dict, lang: str, here: str, lo: int, hi: int) -> str:
    """The bar and markers of one component between years `lo` and `hi`."""
    f = e["facts"]
    start, end = f["first_release"], _end(e) or hi
    events = _events(model, e, lang)
    title = escape(f"{model.name(e, lang)}: " + "; ".join(f"{y} {w}" for y, _, w in events))
    left, width = (
        _pct(start, lo, hi),
        max(_pct(end + (0 if _end(e) else 1), lo, hi) - _pct(start, lo, hi), 0.8),
    )
    cls = f"atlas-tl-bar l-{e['layer']}" + (" ended" if _end(e) else "")
    href = escape(rel_url(here, component_url(e["id"])))
    bar = (
        f'<a class="{cls}" href="{href}" style="left:{left}%;width:{width}%" title="{title}">'
        f'<span class="atlas-sr">{title}</span></a>'
    )
    marks = "".join(
        f'<span class="atlas-tl-mark {c}" style="left:{_pct(y + (0 if "end" in c else 0.5), lo, hi)}%" '
        f'title="{y} {escape(w)}"></span>'
        for y, c, w in events
        if c != "start"
    )
    succ = model.successors(e["id"])
    arrow = ""
    if succ:
        names = ", ".join(link(rel_url(here, component_url(s["id"])), model.name(s, lang)) for s in succ)
        arrow = f'<span class="atlas-tl-next" style="left:{min(left + width, 100)}%">→ {names}</span>'
    return f'<div class="atlas-tl-track">{bar}{marks}{arrow}</div>'


def _axis(lo: int, hi: int) -> str:
    step = 5 if hi - lo > 12 else 1
    ticks = "".join(
        f'<span style="left:{_pct(y, lo, hi)}%">{y}</span>'
        for y in range(lo - lo % step + step, hi + 1, step)
    )
    return (
        '<div class="atlas-tl-axis" aria-hidden="true"><span class="atlas-tl-name"></span>'
        f'<div class="atlas-tl-track">{ticks}</div></div>'
    )


def timeline_page(model: SiteModel, lang: str, here: str) -> str:
    """The whole timeline page in `lang`: filters, axis, one row per dated component."""
    lo, hi = span(model)
    undated = sum(1 for e in model.catalog["entries"] if not e["facts"].get("first_release"))
    layer_opts = "".join(
        f'<option value="{k}">{escape(model.label("layers", k, lang))}</option>' for k in model.layers()
    )
    cat_opts = "".join(
        f'<option value="{k}" data-layer="{v["layer"]}">{escape(model.label("categories", k, lang))}</option>'
        for k, v in model.vocab["categories"].items()
        if model.members.get(k)
    )
    rows = []
    for layer in model.layers():
        for cat in model.categories_of(layer):
            members = sorted(
                (e for e in model.members.get(cat, []) if e["facts"].get("first_release")),
                key=lambda e: (e["facts"]["first_release"], model.name(e, lang).lower()),
            )
            if not members:
                continue
            rows.append(
                f'<li class="atlas-tl-group" data-layer="{layer}" data-category="{cat}">'
                f"{escape(model.label('categories', cat, lang))}</li>"
            )
            for e in members:
                name = link(rel_url(here, component_url(e["id"])), model.name(e, lang))
                rows.append(
                    f'<li class="atlas-tl-row" data-id="{escape(e["id"])}" data-layer="{layer}" '
                    f'data-category="{cat}">'
                    f'<span class="atlas-tl-name">{name}</span>{_track(model, e, lang, here, lo, hi)}</li>'
                )
    all_ = _t("all", lang)
    filters = (
        '<form class="atlas-tl-filters" data-atlas-timeline-filters>'
        f'<label>{_t("layer", lang)} <select name="layer"><option value="">{all_}</option>'
        f"{layer_opts}</select></label> "
        f'<label>{_t("category", lang)} <select name="category"><option value="">{all_}</option>'
        f"{cat_opts}</select></label> "
        f'<output name="shown" data-template="{escape(_t("shown", lang, n="{n}"))}"></output></form>'
    )
    return (
        f"<h1>{_t('title', lang)}</h1><p>{_t('intro', lang, n=undated)}</p>{filters}"
        f'<div class="atlas-tl" data-from="{lo}" data-to="{hi}">{_axis(lo, hi)}'
        f'<ol class="atlas-tl-rows">{"".join(rows)}</ol></div>'
    )


def history_strip(model: SiteModel, entry_id: str, lang: str, here: str) -> str:
    """A component page's own short history: its dated events and successors, on one line."""
    e = model.entries[entry_id]
    if not e["facts"].get("first_release"):
        return ""
    items = [f'<li class="{c.split()[0]}"><b>{y}</b> {escape(w)}</li>' for y, c, w in _events(model, e, lang)]
    succ = model.successors(entry_id)
    if succ:
        names = ", ".join(link(rel_url(here, component_url(s["id"])), model.name(s, lang)) for s in succ)
        items.append(f'<li class="next">→ {_t("succeeded", lang)} {names}</li>')
    tl = rel_url(here, "timeline/") + f"?category={e['category']}"
    return (
        f'<nav class="atlas-history" aria-label="{_t("history", lang)}"><ol>{"".join(items)}</ol>'
        f'<a href="{escape(tl)}">{_t("title", lang)}</a></nav>'
    )
