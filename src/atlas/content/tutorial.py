"""One tutorial page: its front-matter schema, its parsed model, and the rules of a single file.

Front matter (every field declared here, once)::

    title: Your first container          # required text
    profile: docker                      # shell | docker | none (no sandbox: a quiz, no checks)
    next: docker-architecture            # the slug of the tutorial that follows ("" for the last)
    teaches: [container, docker-engine]  # KB ids the learning path links to
    steps:                               # in page order; each has a `## Title {#id}` heading,
      - id: run-httpd                    #   a check placeholder, and (sandbox pages) a check and
        title: Start a web server        #   at least one ```run block with step="<slug>/<id>"
    checks:                              # one per step (sandbox pages), run in the sandbox
      run-httpd:
        run: docker ps                   # sh command
        expect: '^web'                   # Python regex searched in its stdout
        hint: {en: ..., zh: ...}

The body's rules (headings, check placeholders, ```run blocks) are in `tutorial_body.py`; rules
across pages (the learning path, en/zh agreement) in `series.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from atlas.content import frontmatter
from atlas.content.tutorial_body import RunBlock, check_body, scan_body
from atlas.kb.load import LocDict, LocList
from atlas.kb.problems import START, Mark, Problem, Report, did_you_mean, one_of, type_name

FIELDS = ("title", "profile", "next", "teaches", "steps", "checks")
PROFILES = ("shell", "docker", "none")
CHECK_FIELDS = ("run", "expect", "hint")
LANGS = ("en", "zh")
STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CheckSpec:
    """A verify check as written: the sandbox's `sandbox/checks.py` compiles and runs it."""

    step: str
    run: str
    expect: str
    hint: dict[str, str]


@dataclass
class Tutorial:
    """A parsed tutorial page (fields default to empty when the front matter is broken)."""

    slug: str
    lang: str
    path: str  # as shown in problems, e.g. docs/tutorials/first-container.md
    meta: LocDict = field(default_factory=lambda: LocDict(START))
    title: str = ""
    profile: str = ""
    next: str = ""
    teaches: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    blocks: list[RunBlock] = field(default_factory=list)
    headings: list[tuple[str, int]] = field(default_factory=list)  # (anchor, line)
    placeholders: list[tuple[str, int]] = field(default_factory=list)  # (slug/step, line)
    next_link: tuple[str, int] | None = None  # the `{ .atlas-next }` paragraph's first link, line
    body: str = ""

    @property
    def step_ids(self) -> list[str]:
        """Step ids in page order."""
        return [s for s, _ in self.steps]

    def blocks_of(self, step: str) -> list[RunBlock]:
        """The runnable blocks of `step`, in page order."""
        return [b for b in self.blocks if b.step == f"{self.slug}/{step}"]

    def mark(self, key: str) -> Mark:
        """Where front-matter field `key` was written (the front matter's start if it was not)."""
        return self.meta.key_mark(key)


def slug_and_lang(path: Path) -> tuple[str, str]:
    """`first-container.zh.md` -> ("first-container", "zh"); `x.md` -> ("x", "en")."""
    slug, _, lang = path.name[: -len(".md")].partition(".")
    return slug, lang or "en"


def read_tutorial(path: Path, shown: str, problems: list[Problem]) -> Tutorial:
    """Parse the tutorial at `path` (named `shown` in problems), checking every single-file rule."""
    slug, lang = slug_and_lang(path)
    report = Report(shown, problems)
    tut = Tutorial(slug, lang, shown)
    page = frontmatter.parse(path.read_text(encoding="utf-8"), report)
    tut.body = page.body
    scan_body(tut, page.body_line)
    if not page.has_front_matter:
        report.error(START, "file", "a tutorial starts with front matter between '---' lines (title, ...)")
        return tut
    if page.meta is None:
        return tut
    tut.meta = meta = page.meta
    for key in meta:
        if key not in FIELDS:
            report.error(meta.key_mark(key), key, f"unknown field{one_of(key, FIELDS)}")
    tut.title = _text(meta, "title", report, required=True)
    tut.profile = _text(meta, "profile", report, required=True)
    if tut.profile and tut.profile not in PROFILES:
        report.error(
            meta.value_mark("profile"),
            "profile",
            f"unknown profile '{tut.profile}'{one_of(tut.profile, PROFILES)}",
        )
        tut.profile = ""
    tut.next = _text(meta, "next", report)
    tut.teaches = _texts(meta, "teaches", report)
    _read_steps(tut, report)
    _read_checks(tut, report)
    check_body(tut, report)
    return tut


def _text(meta: LocDict, key: str, report: Report, required: bool = False) -> str:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            report.error(meta.key_mark(key), key, "required field is missing")
        return ""
    if not isinstance(value, str):
        report.error(meta.value_mark(key), key, f"expected text, got {type_name(value)}")
        return ""
    return value


def _texts(meta: LocDict, key: str, report: Report) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(meta.value_mark(key), key, "expected a list of KB ids")
        return []
    return list(value)


def _read_steps(tut: Tutorial, report: Report) -> None:
    steps = tut.meta.get("steps")
    if steps is None:
        report.error(tut.mark("steps"), "steps", "required field is missing (a list of {id, title})")
        return
    if not isinstance(steps, LocList):
        report.error(
            tut.meta.value_mark("steps"), "steps", f"expected a list of {{id, title}}, got {type_name(steps)}"
        )
        return
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, LocDict):
            report.error(
                steps.item_mark(i), where, f"expected a mapping {{id, title}}, got {type_name(step)}"
            )
            continue
        for key in step:
            if key not in ("id", "title"):
                report.error(
                    step.key_mark(key), f"{where}.{key}", f"unknown field{one_of(key, ('id', 'title'))}"
                )
        sid, title = step.get("id"), step.get("title")
        if not isinstance(sid, str) or not STEP_ID.match(sid):
            report.error(
                step.value_mark("id"), f"{where}.id", "expected a step id: letters, digits, '-', '_', '.'"
            )
            continue
        if sid in tut.step_ids:
            report.error(step.value_mark("id"), f"{where}.id", f"duplicate step id '{sid}'")
            continue
        if not isinstance(title, str) or not title.strip():
            report.error(step.key_mark("title"), f"{where}.title", "required text is missing")
        tut.steps.append((sid, title if isinstance(title, str) else sid))


def check_spec(step: str, spec: object, mark: Mark, where: str, report: Report) -> CheckSpec | None:
    """One `checks.<step>` value as a CheckSpec, or None (problems reported) when it is unusable."""
    if not isinstance(spec, LocDict):
        report.error(mark, where, f"expected a mapping with run, expect, hint; got {type_name(spec)}")
        return None
    for key in spec:
        if key not in CHECK_FIELDS:
            report.error(spec.key_mark(key), f"{where}.{key}", f"unknown field{one_of(key, CHECK_FIELDS)}")
    run = spec.get("run")
    if not isinstance(run, str) or not run.strip():
        report.error(spec.value_mark("run"), f"{where}.run", "expected a shell command (text)")
        return None
    expect = spec.get("expect", "")
    try:
        re.compile(str(expect), re.M)
    except re.error as exc:
        report.error(spec.value_mark("expect"), f"{where}.expect", f"not a valid regular expression: {exc}")
        return None
    hint = spec.get("hint") or {}
    if isinstance(hint, str):
        hint = {"en": hint}
    if not isinstance(hint, dict) or not all(isinstance(v, str) for v in hint.values()):
        report.error(spec.value_mark("hint"), f"{where}.hint", "expected a mapping of language -> text")
        return None
    return CheckSpec(step, run, str(expect), dict(hint))


def _read_checks(tut: Tutorial, report: Report) -> None:
    checks = tut.meta.get("checks")
    if checks is None:
        checks = LocDict(tut.meta.mark)
    if not isinstance(checks, LocDict):
        report.error(tut.meta.value_mark("checks"), "checks", "expected a mapping of step id -> check")
        return
    if checks and tut.profile == "none":
        report.error(tut.mark("checks"), "checks", "a page without a sandbox (profile: none) has no checks")
    for step, spec in checks.items():
        where = f"checks.{step}"
        if step not in tut.step_ids:
            report.error(
                checks.key_mark(step),
                where,
                f"check without a step: no step '{step}' in steps{did_you_mean(step, tut.step_ids)}",
            )
        spec_ = check_spec(step, spec, checks.value_mark(step), where, report)
        if spec_ is None:
            continue
        missing = [lang for lang in LANGS if not spec_.hint.get(lang)]
        if missing:
            report.error(checks.value_mark(step), f"{where}.hint", f"needs a hint in {' and '.join(missing)}")
        tut.checks[step] = spec_
    if tut.profile in ("shell", "docker"):
        steps = tut.meta.get("steps")
        for i, sid in enumerate(tut.step_ids):
            if sid not in checks:
                mark = steps.item_mark(i) if isinstance(steps, LocList) else tut.mark("steps")
                report.error(mark, f"steps[{i}]", f"step without a check: add checks.{sid}")
