"""Embeds: a standalone page other sites put in an iframe, and the page that makes the snippet.

`embed/view.html?view=card|category|graph&id=<id>&lang=en|zh` is plain HTML (no theme) that
`assets/js/embed.js` fills from the data API; it tells its parent its height (postMessage
`{type: "atlas-embed-height", height}`) and opens links in the parent (`<base target="_parent">`).
The catalog facts it needs besides the data API (names, layers, category members, wording in
both languages) are inlined, so one embed costs one or a few small requests.
"""

from __future__ import annotations

import json

from atlas.sitegen.model import LANGS, SiteModel, escape

VIEWS = ("card", "category", "graph")

_T = {
    "title": ("Embed", "嵌入"),
    "intro": (
        "Put a component card, a category table or a component's neighbourhood graph on your own site: "
        "pick what to show, copy the snippet. The frame sizes itself and its links open in your page.",
        "把组件卡片、分类表格或组件的邻近关系图放到你自己的网站上：选择要显示的内容，复制代码即可。"
        "框架会自动调整高度，其中的链接在你的页面中打开。",
    ),
    "view": ("Show", "显示"),
    "card": ("Component card", "组件卡片"),
    "category": ("Category table", "分类表格"),
    "graph": ("Neighbourhood graph", "邻近关系图"),
    "component": ("Component", "组件"),
    "categoryPick": ("Category", "分类"),
    "lang": ("Language", "语言"),
    "snippet": ("Snippet (HTML)", "代码（HTML）"),
    "preview": ("Preview", "预览"),
    "layer": ("Layer", "层"),
    "status": ("Status", "状态"),
    "first_release": ("First release", "首次发布"),
    "license": ("License", "许可证"),
    "name": ("Name", "名称"),
    "summary": ("Summary", "简介"),
    "open": ("Open in Container Atlas", "在容器图谱中打开"),
    "missing": ("Nothing to show: unknown id {id}", "无法显示：未知的 id {id}"),
}


def _t(key: str, lang: str) -> str:
    return _T[key][0 if lang == "en" else 1]


def embed_data(model: SiteModel) -> dict:
    """The inlined facts of view.html: names, layers, members, wording in both languages."""
    v = model.vocab
    tables = ("layers", "categories", "statuses")
    return {
        "names": {lg: {e["id"]: model.name(e, lg) for e in model.catalog["entries"]} for lg in LANGS},
        "layers": {e["id"]: e["layer"] for e in model.catalog["entries"]},
        "members": {c: [e["id"] for e in model.members.get(c, [])] for c in v["categories"]},
        "ui": {lg: {k: _t(k, lg) for k in _T} for lg in LANGS},
        "vocab": {lg: {t: {k: model.label(t, k, lg) for k in v[t]} for t in tables} for lg in LANGS},
        "relations": {lg: {k: w[lg] for k, w in model.wording.items()} for lg in LANGS},
    }


def view_html(model: SiteModel) -> str:
    """embed/view.html: the standalone page an iframe shows."""
    data = json.dumps(embed_data(model), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Container Atlas</title><base target="_parent">'
        '<link rel="icon" href="../assets/images/favicon.png">'
        '<link rel="stylesheet" href="../assets/css/embed.css"></head>'
        '<body><main id="atlas-embed" aria-live="polite"></main>'
        f'<script type="application/json" id="atlas-embed-data">{data}</script>'
        '<script type="module" src="../assets/js/embed.js"></script></body></html>\n'
    )


def embed_page(model: SiteModel, lang: str) -> str:
    """The snippet maker page in `lang` (assets/js/embed-builder.js does the rest)."""
    first = "containerd" if "containerd" in model.entries else ""
    comps = "".join(
        f'<option value="{escape(e["id"])}"{" selected" * (e["id"] == first)}>'
        f"{escape(model.name(e, lang))}</option>"
        for e in sorted(model.catalog["entries"], key=lambda e: model.name(e, lang).lower())
    )
    cats = "".join(
        f'<option value="{c}">{escape(model.label("categories", c, lang))}</option>'
        for c in model.vocab["categories"]
        if model.members.get(c)
    )
    views = "".join(f'<option value="{v}">{_t(v, lang)}</option>' for v in VIEWS)
    langs = "".join(f'<option value="{lg}"{" selected" if lg == lang else ""}>{lg}</option>' for lg in LANGS)
    return (
        f"<h1>{_t('title', lang)}</h1><p>{_t('intro', lang)}</p>"
        '<form class="atlas-embed-form" data-atlas-embed-builder>'
        f'<label>{_t("view", lang)} <select name="view">{views}</select></label> '
        f'<label data-for="card graph">{_t("component", lang)} <select name="id">{comps}</select></label> '
        f'<label data-for="category" hidden>{_t("categoryPick", lang)} '
        f'<select name="category">{cats}</select></label> '
        f'<label>{_t("lang", lang)} <select name="lang">{langs}</select></label></form>'
        f'<h2 id="snippet">{_t("snippet", lang)}</h2>'
        '<textarea class="atlas-embed-snippet" readonly rows="6" aria-labelledby="snippet"></textarea>'
        f'<h2 id="preview">{_t("preview", lang)}</h2><div class="atlas-embed-preview"></div>'
    )
