"""Check that every internal link (href/src) of a built site resolves to a file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

ATTR = re.compile(r'\s(?:href|src)="([^"]*)"')


def broken_links(site_dir: Path) -> list[tuple[str, str]]:
    """Return (page, link) for every internal href/src in `site_dir`'s HTML that names no file."""
    site_dir = Path(site_dir).resolve()
    broken = []
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for raw in set(ATTR.findall(text)):
            url = urlsplit(raw.replace("&amp;", "&"))
            if url.scheme or url.netloc or not url.path:
                continue  # external, mailto:, data:, or a fragment on the same page
            path = unquote(url.path)
            target = (site_dir / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site_dir not in target.parents:
                broken.append((str(page.relative_to(site_dir)), raw))
    return broken
