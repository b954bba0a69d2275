"""The compare page: 2–4 components side by side (`?ids=a,b,c` in the URL).

The page carries, as JSON, what the script needs in the page language: row labels, vocabulary
wording and the list of names for the picker; `assets/js/compare.js` fetches each chosen entry
from the data API (`data/v1/entries/<id>.json`) and draws the table.
"""

from __future__ import annotations

import json

from atlas.kb.names import other_names
from atlas.sitegen.model import SiteModel, escape

MAX = 4

_T = {
    "title": ("Compare", "对比"),
    "intro": (
        "Pick two to four components to see their facts, status, licence, first release and relations side "
        "by side. The address keeps the selection, so you can share it.",
        "选择两到四个组件，并排查看它们的基本信息、状态、许可证、首次发布时间和关系。地址栏会记录所选组件，便于分享。",
    ),
    "pick": ("Add a component", "添加组件"),
    "add": ("Add", "添加"),
    "remove": ("Remove {name}", "移除 {name}"),
    "empty": ("Pick at least two components.", "请至少选择两个组件。"),
    "max": ("At most four components can be compared.", "最多可对比四个组件。"),
    "unknown": ("Unknown component: {name}", "未知组件：{name}"),
    "summary": ("Summary", "简介"),
    "layer": ("Layer", "层"),
    "category": ("Category", "分类"),
    "kind": ("Kind", "类型"),
    "status": ("Status", "状态"),
    "first_release": ("First release", "首次发布"),
    "license": ("License", "许可证"),
    "organization": ("Organization", "组织"),
    "foundation": ("Foundation", "基金会"),
    "homepage": ("Homepage", "主页"),
    "relations": ("Relations", "关系"),
    "since": ("since {y}", "自 {y} 年起"),
    "none": ("—", "—"),
    "component": ("Component", "组件"),
}
ROWS = ("summary", "layer", "category", "kind", "status", "first_release", "license", "organization",
        "foundation", "homepage", "relations")  # fmt: skip


def _t(key: str, lang: str) -> str:
    return _T[key][0 if lang == "en" else 1]


def compare_config(model: SiteModel, lang: str) -> dict:
    """What compare.js needs, in `lang`: UI wording, row order, vocabulary wording, names."""
    v = model.vocab
    return {
        "lang": lang,
        "max": MAX,
        "ui": {k: _t(k, lang) for k in _T},
        "rows": list(ROWS),
        "vocab": {
            table: {k: model.label(table, k, lang) for k in v[table]}
            for table in ("layers", "categories", "kinds", "statuses", "foundation_statuses")
        },
        "relations": {k: w[lang] for k, w in model.wording.items()},
        "relation_order": model.type_order,
        # [id, the name shown, other names typed into the picker]: "Microservices" finds 微服务 too
        "names": [[e["id"], model.name(e, lang), *other_names(e, lang)] for e in model.catalog["entries"]],
    }


def compare_page(model: SiteModel, lang: str) -> str:
    """The compare page in `lang` (the table itself is drawn by compare.js)."""
    data = json.dumps(compare_config(model, lang), ensure_ascii=False).replace("</", "<\\/")
    return (
        f"<h1>{_t('title', lang)}</h1><p>{_t('intro', lang)}</p>"
        '<form class="atlas-compare-pick" data-atlas-compare-pick>'
        f'<label for="atlas-compare-input">{_t("pick", lang)}</label> '
        '<input id="atlas-compare-input" list="atlas-compare-names" autocomplete="off"> '
        f'<button type="submit">{_t("add", lang)}</button>'
        '<datalist id="atlas-compare-names">'
        + "".join(f'<option value="{escape(model.name(e, lang))}"></option>' for e in model.entries.values())
        + "</datalist></form>"
        '<p class="atlas-compare-status" role="status" aria-live="polite"></p>'
        '<div class="atlas-compare-table" data-atlas-compare></div>'
        f'<script type="application/json" id="atlas-compare-config">{data}</script>'
    )


def compare_link(ids: list[str]) -> str:
    """Language-relative URL of the compare page for `ids` (at most MAX)."""
    return "compare/?ids=" + ",".join(ids[:MAX])
