"""The stats page: the KB counted (layer, category, status, licence family, foundation, maturity,
relation types, first releases per year, most connected components), drawn as SVG bar charts."""

from __future__ import annotations

import re
from collections import Counter

from atlas.kb.try_data import runnable_counts
from atlas.sitegen.model import SiteModel, category_url, component_url, escape, rel_url
from atlas.sitegen.svgchart import Bar, bar_chart

NONE = "none"  # the key of "not recorded" bars
TOP_CONNECTED = 15

_T = {
    "title": ("Stats", "统计"),
    "intro": ("{e} entries and {r} written relations, counted from the knowledge base at build time.",
              "{e} 个条目、{r} 条手写关系，在构建网站时由知识库统计得出。"),
    "layer": ("Entries by layer", "各层条目数"),
    "category": ("Entries by category", "各分类条目数"),
    "status": ("Entries by status", "各状态条目数"),
    "license": ("Entries by licence family (SPDX)", "各许可证家族条目数（SPDX）"),
    "foundation": ("Entries by foundation", "各基金会条目数"),
    "maturity": ("Entries by foundation maturity", "各基金会成熟度条目数"),
    "relation": ("Relations by type (written; each has an inverse)", "各类型关系数（另有反向关系）"),
    "year": ("First releases per year", "每年首次发布数"),
    "connected": ("Most connected components (distinct neighbours)", "关联最多的组件（不同邻居数）"),
    "runnable": ("Pages with a runnable example", "有可运行示例的页面"),
    "runnable_intro": ("{n} of {e} entry pages ({p}%) have a runnable example: a ▶ block, in-browser Python "
                       "or a tutorial step.",
                       "{e} 个条目页中有 {n} 个（{p}%）带可运行示例：▶ 代码块、浏览器内 Python 或教程步骤。"),
    "layer_col": ("Layer", "层"),
    "pages": ("Pages", "页面数"),
    "runnable_col": ("Runnable", "可运行"),
    "share": ("Share", "占比"),
    "all_layers": ("All layers", "全部层"),
    "none": ("not recorded", "未记录"),
    "no_foundation": ("no foundation", "无基金会"),
    "several": ("several families", "多个家族"),
    "proprietary": ("proprietary / other terms", "专有 / 其他条款"),
}  # fmt: skip

_FAMILIES = (
    ("AGPL", "AGPL"),
    ("LGPL", "LGPL"),
    ("GPL", "GPL"),
    ("Apache", "Apache"),
    ("MIT", "MIT"),
    ("BSD", "BSD"),
    ("MPL", "MPL"),
    ("LicenseRef", "proprietary"),
)


def _t(key: str, lang: str, **fmt: object) -> str:
    text = _T[key][0 if lang == "en" else 1]
    return text.format(**fmt) if fmt else text


def license_family(expression: str | None) -> str:
    """The SPDX family of a licence expression: `Apache`, `MIT`, `GPL`..., `several`, or `none`.

    Exceptions (`WITH ...`) do not count; `Apache-2.0 OR MIT` is `several`.
    """
    if not expression:
        return NONE
    expression = re.sub(r"\bWITH\s+\S+", "", expression)
    ids = [i for i in re.split(r"[\s()]+|\bAND\b|\bOR\b", expression) if i and i not in ("AND", "OR")]
    fams = set()
    for i in ids:
        fam = next((f for prefix, f in _FAMILIES if i.startswith(prefix)), i.split("-")[0].rstrip("+"))
        fams.add(fam)
    return fams.pop() if len(fams) == 1 else "several"


def counts(model: SiteModel) -> dict[str, Counter]:
    """Every chart's counts by key (`none` = not recorded); degree = distinct neighbours."""
    entries = model.catalog["entries"]
    c: dict[str, Counter] = {k: Counter() for k in ("layer", "category", "status", "license", "foundation")}
    c.update(maturity=Counter(), relation=Counter(), year=Counter(), connected=Counter())
    for e in entries:
        f = e["facts"]
        fdn = f.get("foundation") or {}
        c["layer"][e["layer"]] += 1
        c["category"][e["category"]] += 1
        c["status"][f.get("status") or NONE] += 1
        c["license"][license_family(f.get("license"))] += 1
        c["foundation"][fdn.get("name") or NONE] += 1
        if fdn:
            c["maturity"][fdn["status"]] += 1
        c["year"][str(f["first_release"]) if f.get("first_release") else NONE] += 1
        c["connected"][e["id"]] = len({r["target"] for r in model.out[e["id"]]})
    for r in model.catalog["relations"]:
        if not r["derived"]:
            c["relation"][r["type"]] += 1
    return c


def _ordered(counter: Counter, order: list[str]) -> list[tuple[str, int]]:
    """Keys in `order` first (those counted), then the rest by count; `none` last."""
    keys = [k for k in order if counter.get(k)]
    rest = sorted((k for k in counter if k not in keys and k != NONE), key=lambda k: (-counter[k], k))
    tail = [NONE] if counter.get(NONE) else []
    return [(k, counter[k]) for k in keys + rest + tail]


def _pct(share: float) -> str:
    return f"{share:g}"


def runnable_html(model: SiteModel, lang: str) -> str:
    """How many entry pages have a runnable example, overall and by layer (a sentence and a table)."""
    r = runnable_counts(model.catalog)
    rows = [(model.label("layers", k, lang), v) for k, v in r["by_layer"].items()]
    rows.append((_t("all_layers", lang), r))
    body = "".join(
        f'<tr data-layer="{escape(k)}"><td>{escape(label)}</td><td>{v["entries"]}</td>'
        f"<td>{v['runnable']}</td><td>{_pct(v['share'])}%</td></tr>"
        for k, (label, v) in zip([*r["by_layer"], "all"], rows, strict=True)
    )
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in ("layer_col", "pages", "runnable_col", "share"))
    return (
        f'<h2 id="runnable">{_t("runnable", lang)}</h2>'
        f'<p data-atlas-try-share="{r["runnable"]} {r["entries"]}">'
        f"{_t('runnable_intro', lang, n=r['runnable'], e=r['entries'], p=_pct(r['share']))}</p>"
        f'<table class="atlas-runnable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def stats_page(model: SiteModel, lang: str, here: str) -> str:
    """The whole stats page in `lang` (`here` is its language-relative URL)."""
    c = counts(model)
    v = model.vocab
    none = _t("none", lang)

    def bars(name: str, order: list[str], label, href=None, cls=None, none_label=none) -> str:
        items = [
            Bar(
                k,
                none_label if k == NONE else label(k),
                n,
                href(k) if href and k != NONE else "",
                cls(k) if cls and k != NONE else "",
            )
            for k, n in _ordered(c[name], order)
        ]
        return bar_chart(name, _t(name, lang), items)

    def vocab(table: str):
        return lambda k: model.label(table, k, lang)

    years = sorted(int(y) for y in c["year"] if y != NONE)
    year_order = [str(y) for y in range(years[0], years[-1] + 1)] if years else []
    for y in year_order:
        c["year"].setdefault(y, 0)
    top = sorted(c["connected"].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CONNECTED]
    c["connected"] = Counter(dict(top))
    fam_label = {"several": _t("several", lang), "proprietary": _t("proprietary", lang)}
    layer_of_cat = {k: x["layer"] for k, x in v["categories"].items()}
    charts = [
        bars("layer", list(v["layers"]), vocab("layers"), cls=lambda k: f"l-{k}"),
        bars(
            "category",
            list(v["categories"]),
            vocab("categories"),
            href=lambda k: rel_url(here, category_url(k)),
            cls=lambda k: f"l-{layer_of_cat.get(k, '')}",
        ),
        bars("status", list(v["statuses"]), vocab("statuses")),
        bars("license", ["Apache", "MIT", "BSD"], lambda k: fam_label.get(k, k)),
        bars("foundation", [], str, none_label=_t("no_foundation", lang)),
        bars("maturity", list(v["foundation_statuses"]), vocab("foundation_statuses")),
        bars("relation", list(v["relation_types"]), lambda k: model.wording.get(k, {}).get(lang, k)),
        bars("year", year_order, str),
        bars(
            "connected",
            [k for k, _ in top],
            lambda k: model.name(k, lang),
            href=lambda k: rel_url(here, component_url(k)),
            cls=lambda k: f"l-{model.entries[k]['layer']}",
        ),
    ]
    written = sum(c["relation"].values())
    intro = _t("intro", lang, e=len(model.catalog["entries"]), r=written)
    return (
        f"<h1>{_t('title', lang)}</h1><p>{intro}</p>"
        + '<div class="atlas-charts">'
        + "".join(charts)
        + "</div>"
        + runnable_html(model, lang)
    )
