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
import yaml
from atlas.errors import AtlasError

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*(\n|\Z)", re.S)
STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


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
    """Every check of every page under `docs_dir`; AtlasError naming file and field on bad input."""
    checks: dict[str, Check] = {}
    problems: list[str] = []
    if not docs_dir.is_dir():
        return checks
    # English pages first, so their text wins when both languages define the same check.
    pages = sorted(docs_dir.rglob("*.md"), key=lambda p: (p.name.endswith(".zh.md"), str(p)))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        m = FRONT_MATTER.match(text)
        if not m:
            continue
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            problems.append(f"{page}: front matter is not valid YAML: {exc}")
            continue
        if not isinstance(meta, dict) or "checks" not in meta:
            continue
        block = meta["checks"]
        line = 1 + m.group(1)[: m.group(1).find("checks:")].count("\n") + 1
        if not isinstance(block, dict):
            problems.append(f"{page}:{line}: checks: expected a mapping of step id -> check")
            continue
        for step, spec in block.items():
            where = f"{page}:{line}: checks.{step}"
            if not STEP_ID.match(str(step)):
                problems.append(f"{where}: step id must be letters, digits, '-', '_' or '.'")
                continue
            if not isinstance(spec, dict):
                problems.append(f"{where}: expected a mapping with run, expect, hint")
                continue
            unknown = set(spec) - {"run", "expect", "hint"}
            if unknown:
                problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
            if not isinstance(spec.get("run"), str) or not spec["run"].strip():
                problems.append(f"{where}.run: expected a shell command (string)")
                continue
            try:
                expect = re.compile(str(spec.get("expect", "")), re.M)
            except re.error as exc:
                problems.append(f"{where}.expect: not a valid regular expression: {exc}")
                continue
            hint = spec.get("hint") or {}
            if isinstance(hint, str):
                hint = {"en": hint}
            if not isinstance(hint, dict):
                problems.append(f"{where}.hint: expected a mapping of language -> text")
                continue
            cid = f"{_page_id(page)}/{step}"
            if cid in checks:
                merged = {**hint, **checks[cid].hint}
                checks[cid] = Check(cid, checks[cid].run, checks[cid].expect, merged, checks[cid].source)
            else:
                checks[cid] = Check(cid, spec["run"], expect, dict(hint), str(page))
    if problems:
        raise AtlasError("invalid tutorial checks:\n" + "\n".join(problems))
    return checks


def run_check(
    client: docker.DockerClient, container_id: str, check: Check, user: str, timeout: float
) -> dict:
    """Run `check` in the container; `{"ok", "detail", "hint"}` for the browser."""
    cmd = ["timeout", "-s", "KILL", str(int(timeout)), "sh", "-c", check.run]
    try:
        res = client.api.exec_create(container_id, cmd, user=user, stdout=True, stderr=True, tty=False)
        out = client.api.exec_start(res["Id"], demux=True)
        code = client.api.exec_inspect(res["Id"]).get("ExitCode")
    except docker.errors.APIError as exc:
        return {
            "ok": False,
            "detail": f"The check could not run in the sandbox: {exc.explanation}",
            "hint": check.hint,
        }
    stdout = (out[0] or b"").decode("utf-8", "replace") if isinstance(out, tuple) else ""
    stderr = (out[1] or b"").decode("utf-8", "replace") if isinstance(out, tuple) else ""
    if code == 137:
        return {"ok": False, "detail": f"The check took longer than {int(timeout)} s.", "hint": check.hint}
    ok = bool(check.expect.search(stdout))
    shown = (stdout.strip() or stderr.strip())[-400:]
    detail = "Looks right." if ok else f"Not yet: expected output matching /{check.expect.pattern}/"
    if not ok and shown:
        detail += f", got: {shown}"
    return {"ok": ok, "detail": detail, "hint": {} if ok else check.hint}
