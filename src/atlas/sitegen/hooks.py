"""MkDocs hooks (listed in mkdocs.yml): thin wrappers around `atlas.sitegen.generate`.

MkDocs loads this file by path, so all state lives in `atlas.sitegen.generate`.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

from atlas.sitegen import generate, templates


@event_priority(50)
def on_config(config):
    """Load the KB and set nav/assets for the language being built (before i18n reconfigures)."""
    return generate.on_config(config)


@event_priority(-200)
def on_files(files, config):
    """Add generated pages after mkdocs-static-i18n has sorted the hand-written ones."""
    return generate.on_files(files, config)


@event_priority(-200)
def on_page_markdown(markdown, page, config, files):
    """Skip Markdown for generated pages; expand `[[id]]` links elsewhere."""
    return generate.on_page_markdown(markdown, page, config, files)


@event_priority(-200)
def on_page_content(html, page, config, files):
    """Render generated pages and fill page markers."""
    return generate.on_page_content(html, page, config, files)


@event_priority(-200)
def on_nav(nav, config, files):
    """Generated pages skip the Markdown pass."""
    return generate.on_nav(nav, config, files)


@event_priority(-300)
def on_page_context(context, page, config, nav):
    """Restore a generated page's full HTML after search indexed its lean version."""
    return generate.on_page_context(context, page, config, nav)


def on_env(env, config, files):
    """Template helpers (a per-build cache for repeated page parts)."""
    return templates.on_env(env, config, files)


def on_post_page(output, page, config):
    """Accessibility fixes on the rendered page."""
    return generate.on_post_page(output, page, config)
