"""HTML of one component page, rendered straight from the export catalog (no Markdown pass)."""

from __future__ import annotations

from atlas.cjk import spaced
from atlas.content import wikilinks
from atlas.content.mentions import Mention
from atlas.kb.names import other_names
from atlas.sitegen import mdlite
from atlas.sitegen.model import SiteModel, category_url, component_url, escape, link, rel_url
from atlas.sitegen.neighbourhood import neighbourhood_svg
from atlas.sitegen.render_compare import compare_link
from atlas.sitegen.render_timeline import history_strip
from atlas.sitegen.render_try import try_html
from atlas.sitegen.strings import t

BANNER_STATUSES = ("archived", "historical", "deprecated")


def render_markdown(text: str, model: SiteModel, here: str, lang: str) -> str:
    """Render a KB Markdown field in `lang`; `[[id]]` becomes a link to that component's page."""
    html = wikilinks.expand(text, model.entries, lambda i: rel_url(here, component_url(i)), lang)
    return mdlite.to_html(html)


def description_html(model: SiteModel, entry_id: str, lang: str, here: str) -> str:
    """The rendered description of an entry (cached per build: the page and search both use it)."""
    key = (entry_id, lang, here.count("/"))
    cache = model.__dict__.setdefault("_desc_cache", {})
    if key not in cache:
        text = model.text(model.entries[entry_id]["description"], lang)
        cache[key] = render_markdown(text, model, here, lang)
    return cache[key]


def _row(label: str, value_html: str) -> str:
    return f'<tr><th scope="row">{escape(label)}</th><td>{value_html}</td></tr>'


def _url(u: str | None) -> str:
    return link(u, u.split("://", 1)[-1].rstrip("/")) if u else ""


def facts_table(model: SiteModel, e: dict, lang: str, here: str) -> str:
    """The facts table of entry `e`."""
    f = e.get("facts") or {}
    rows = []
    status = model.label("statuses", f.get("status"), lang)
    if f.get("status_since"):
        status += " (" + t("since", lang, year=f["status_since"]) + ")"
    rows.append(_row(t("status", lang), escape(status)))
    rows.append(_row(t("kind", lang), escape(model.label("kinds", e["kind"], lang))))
    cat = link(rel_url(here, category_url(e["category"])), model.label("categories", e["category"], lang))
    rows.append(_row(t("category", lang), cat + " · " + escape(model.label("layers", e["layer"], lang))))
    if f.get("first_release"):
        rows.append(_row(t("first_release", lang), str(f["first_release"])))
    if f.get("license"):
        rows.append(_row(t("license", lang), f"<code>{escape(f['license'])}</code>"))
    if f.get("organization"):
        rows.append(_row(t("organization", lang), escape(f["organization"])))
    if f.get("homepage"):
        rows.append(_row(t("homepage", lang), _url(f["homepage"])))
    if f.get("repository"):
        rows.append(_row(t("repository", lang), _url(f["repository"])))
    fd = f.get("foundation")
    if fd:
        txt = f"{fd['name']} — {model.label('foundation_statuses', fd.get('status'), lang)}"
        if fd.get("since"):
            txt += " (" + t("since", lang, year=fd["since"]) + ")"
        rows.append(_row(t("foundation", lang), escape(txt)))
    if e.get("landscape"):
        rows.append(_row(t("cncf_landscape", lang), link(e["landscape"]["url"], e["landscape"]["name"])))
    others = other_names(e, lang)
    if others:
        rows.append(_row(t("aliases", lang), ", ".join(escape(a) for a in others)))
    return (
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="atlas-facts">'
        f"<tbody>{''.join(rows)}</tbody></table></div></div>"
    )


def banner(model: SiteModel, e: dict, lang: str, here: str) -> str:
    """The warning banner for archived/historical/deprecated entries, naming their successors."""
    f = e.get("facts") or {}
    status = f.get("status")
    if status not in BANNER_STATUSES:
        return ""
    word = model.label("statuses", status, lang)
    if f.get("status_since"):
        title = t("banner_title", lang, status=word, year=f["status_since"])
    else:
        title = t("banner_title_noyear", lang, status=word)
    succ = model.successors(e["id"])
    if succ:
        links = ", ".join(link(rel_url(here, component_url(s["id"])), model.name(s, lang)) for s in succ)
        body = f"{escape(t('replaced_by', lang))} {links}"
    else:
        body = escape(t("no_successor", lang))
    return (
        f'<div class="admonition warning atlas-banner" data-atlas-status="{escape(status)}">'
        f'<p class="admonition-title">{escape(title)}</p><p>{body}</p></div>'
    )


def relations_html(model: SiteModel, e: dict, lang: str, here: str) -> str:
    """Relations grouped by type (both directions) with the vocabulary's wording."""
    groups = model.grouped_relations(e["id"])
    if not groups:
        return f"<p>{escape(t('no_relations', lang))}</p>"
    out = ['<dl class="atlas-relations">']
    for rtype, rels in groups:
        word = model.wording.get(rtype, {}).get(lang, rtype)
        head = escape(spaced(model.name(e, lang), word))
        out.append(f'<dt data-relation="{escape(rtype)}">{head}</dt><dd><ul>')
        for r in rels:
            other = model.entries.get(r["target"])
            if other is None:
                continue
            item = link(rel_url(here, component_url(other["id"])), model.name(other, lang))
            note = model.text(r.get("note"), lang) if r.get("note") else ""
            if note:
                item += f' <span class="atlas-note">— {escape(note)}</span>'
            out.append(f"<li>{item}</li>")
        out.append("</ul></dd>")
    out.append("</dl>")
    return "".join(out)


def component_page(
    model: SiteModel, entry_id: str, lang: str, mentions: list[Mention], series=None
) -> tuple[str, list]:
    """Return (HTML, toc tokens) of the component page of `entry_id` in `lang` (`series`: the tutorials,
    naming the step a `try.tutorial` links to)."""
    e = model.entries[entry_id]
    here = component_url(entry_id)
    sections = [
        ("facts", t("facts", lang), facts_table(model, e, lang, here)),
        (
            "description",
            t("description", lang),
            description_html(model, entry_id, lang, here),
        ),
        (
            "relations",
            t("relations", lang),
            relations_html(model, e, lang, here) + neighbourhood_svg(model, entry_id, lang),
        ),
    ]
    tried = try_html(e, mentions, lang, here, series)
    if tried:
        sections.append(("try-it", t("try_it", lang), tried))
    src = "".join(f"<li>{link(s['url'], s.get('title') or s['url'])}</li>" for s in e.get("sources") or [])
    sections.append(("sources", t("sources", lang), f'<ul class="atlas-sources">{src}</ul>'))
    graph = rel_url(here, "graph/") + "#" + entry_id
    html = [
        f'<h1 id="{escape(entry_id)}">{escape(model.name(e, lang))}</h1>',
        banner(model, e, lang, here),
        history_strip(model, entry_id, lang, here),
        f'<p class="atlas-summary">{escape(model.text(e["summary"], lang))}</p>',
    ]
    for sid, title, body in sections:
        html.append(f'<h2 id="{sid}">{escape(title)}</h2>{body}')
    html.append(f'<p class="atlas-open-graph">{link(graph, t("open_graph", lang))}</p>')
    alts = [r["target"] for r in model.out[entry_id] if r["type"] == "alternative-to"]
    if alts:
        href = rel_url(here, compare_link([entry_id, *alts]))
        html.append(f'<p class="atlas-compare-link">{link(href, t("compare_alternatives", lang))}</p>')
    toc = [
        {"level": 2, "id": sid, "name": title, "html": escape(title), "children": []}
        for sid, title, _ in sections
    ]
    return "".join(html), toc
