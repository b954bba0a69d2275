"""The "Data" page: where the KB is served as JSON and CSV (`atlas.kb.dataset`) and its fields."""

from __future__ import annotations

from atlas.kb.dataset import DATA_PREFIX
from atlas.kb.export import ENTRY_COLUMNS, RELATION_COLUMNS
from atlas.sitegen.model import SiteModel, escape

# (path, English, Chinese) for each file; `<id>` is a component id.
FILES = (
    ("graph.json",
     "The whole catalog: version, vocabulary, entries, relations (what `./atlas kb export` prints).",
     "完整目录：版本、词表、条目、关系（即 `./atlas kb export` 的输出）。"),
    ("entries.json", "All entries: `{\"version\", \"entries\": [...]}`, sorted by id.",
     "全部条目：`{\"version\", \"entries\": [...]}`，按 id 排序。"),
    ("entries.csv", "One row per entry (columns below).", "每个条目一行（列见下表）。"),
    ("relations.csv", "One row per relation, written and derived (columns below).",
     "每条关系一行，含手写的与推导出的反向关系（列见下表）。"),
    ("runnable.json",
     "How many entry pages have a runnable example (a ▶ block or a tutorial step), overall and by layer: "
     "`{\"version\", \"entries\", \"runnable\", \"share\", \"by_layer\"}` (share in percent).",
     "有可运行示例（▶ 代码块或教程步骤）的条目页数量，总体及各层："
     "`{\"version\", \"entries\", \"runnable\", \"share\", \"by_layer\"}`（share 为百分比）。"),
    ("entries/<id>.json",
     "One entry: `{\"version\", \"entry\", \"relations\"}` with every relation starting at it.",
     "单个条目：`{\"version\", \"entry\", \"relations\"}`，含以它为起点的所有关系。"),
)  # fmt: skip

ENTRY_FIELDS = {
    "id": ("Stable identifier (also the page URL and file name)", "稳定标识符（也是页面 URL 与文件名）"),
    "name": ("Display name, as people write it", "显示名称，按通常的写法"),
    "name_zh": (
        "Name on Chinese pages, when it differs (every concept has one; empty or null otherwise)",
        "中文页面上显示的名称（每个概念都有；没有时为空或 null）",
    ),
    "aliases": ("Other names, joined by '; '", "其他名称，以 '; ' 分隔"),
    "kind": ("Kind (vocabulary `kinds`)", "类型（词表 `kinds`）"),
    "layer": ("Layer: core, platform or support", "层：core、platform 或 support"),
    "category": ("Category (vocabulary `categories`)", "分类（词表 `categories`）"),
    "status": ("active, maintained, deprecated, archived...", "active、maintained、deprecated、archived 等"),
    "status_since": ("Year the status began", "该状态开始的年份"),
    "first_release": ("Year of the first release", "首次发布年份"),
    "license": ("SPDX license expression", "SPDX 许可证表达式"),
    "organization": ("Maintaining organization", "维护组织"),
    "homepage": ("Homepage URL", "主页 URL"),
    "repository": ("Source repository URL", "源码仓库 URL"),
    "foundation": ("Foundation hosting it (e.g. CNCF)", "托管它的基金会（如 CNCF）"),
    "foundation_status": ("Maturity: sandbox, incubating, graduated...", "成熟度：sandbox、incubating 等"),
    "foundation_since": ("Year of that foundation status", "取得该基金会状态的年份"),
    "summary_en": ("One-sentence summary, English", "一句话简介（英文）"),
    "summary_zh": ("One-sentence summary, Chinese", "一句话简介（中文）"),
    "description_en": ("Description (Markdown), English", "介绍（Markdown，英文）"),
    "description_zh": ("Description (Markdown), Chinese", "介绍（Markdown，中文）"),
    "sources": ("Source URLs, space separated", "资料来源 URL，以空格分隔"),
    "file": ("The YAML file in the repository", "仓库中的 YAML 文件"),
    "try": (
        "The page's example: run, python, tutorial (slug#step) or reason (JSON: the whole `try`)",
        "页面的示例：run、python、tutorial（slug#step）或 reason（JSON 中为完整的 `try`）",
    ),
    "runnable": (
        "'true' when the page has a runnable example or a tutorial step that runs it",
        "页面有可运行示例或运行它的教程步骤时为 'true'",
    ),
}
RELATION_FIELDS = {
    "source": ("Entry id the relation starts at", "关系起点的条目 id"),
    "type": ("Relation type (vocabulary `relation_types`)", "关系类型（词表 `relation_types`）"),
    "target": ("Entry id the relation points to", "关系终点的条目 id"),
    "derived": ("'true' for the computed inverse of a relation", "推导出的反向关系为 'true'"),
    "note_en": ("Note, English", "说明（英文）"),
    "note_zh": ("Note, Chinese", "说明（中文）"),
}

_T = {
    "title": ("Data", "数据"),
    "intro": (
        "The whole knowledge base is served as JSON and CSV at stable, versioned paths. "
        "Version {v} paths will not change; a new format gets a new version folder. "
        "The same files come out of <code>./atlas kb export --format data --out DIR</code>.",
        "整个知识库以 JSON 和 CSV 形式在稳定、带版本号的路径下提供。"
        "版本 {v} 的路径不会改变；格式变化时会使用新的版本目录。"
        "<code>./atlas kb export --format data --out DIR</code> 生成的是完全相同的文件。",
    ),
    "files": ("Files", "文件"),
    "path": ("Path", "路径"),
    "content": ("Content", "内容"),
    "entry_fields": ("Entry fields (entries.csv; JSON nests the facts)",
                     "条目字段（entries.csv；JSON 中事实字段嵌套在 facts 内）"),
    "relation_fields": ("Relation fields (relations.csv)", "关系字段（relations.csv）"),
    "field": ("Field", "字段"),
    "meaning": ("Meaning", "含义"),
    "counts": ("{e} entries, {r} relations (inverses included).", "{e} 个条目，{r} 条关系（含反向关系）。"),
}  # fmt: skip


def _t(key: str, lang: str, **fmt: object) -> str:
    text = _T[key][0 if lang == "en" else 1]
    return text.format(**fmt) if fmt else text


def _code(text: str) -> str:
    """Backticks in the wording become <code> (the text is escaped first)."""
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _fields(fields: dict[str, tuple[str, str]], columns: list[str], lang: str) -> str:
    i = 0 if lang == "en" else 1
    rows = "".join(f"<tr><td><code>{c}</code></td><td>{escape(fields[c][i])}</td></tr>" for c in columns)
    head = f"<thead><tr><th>{_t('field', lang)}</th><th>{_t('meaning', lang)}</th></tr></thead>"
    return f"<table>{head}<tbody>{rows}</tbody></table>"


def data_page(model: SiteModel, lang: str, here: str) -> str:
    """The schema page: links to every data file and the meaning of every field, in `lang`."""
    up = "../" * (here.count("/") + (1 if lang != "en" else 0))
    example = "runc" if "runc" in model.entries else next(iter(model.entries), "runc")
    rows = []
    for path, en, zh in FILES:
        shown = f"/{DATA_PREFIX}/{path}"
        href = escape(f"{up}{DATA_PREFIX}/{path}".replace("<id>", example))
        cell = f'<a href="{href}"><code>{escape(shown.replace("<id>", example))}</code></a>'
        if "<id>" in path:
            cell = f"<code>{escape(shown)}</code>, {cell}"
        rows.append(f"<tr><td>{cell}</td><td>{_code(en if lang == 'en' else zh)}</td></tr>")
    cat = model.catalog
    return (
        f"<h1>{_t('title', lang)}</h1>"
        f"<p>{_t('intro', lang, v=cat['version'])}</p>"
        f'<p data-atlas-counts="{len(cat["entries"])} {len(cat["relations"])}">'
        f"{_t('counts', lang, e=len(cat['entries']), r=len(cat['relations']))}</p>"
        f'<h2 id="files">{_t("files", lang)}</h2>'
        f"<table><thead><tr><th>{_t('path', lang)}</th><th>{_t('content', lang)}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<h2 id="entry-fields">{_t("entry_fields", lang)}</h2>'
        + _fields(ENTRY_FIELDS, ENTRY_COLUMNS, lang)
        + f'<h2 id="relation-fields">{_t("relation_fields", lang)}</h2>'
        + _fields(RELATION_FIELDS, RELATION_COLUMNS, lang)
    )
