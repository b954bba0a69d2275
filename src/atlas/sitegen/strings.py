"""UI strings of the generated pages, in both site languages (KB terms come from the vocabulary)."""

from __future__ import annotations

from atlas.cjk import fill
from atlas.kb.vocabulary import Label

UI: dict[str, Label] = {
    "site_name": Label("Container Atlas", "容器图谱"),
    "home": Label("Ecosystem map", "生态地图"),
    "categories": Label("Categories", "分类"),
    "graph": Label("Graph explorer", "关系图浏览器"),
    "learning_path": Label("Learning path", "学习路径"),
    "tutorials": Label("Tutorials", "教程"),
    "concepts": Label("Concepts", "概念"),
    "python": Label("Python in the browser", "浏览器中的 Python"),
    "policy": Label("Sandbox policy", "沙箱策略"),
    "architecture": Label("Architecture", "架构"),
    "stats": Label("Stats", "统计"),
    "timeline": Label("Timeline", "时间线"),
    "compare": Label("Compare", "对比"),
    "embed": Label("Embed", "嵌入"),
    "compare_alternatives": Label("Compare it with its alternatives", "与其替代方案对比"),
    "data": Label("Data (JSON, CSV)", "数据（JSON、CSV）"),
    "facts": Label("Facts", "基本信息"),
    "description": Label("Description", "介绍"),
    "relations": Label("Relations", "关系"),
    "neighbourhood": Label("Neighbourhood", "邻近关系图"),
    "neighbourhood_alt": Label("Components directly related to {name}", "与 {name} 直接相关的组件"),
    "more": Label("and {n} more", "另有 {n} 个"),
    "sources": Label("Sources", "资料来源"),
    "try_it": Label("Try it", "动手试试"),
    "try_it_intro": Label("Tutorial steps that use {name}:", "用到 {name} 的教程步骤："),
    "try_shows": Label("What to look at:", "看点："),
    "try_tutorial": Label("Run it step by step in the tutorial:", "在教程中一步步运行："),
    "try_reason": Label("Can't run here:", "无法在此运行："),
    "try_read": Label("Read about it in the tutorials:", "在教程中阅读相关内容："),
    "no_relations": Label("No relations recorded yet.", "尚未记录任何关系。"),
    "name": Label("Name", "名称"),
    "kind": Label("Kind", "类型"),
    "layer": Label("Layer", "层"),
    "category": Label("Category", "分类"),
    "status": Label("Status", "状态"),
    "since": Label("since {year}", "自 {year} 年起"),
    "first_release": Label("First release", "首次发布"),
    "license": Label("License", "许可证"),
    "organization": Label("Organization", "组织"),
    "homepage": Label("Homepage", "主页"),
    "repository": Label("Source repository", "源码仓库"),
    "foundation": Label("Foundation", "基金会"),
    "cncf_landscape": Label("CNCF landscape", "CNCF 全景图"),
    "aliases": Label("Also known as", "别名"),
    "summary": Label("Summary", "简介"),
    "members": Label("{n} components", "{n} 个组件"),
    "banner_title": Label("{status} since {year}", "自 {year} 年起{status}"),
    "banner_title_noyear": Label("{status}", "{status}"),
    "replaced_by": Label("What replaced it:", "取代它的是："),
    "no_successor": Label("No successor is recorded.", "尚未记录后继项目。"),
    "open_graph": Label("Open it in the graph explorer", "在关系图浏览器中查看"),
    "tutorial": Label("Tutorial", "教程"),
    "read_more": Label("Read more", "延伸阅读"),
    "series_steps": Label("{n} steps", "{n} 个步骤"),
    "series_total": Label(
        "{n} tutorials, {steps} steps in all; their commands run in a real sandbox next to the page.",
        "共 {n} 个教程、{steps} 个步骤；其中的命令都在页面旁真实的沙箱中运行。",
    ),
    "none": Label("—", "—"),
}


def t(key: str, lang: str, **fmt: object) -> str:
    """Return UI string `key` in `lang`, formatted with `fmt`."""
    text = getattr(UI[key], lang)
    return fill(text, **fmt) if fmt else text
