"""`./atlas build`: validate the KB, run the MkDocs build into a temporary folder, swap it in.

The swap is atomic (Linux `renameat2(RENAME_EXCHANGE)`, else two renames): a failed build (bad
KB, MkDocs warning in strict mode, broken page) leaves the previous site exactly as it was.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from atlas import ROOT
from atlas.errors import BuildError
from atlas.sitegen import generate

MKDOCS_YML = ROOT / "mkdocs.yml"
EDIT_URI = "edit/main/docs/"  # GitHub's and GitLab's edit path for docs/ on branch main
EMPTY_SITEMAP = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False when the kernel/libc cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _quiet_jieba() -> None:
    """jieba (Chinese search segmentation) logs its dictionary loading at DEBUG to stderr."""
    try:
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(logging.WARNING)


def swap_in(new: Path, out_dir: Path) -> None:
    """Put the finished site `new` at `out_dir`, replacing what was there in one step."""
    if out_dir.exists() or out_dir.is_symlink():
        if _exchange(new, out_dir):
            shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old site
            return
        old = out_dir.with_name(out_dir.name + ".old-" + new.name.rsplit("-", 1)[-1])
        os.rename(out_dir, old)
        os.rename(new, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, out_dir)


def check_site_url(site_url: str | None) -> str | None:
    """The public address the site will be served at, normalised to end with "/" (None: unknown).

    Raises BuildError naming `--site-url` when it is not an absolute http(s) URL.
    """
    if not site_url:
        return None
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise BuildError(
            f"--site-url (or ATLAS_SITE_URL): {site_url!r} is not an absolute http(s) address "
            "such as https://atlas.example.org/"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


def check_api_url(api_url: str | None) -> str | None:
    """The sandbox API the built pages call, as "<service>/api" (None: the site's own "/api").

    `api_url` is where the sandbox service answers, e.g. https://sandbox.example.org (its "/api" is
    added; a URL already ending in /api is kept). Raises BuildError naming `--api-url` when it is not an
    absolute http(s) address. The service must list the site's origin in `allowed_origins`.
    """
    if not api_url:
        return None
    parts = urlsplit(api_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise BuildError(
            f"--api-url (or ATLAS_API_URL): {api_url!r} is not an absolute http(s) address "
            "of the sandbox service such as https://sandbox.example.org"
        )
    base = api_url.rstrip("/")
    return base if base.endswith("/api") else base + "/api"


def check_repo_url(repo_url: str | None, edit_uri: str | None = None) -> dict[str, str | None]:
    """The MkDocs settings for "edit this page" links and the header's repository link.

    `repo_url` is where the project is hosted, e.g. https://github.com/org/container-atlas; `edit_uri`
    is the edit path of the docs folder relative to it (default EDIT_URI, the GitHub/GitLab form).
    Without `repo_url` pages get no edit or repository link (there is no honest address to send
    readers to). Raises BuildError naming `--repo-url` when it is not an absolute http(s) address.
    """
    if not repo_url:
        return {"repo_url": None, "repo_name": None, "edit_uri": None}
    parts = urlsplit(repo_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise BuildError(
            f"--repo-url (or ATLAS_REPO_URL): {repo_url!r} is not an absolute http(s) address "
            "of the repository such as https://github.com/org/container-atlas"
        )
    edit = (edit_uri or EDIT_URI).strip("/") + "/"
    name = parts.path.strip("/") or parts.netloc
    return {"repo_url": repo_url.rstrip("/"), "repo_name": name, "edit_uri": edit}


def build_from_catalog(
    catalog: dict[str, Any],
    out_dir: Path,
    strict: bool = True,
    config_file: Path = MKDOCS_YML,
    docs_dir: Path | None = None,
    site_url: str | None = None,
    api_url: str | None = None,
    repo_url: str | None = None,
    edit_uri: str | None = None,
) -> None:
    """Build the site for an already validated export catalog into `out_dir` (atomic swap).

    With `site_url` (where the site will be public) pages get canonical links and the site a
    sitemap.xml; without it the sitemap lists no page (its addresses would be unknown). With `api_url` the
    pages call the sandbox service there (check_api_url) instead of their own origin's /api. With
    `repo_url` pages link to their source files there (check_repo_url); without it, to nothing.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    site_url = check_site_url(site_url)
    api = check_api_url(api_url)
    repo = check_repo_url(repo_url, edit_uri)
    out_dir = Path(out_dir).absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.build-", dir=out_dir.parent))
    collect = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(collect)
    if not log.handlers or all(h is collect for h in log.handlers):
        log.propagate = False  # keep MkDocs' INFO chatter out of our output
    _quiet_jieba()
    generate.preload(catalog)
    try:
        overrides: dict[str, Any] = {"site_dir": str(tmp), "strict": strict, **repo}
        if docs_dir is not None:
            overrides["docs_dir"] = str(docs_dir)
        if site_url:
            overrides["site_url"] = site_url
        cfg = load_config(config_file=str(config_file), **overrides)
        cfg["extra"]["atlas_api"] = api or "/api"  # read by overrides/main.html into #atlas-config
        build(cfg)
        if not site_url:  # MkDocs writes one anyway, with "None" for every address
            for stale in tmp.rglob("sitemap.xml*"):
                stale.unlink()
            # Material's JS fetches /sitemap.xml on every page: an empty one instead of a 404
            (tmp / "sitemap.xml").write_text(EMPTY_SITEMAP, encoding="utf-8")
    except (Abort, ConfigurationError, Exception) as exc:  # noqa: B014 - name the MkDocs ones
        shutil.rmtree(tmp, ignore_errors=True)
        detail = "\n".join(f"  {m}" for m in collect.messages) or f"  {exc}"
        raise BuildError(
            f"site build failed ({type(exc).__name__}: {exc}); the previous site at {out_dir} is unchanged\n"
            f"{detail}"
        ) from exc
    finally:
        generate.preload(None)
        log.removeHandler(collect)
        log.propagate = True
    swap_in(tmp, out_dir)


def build_site(
    kb_dir: Path,
    out_dir: Path,
    strict: bool = True,
    docs_dir: Path | None = None,
    site_url: str | None = None,
    api_url: str | None = None,
    repo_url: str | None = None,
    edit_uri: str | None = None,
) -> None:
    """Check the KB at `kb_dir` and the tutorials, then build the bilingual site into `out_dir`.

    Raises KBError (every problem, located) when the KB or a tutorial is invalid, BuildError when
    MkDocs fails or `site_url` is not an http(s) address; in every case `out_dir` is left exactly as
    it was. `docs_dir` replaces docs/ (tests, benchmarks); `site_url`, `api_url`, `repo_url`, `edit_uri`
    see build_from_catalog.
    """
    from atlas.inputs import DOCS_DIR, valid_catalog

    site_url = check_site_url(site_url)  # before the KB is read: a typo fails at once
    check_api_url(api_url)
    check_repo_url(repo_url, edit_uri)
    cat = valid_catalog(Path(kb_dir), Path(docs_dir) if docs_dir is not None else DOCS_DIR)
    build_from_catalog(
        cat,
        Path(out_dir),
        strict=strict,
        docs_dir=docs_dir,
        site_url=site_url,
        api_url=api_url,
        repo_url=repo_url,
        edit_uri=edit_uri,
    )
