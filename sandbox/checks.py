"""Tutorial checks: defined in the front matter of `docs/**/*.md`, run inside a session's sandbox.

A tutorial page declares, in its YAML front matter::

    checks:
      run-httpd:                       # step id
        run: "docker ps --format '{{.Image}}'"   # sh command run in the sandbox (exec, as the learner)
        expect: "^httpd"               # Python regex searched (MULTILINE) in its stdout
        hint:
          en: "Start it with docker run -d -p 80:80 httpd."
          zh: "用 docker run -d -p 80:80 httpd 启动它。"

The check id is `<page file stem without .zh>/<step id>`, e.g. `first-container/run-httpd`. The browser
only names a check; the command always comes from the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docker
from atlas.content import frontmatter
from atlas.content.tutorial import STEP_ID, check_spec
from atlas.errors import AtlasError
from atlas.kb.problems import Report

from sandbox.backend import Backend


@dataclass(frozen=True)
class Check:
    """One verify check."""

    id: str
    run: str
    expect: re.Pattern
    hint: dict
    source: str


def _page_id(path: Path) -> str:
    stem = path.name[: -len(".md")]
    return stem[: -len(".zh")] if stem.endswith(".zh") else stem


def load_checks(docs_dir: Path) -> dict[str, Check]:
    """Every check of every page under `docs_dir`; AtlasError naming file, line and field on bad input.

    Front matter and each check are read by the tutorials' own parser (atlas.content), so a check
    the site shows is exactly the check the service runs.
    """
    checks: dict[str, Check] = {}
    problems: list = []
    if not docs_dir.is_dir():
        return checks
    # English pages first, so their text wins when both languages define the same check.
    pages = sorted(docs_dir.rglob("*.md"), key=lambda p: (p.name.endswith(".zh.md"), str(p)))
    for page in pages:
        report = Report(str(page), problems)
        meta = frontmatter.parse(page.read_text(encoding="utf-8"), report).meta
        if meta is None or "checks" not in meta:
            continue
        block = meta["checks"]
        if not isinstance(block, dict):
            report.error(meta.value_mark("checks"), "checks", "expected a mapping of step id -> check")
            continue
        for step, spec in block.items():
            where = f"checks.{step}"
            if not STEP_ID.match(str(step)):
                report.error(block.key_mark(step), where, "step id must be letters, digits, '-', '_' or '.'")
                continue
            got = check_spec(step, spec, block.value_mark(step), where, report)
            if got is None:
                continue
            cid = f"{_page_id(page)}/{step}"
            if cid in checks:
                merged = {**got.hint, **checks[cid].hint}
                checks[cid] = Check(cid, checks[cid].run, checks[cid].expect, merged, checks[cid].source)
            else:
                checks[cid] = Check(cid, got.run, re.compile(got.expect, re.M), got.hint, str(page))
    if problems:
        raise AtlasError("invalid tutorial checks:\n" + "\n".join(map(str, problems)))
    return checks


def run_check(backend: Backend, handle: str, check: Check, user: str, timeout: float) -> dict:
    """Run `check` in the session's sandbox `handle`; `{"ok", "detail", "hint"}` for the browser."""
    cmd = ["timeout", "-s", "KILL", str(int(timeout)), "sh", "-c", check.run]
    try:
        res = backend.exec(handle, cmd, user)
    except docker.errors.APIError as exc:
        return {
            "ok": False,
            "detail": f"The check could not run in the sandbox: {exc.explanation}",
            "hint": check.hint,
        }
    code, stdout, stderr = res.code, res.stdout, res.stderr
    if code == 137:
        return {"ok": False, "detail": f"The check took longer than {int(timeout)} s.", "hint": check.hint}
    ok = bool(check.expect.search(stdout))
    shown = (stdout.strip() or stderr.strip())[-400:]
    detail = "Looks right." if ok else f"Not yet: expected output matching /{check.expect.pattern}/"
    if not ok and shown:
        detail += f", got: {shown}"
    return {"ok": ok, "detail": detail, "hint": {} if ok else check.hint}
