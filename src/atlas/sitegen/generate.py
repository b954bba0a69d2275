"""The MkDocs side of the site build: what the hooks in `hooks.py` do at each build event.

The KB reaches the build in one of two ways: `build_site()` hands over an already validated
catalog with `preload()`, or (plain `mkdocs build`/`serve`) the hooks load it from the folder in
the `ATLAS_KB_DIR` environment variable, else `kb/` next to mkdocs.yml.
"""

from __future__ import annotations

import json
import os
import re
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from atlas.cjk import join_wrapped
from atlas.content import wikilinks
from atlas.content.mentions import Mention, scan_mentions
from atlas.content.series import Series, load_series
from atlas.kb.dataset import DATA_PREFIX, data_files
from atlas.kb.names import other_names
from atlas.sitegen import (
    render_compare,
    render_component,
    render_data,
    render_embed,
    render_lists,
    render_stats,
    render_timeline,
)
from atlas.sitegen.layout import graph_layout
from atlas.sitegen.model import SiteModel
from atlas.sitegen.modules import module_imports
from atlas.sitegen.strings import t

# One build at a time per process: MkDocs loads hooks.py by path and calls it once per language, so
# what the hooks share within a build (catalog, model, tutorials, mentions) lives here; build_site
# sets it with preload() and clears it after the build.
_state: dict[str, Any] = {"catalog": None, "model": None, "kb": None}
MARKERS = (
    "<!-- atlas:map -->",
    "<!-- atlas:learning-path -->",
    "<!-- atlas:categories -->",
    "<!-- atlas:series -->",
)


STATIC_HEALTH = '{"ok": false, "why": "static hosting: no sandbox service here"}\n'


def preload(catalog: dict[str, Any] | None) -> None:
    """Hand a validated export catalog to the hooks (None forgets it)."""
    _state.update(catalog=catalog, model=SiteModel.from_catalog(catalog) if catalog else None, kb=None)


def _kb_dir(config: MkDocsConfig) -> Path:
    return Path(os.environ.get("ATLAS_KB_DIR") or Path(config.config_file_path).parent / "kb")


def _model(config: MkDocsConfig) -> SiteModel:
    if _state["kb"] is None and _state["model"] is not None:
        return _state["model"]  # preloaded by build_site()
    from atlas.kb.export import catalog

    kb = _kb_dir(config)
    stamp = (str(kb), max((p.stat().st_mtime_ns for p in kb.rglob("*.yaml")), default=0))
    if _state["kb"] != stamp:  # first use, or `mkdocs serve` saw the KB change
        _state.update(catalog=catalog(kb), kb=stamp)
        _state["model"] = SiteModel.from_catalog(_state["catalog"])
    return _state["model"]


def current_lang(config: MkDocsConfig) -> str:
    """The language of the build in progress (mkdocs-static-i18n runs one build per language)."""
    plugin = config.plugins.get("i18n")
    if plugin is None:
        return "en"
    return plugin.current_language or plugin.default_language


def _assets_dir(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).parent / "site-src" / "assets"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Load the KB, expose asset facts to templates, build the nav for this language."""
    _state["series"] = None  # tutorials are read again for every build (`mkdocs serve` edits)
    lang = current_lang(config)
    model = _model(config)
    assets = _assets_dir(config)
    manifest = assets / "vendor" / "manifest.json"
    vendor = {}
    if manifest.is_file():
        vendor = {k: v.get("files", []) for k, v in json.loads(manifest.read_text()).items()}
    present = sorted(str(p.relative_to(assets)) for p in assets.glob("*/*") if p.is_file())
    imports = module_imports(assets / "js") if (assets / "js").is_dir() else {}
    config.extra["atlas"] = {"vendor": vendor, "assets": present, "lang": lang, "imports": imports}
    docs = Path(config.docs_dir)
    nav: list[Any] = [
        {t("home", lang): "index.md"},
        {t("categories", lang): "categories/index.md"},
        {t("graph", lang): "graph.md"},
        {t("learning_path", lang): "learning-path.md"},
        {t("timeline", lang): "timeline.md"},
        {t("stats", lang): "stats.md"},
        {t("compare", lang): "compare.md"},
        {t("embed", lang): "embed.md"},
        {t("data", lang): "data.md"},
    ]
    tuts = [f"tutorials/{s}.md" for s in _series(config).path]
    if tuts:
        nav.append({t("tutorials", lang): tuts})
    python = sorted(p.name for p in (docs / "python").glob("*.md") if p.name.count(".") == 1)
    if python:
        python.sort(key=lambda n: n != "index.md")
        nav.append({t("python", lang): [f"python/{n}" for n in python]})
    if model.members.get("concepts"):
        nav.append({t("concepts", lang): "categories/concepts.md"})
    for key, name in (("policy", "sandbox-policy.md"), ("architecture", "architecture.md")):
        if (docs / name).is_file():
            nav.append({t(key, lang): name})
    config.nav = nav
    if _state["kb"] is not None and str(_kb_dir(config)) not in config.watch:
        config.watch.append(str(_kb_dir(config)))  # `mkdocs serve` rebuilds when the KB changes
    return config


class AtlasPage(Page):
    """A generated page: no Markdown pass, its HTML comes from the catalog in on_page_content."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        """Skip Markdown entirely (MkDocs would build a Markdown instance per page)."""
        self.content = ""
        self.toc = get_toc([])
        self._title_from_render = None
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


def on_nav(nav: Any, config: MkDocsConfig, files: Files) -> Any:
    """Turn the Page objects of generated files into AtlasPage (MkDocs made them in get_navigation)."""
    for f in files.documentation_pages():
        if getattr(f, "generated_by", None) == "atlas" and f.page is not None:
            f.page.__class__ = AtlasPage
    return nav


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Any) -> dict:
    """After the search plugin indexed the lean HTML of a generated page, put the full page back;
    a component page's "edit this page" goes to its KB YAML file."""
    full = getattr(page, "_atlas_full", None)
    if full is not None:
        page.content = full
        page._atlas_full = None
    kind = page.meta.get("atlas_page")
    if kind == "component":
        page.edit_url = kb_edit_url(config, _model(config).entries[page.meta["atlas_id"]]["file"])
    elif kind == "category":  # a category's name and blurb live in the vocabulary
        page.edit_url = kb_edit_url(config, "src/atlas/kb/vocabulary.py")
    return context


def kb_edit_url(config: MkDocsConfig, repo_path: str) -> str | None:
    """Where to edit repository file `repo_path`: `repo_url` + `edit_uri` without the docs folder."""
    if not config.repo_url or not config.edit_uri:
        return None
    docs = Path(config.docs_dir).name + "/"
    root = config.edit_uri[: -len(docs)] if config.edit_uri.endswith(docs) else config.edit_uri
    return config.repo_url.rstrip("/") + "/" + root.strip("/") + "/" + repo_path


def _lean(title: str, *parts: str) -> str:
    """What search indexes for a generated page: title, summary, aliases (then the description).

    Indexing the whole page (facts table, relations, SVG) made the search plugin's HTML parsing
    and jieba's Chinese segmentation the biggest cost of a 2,000-entry build.
    """
    return f'<h1 id="_top">{title}</h1>' + "".join(f"<p>{p}</p>" for p in parts if p)


class _Alt:
    def __init__(self, url: str) -> None:
        self.url = url
        self.page = None  # the sitemap template falls back to `url`


def _page_file(config: MkDocsConfig, src_uri: str, lang: str, content: str) -> File:
    prefix = "" if lang == "en" else f"{lang}/"
    stem = src_uri[:-3]
    dest = f"{stem[:-5] if stem.endswith('index') else stem + '/'}index.html"
    f = File(src_uri, src_dir=None, dest_dir=config.site_dir, use_directory_urls=True, dest_uri=prefix + dest)
    f.generated_by = "atlas"
    f._content = content
    base = dest[: -len("index.html")]
    f.alternates = {lg: _Alt(("" if lg == "en" else f"{lg}/") + base) for lg in ("en", "zh")}
    f.locale = f.locale_alternate_of = lang
    f.localization = None if lang == "en" else lang
    f.norm_src_uri = src_uri
    return f


def _front(**meta: Any) -> str:
    return "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add generated pages for this language; in the default-language build also the assets."""
    lang = current_lang(config)
    model = _model(config)
    for e in model.catalog["entries"]:
        files.append(
            _page_file(
                config,
                f"components/{e['id']}.md",
                lang,
                _front(title=model.name(e, lang), atlas_page="component", atlas_id=e["id"]),
            )
        )
    for c in model.vocab["categories"]:
        title = model.label("categories", c, lang)
        files.append(
            _page_file(
                config,
                f"categories/{c}.md",
                lang,
                _front(title=title, atlas_page="category", atlas_id=c, hide=["toc"]),
            )
        )
    files.append(
        _page_file(
            config, "categories/index.md", lang, _front(title=t("categories", lang), atlas_page="categories")
        )
    )
    for page in ("timeline", "stats", "compare", "embed", "data"):
        wide = ["navigation", "toc"] if page in ("timeline", "compare") else ["toc"]  # tables want the width
        front = _front(title=t(page, lang), atlas_page=page, hide=wide)
        files.append(_page_file(config, f"{page}.md", lang, front))
    if lang == "en":
        for rel, text in data_files(model.catalog).items():
            files.append(File.generated(config, f"{DATA_PREFIX}/{rel}", content=text))
        files.append(File.generated(config, "embed/view.html", content=render_embed.view_html(model)))
        # A plain static host answers the sandbox probe (sessions.js) with this file, not a 404;
        # `atlas serve` and the nginx front answer /healthz themselves before any file.
        files.append(File.generated(config, "healthz", content=STATIC_HEALTH))
        root = _assets_dir(config).parent
        for p in sorted(_assets_dir(config).rglob("*")):
            if p.is_file() and p.name != "manifest.json":
                files.append(File(p.relative_to(root).as_posix(), str(root), config.site_dir, True))
        cat = json.dumps(model.catalog, ensure_ascii=False, separators=(",", ":"))
        files.append(File.generated(config, "assets/graph.json", content=cat))
        lay = json.dumps(graph_layout(model.catalog), separators=(",", ":"))
        files.append(File.generated(config, "assets/graph-layout.json", content=lay))
    _state["mentions"] = scan_mentions(Path(config.docs_dir), lang, _series(config))
    plugin = config.plugins.get("i18n")
    if plugin is not None:  # its sitemap.xml lists the pages it saw; it ran before us
        plugin.i18n_files_per_language[lang] = files.documentation_pages()
    return files


_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


# `<link rel="alternate" hreflang>` in the head: Material fetches `sitemap.xml` under each one's
# path (404s on every page); the language switcher and the sitemap (with a site URL) carry them.
_HREFLANG = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\s*')


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Name Material's search dialog (axe: aria-dialog-name) in the page's language; drop hreflang links."""
    label = "搜索" if current_lang(config) == "zh" else "Search"
    output = _HREFLANG.sub("", output)
    return output.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + f' aria-label="{label}">', 1)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Generated pages skip Markdown (their HTML is made in on_page_content); `[[id]]` becomes a link."""
    if page.meta.get("atlas_page"):
        return ""
    model = _model(config)
    depth = page.file.src_uri.count("/")

    def href(entry_id: str) -> str:
        return f"{'../' * depth}components/{entry_id}.md"

    return wikilinks.expand(markdown, model.entries, href, current_lang(config))


def _series(config: MkDocsConfig) -> Series:
    """The tutorials of this build (read once per docs folder and build; validated by `build_site`)."""
    docs = Path(config.docs_dir)
    cached = _state.get("series")
    if cached is None or cached[0] != docs:
        _state["series"] = cached = (docs, load_series(docs))
    return cached[1]


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Render generated pages; fill the markers of hand-written ones; flag pages that need JS."""
    lang = current_lang(config)
    model = _model(config)
    kind = page.meta.get("atlas_page")
    if kind == "component":
        eid = page.meta["atlas_id"]
        mentions: list[Mention] = _state.get("mentions", {}).get(eid, [])
        html, toc = render_component.component_page(model, eid, lang, mentions, _series(config))
        page.toc = get_toc(toc)
        page.meta["atlas_run"] = "data-atlas-run" in html  # a try: example loads the terminal or Pyodide
        page.meta["atlas_pyrun"] = "data-atlas-pyrun" in html
        e = model.entries[eid]
        page._atlas_full = html
        desc = render_component.description_html(model, eid, lang, f"components/{eid}/")
        lean = _lean(
            escape(model.name(e, lang)),
            escape(model.text(e["summary"], lang)),
            escape(", ".join(other_names(e, lang))),
        )
        return lean + desc
    if kind == "category":
        _, html = render_lists.category_page(model, page.meta["atlas_id"], lang)
        page._atlas_full = html
        cat = model.vocab["categories"][page.meta["atlas_id"]]
        return _lean(escape(page.title), escape(model.text(cat.get("blurb"), lang)))
    if kind == "categories":
        html = f"<h1>{t('categories', lang)}</h1>" + render_lists.categories_index(model, lang)
    elif kind == "data":
        html = render_data.data_page(model, lang, "data/")
    elif kind == "stats":
        html = render_stats.stats_page(model, lang, "stats/")
    elif kind == "timeline":
        html = render_timeline.timeline_page(model, lang, "timeline/")
    elif kind == "compare":
        html = render_compare.compare_page(model, lang)
    elif kind == "embed":
        html = render_embed.embed_page(model, lang)
    else:
        here = page.url[len(lang) + 1 :] if lang != "en" and page.url.startswith(f"{lang}/") else page.url
        if MARKERS[0] in html:
            html = html.replace(MARKERS[0], render_lists.ecosystem_map(model, lang, here))
        if MARKERS[1] in html:
            series = _series(config)
            html = html.replace(MARKERS[1], render_lists.learning_path(model, lang, series, here))
        if MARKERS[2] in html:
            html = html.replace(MARKERS[2], render_lists.categories_index(model, lang))
        if MARKERS[3] in html:
            html = html.replace(MARKERS[3], render_lists.tutorial_strip(lang, _series(config), here))
        html = join_wrapped(html)  # hand-written pages: no space between two wrapped Chinese characters
    if "data-atlas-run" in html:
        page.meta["atlas_run"] = True
    if "data-atlas-pyrun" in html:
        page.meta["atlas_pyrun"] = True
    return html
