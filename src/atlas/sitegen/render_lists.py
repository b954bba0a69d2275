"""HTML of the list pages: the ecosystem map (home), category tables, the learning path."""

from __future__ import annotations

from atlas.content.series import Series
from atlas.sitegen.model import SiteModel, category_url, component_url, escape, link, rel_url
from atlas.sitegen.strings import t


def ecosystem_map(model: SiteModel, lang: str, here: str = "") -> str:
    """Layers → categories → components, every item a link; a CSS grid that collapses on phones."""
    out = ['<div class="atlas-map">']
    for layer in model.layers():
        cats = [c for c in model.categories_of(layer) if model.members.get(c)]
        if not cats:
            continue
        lid = escape(layer)
        out.append(
            f'<section class="atlas-layer atlas-layer-{lid}" aria-labelledby="layer-{lid}">'
            f'<h2 id="layer-{escape(layer)}">{escape(model.label("layers", layer, lang))}</h2>'
            '<div class="atlas-cats">'
        )
        for c in cats:
            members = sorted(model.members[c], key=lambda e: model.name(e, lang).lower())
            items = "".join(
                f'<li class="atlas-status-{escape((e.get("facts") or {}).get("status") or "")}">'
                f"{link(rel_url(here, component_url(e['id'])), model.name(e, lang))}</li>"
                for e in members
            )
            out.append(
                '<div class="atlas-cat">'
                f"<h3>{link(rel_url(here, category_url(c)), model.label('categories', c, lang))}</h3>"
                f"<ul>{items}</ul></div>"
            )
        out.append("</div></section>")
    out.append("</div>")
    return "".join(out)


def categories_index(model: SiteModel, lang: str) -> str:
    """The list of categories by layer with their blurbs and member counts."""
    here = "categories/"
    out = []
    for layer in model.layers():
        cats = model.categories_of(layer)
        out.append(f'<h2 id="{escape(layer)}">{escape(model.label("layers", layer, lang))}</h2><ul>')
        for c in cats:
            blurb = model.text(model.vocab["categories"][c].get("blurb"), lang)
            n = t("members", lang, n=len(model.members.get(c, [])))
            out.append(
                f"<li>{link(rel_url(here, category_url(c)), model.label('categories', c, lang))}"
                f" — {escape(blurb)} <small>({escape(n)})</small></li>"
            )
        out.append("</ul>")
    return "".join(out)


def category_page(model: SiteModel, cat: str, lang: str) -> tuple[str, str]:
    """Return (title, HTML) of a category page: blurb and comparison table of its members."""
    here = category_url(cat)
    title = model.label("categories", cat, lang)
    v = model.vocab["categories"][cat]
    head = [
        t(k, lang) for k in ("name", "kind", "status", "first_release", "license", "foundation", "summary")
    ]
    rows = []
    for e in sorted(model.members.get(cat, []), key=lambda e: model.name(e, lang).lower()):
        f = e.get("facts") or {}
        status = model.label("statuses", f.get("status"), lang)
        if f.get("status_since") and f.get("status") != "active":
            status += f" ({f['status_since']})"
        fd = f.get("foundation")
        fd_txt = f"{fd['name']} {model.label('foundation_statuses', fd.get('status'), lang)}" if fd else ""
        cells = [
            link(rel_url(here, component_url(e["id"])), model.name(e, lang)),
            escape(model.label("kinds", e["kind"], lang)),
            escape(status),
            escape(str(f.get("first_release") or "")),
            f"<code>{escape(f['license'])}</code>" if f.get("license") else "",
            escape(fd_txt),
            escape(model.text(e["summary"], lang)),
        ]
        # data-label names the column, so a phone can show each row as a card (atlas.css)
        tds = "".join(f'<td data-label="{escape(h)}">{c}</td>' for h, c in zip(head, cells, strict=True))
        rows.append(f"<tr>{tds}</tr>")
    layer = model.label("layers", v["layer"], lang)
    html = (
        f'<h1 id="{escape(cat)}">{escape(title)}</h1>'
        f'<p class="atlas-summary">{escape(model.text(v.get("blurb"), lang))}</p>'
        f"<p>{escape(t('layer', lang))}: {link(rel_url(here, ''), layer)} · "
        f"{escape(t('members', lang, n=len(rows)))}</p>"
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="atlas-compare">'
        "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in head) + "</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></div>"
    )
    return title, html


def learning_path(model: SiteModel, lang: str, series: Series, here: str = "learning-path/") -> str:
    """The series' order (from the tutorials' front matter) as an ordered list, each tutorial with
    links to the KB pages it `teaches` that exist."""
    out = ['<ol class="atlas-path">']
    for slug in series.path:
        tut = series.get(slug, lang)
        head = link(rel_url(here, f"tutorials/{slug}/"), tut.title or slug)
        ids = tut.teaches
        if slug == "ecosystem-map":
            extra = [
                link(rel_url(here, ""), t("home", lang)),
                link(rel_url(here, "graph/"), t("graph", lang)),
            ]
        else:
            extra = []
        refs = extra + [
            link(rel_url(here, component_url(i)), model.name(i, lang)) for i in ids if i in model.entries
        ]
        more = f"<br><small>{escape(t('read_more', lang))}: {', '.join(refs)}</small>" if refs else ""
        out.append(f'<li data-tutorial="{escape(slug)}"><strong>{head}</strong>{more}</li>')
    out.append("</ol>")
    return "".join(out)


def tutorial_strip(lang: str, series: Series, here: str = "") -> str:
    """The whole series for the home page: one numbered link per tutorial, in learning-path order,
    with its number of steps, under a line counting tutorials and steps."""
    items, total = [], 0
    for slug in series.path:
        tut = series.get(slug, lang)
        n = len(tut.steps)
        total += n
        steps = f" <small>{escape(t('series_steps', lang, n=n))}</small>" if n else ""
        title = link(rel_url(here, f"tutorials/{slug}/"), tut.title or slug)
        items.append(f'<li data-tutorial="{escape(slug)}">{title}{steps}</li>')
    head = f'<p class="atlas-series-total">{escape(t("series_total", lang, n=len(items), steps=total))}</p>'
    return head + '<ol class="atlas-series">' + "".join(items) + "</ol>"
