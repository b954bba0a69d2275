"""The rules of an entry's `try:` field (its shapes are declared in schema.TryExample).

`check_try(data, report)` checks one entry's combination of keys (run with python, shows with an
example, reason alone and on one line); `check_try_links(kb, series, mentioned, problems)` checks what
needs the tutorials: a `tutorial: slug#step` names a real step, and an entry with neither a `try:` nor
a tutorial step mentioning it gets a warning.
"""

from __future__ import annotations

import re

from atlas.kb.load import LoadedKB, LocDict
from atlas.kb.problems import Problem, Report, did_you_mean
from atlas.kb.vocabulary import LANGUAGES

REASON_MAX = 200
EXAMPLE_KEYS = ("run", "python")
MAX_COMMANDS = 6
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
#: An entry with no `try:` and no tutorial step mentioning it: "warning" while the KB is being filled,
#: "error" once every entry has an example or a reason (issue 15).
MISSING_TRY = "error"


def commands_of(script: str) -> list[str]:
    """The commands of a `run` script: non-blank, non-comment lines, `\\` continuations joined, and a
    here-document's lines (`<<'EOF'` ... `EOF`) kept with the command that reads them."""
    out: list[str] = []
    pending = ""
    heredoc = ""  # the word that ends the here-document being read
    for line in script.splitlines():
        text = line.strip()
        if heredoc:
            out[-1] += "\n" + line
            heredoc = "" if text == heredoc else heredoc
            continue
        if not pending and (not text or text.startswith("#")):
            continue
        pending += text
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip() + " "
            continue
        out.append(pending)
        pending = ""
        match = _HEREDOC.search(out[-1])
        heredoc = match.group(1) if match else ""
    if pending.strip():
        out.append(pending)
    return out


def check_try(data: LocDict, report: Report) -> None:
    """Rules across the keys of `try:` (the schema checked each key's type already)."""
    value = data.get("try")
    if not isinstance(value, LocDict):
        return
    has = {k for k in ("run", "python", "tutorial", "reason", "shows", "profile") if value.get(k) is not None}
    if not has & {"run", "python", "tutorial", "reason"}:
        report.error(
            value.mark,
            "try",
            "give a runnable example (run, python or tutorial) or a reason why the subject cannot run here",
        )
        return
    if "reason" in has:
        others = sorted(has - {"reason"})
        if others:
            report.error(
                value.key_mark("reason"),
                "try.reason",
                f"a reason stands alone; remove it or {', '.join(others)} (a runnable entry needs none)",
            )
        _check_reason(value["reason"], report)
        return
    if "run" in has and "python" in has:
        report.error(value.key_mark("python"), "try.python", "one example per entry: run or python, not both")
    example = [k for k in EXAMPLE_KEYS if k in has]
    if example and "shows" not in has:
        report.error(
            value.key_mark(example[0]),
            "try.shows",
            f"required with {example[0]}: one sentence (en and zh) on what to look at in the output",
        )
    if "shows" in has and not example:
        report.error(value.key_mark("shows"), "try.shows", "describes the output of run or python; add one")
    if "profile" in has and "run" not in has:
        report.error(value.key_mark("profile"), "try.profile", "only a run example has a sandbox profile")
    if isinstance(value.get("run"), str):
        n = len(commands_of(value["run"]))
        if n > MAX_COMMANDS:
            report.warning(
                value.value_mark("run"),
                "try.run",
                f"{n} commands; keep an example short (at most {MAX_COMMANDS}) or point to a tutorial step",
            )


def _check_reason(reason: object, report: Report) -> None:
    if not isinstance(reason, LocDict):
        return
    for lang in LANGUAGES:
        text = reason.get(lang)
        if not isinstance(text, str) or not text.strip():
            continue
        where = f"try.reason.{lang}"
        if "\n" in text.strip():
            report.error(reason.value_mark(lang), where, "one line: write the reason without line breaks")
        elif len(text.strip()) > REASON_MAX:
            report.error(
                reason.value_mark(lang),
                where,
                f"{len(text.strip())} characters; one short line of at most {REASON_MAX}",
            )


def check_try_links(kb: LoadedKB, series, mentioned: set[str], problems: list[Problem]) -> None:
    """`try.tutorial` names an existing step; an entry with no example, reason or mention is warned."""
    for raw in kb.entries:
        data = raw.data
        if not isinstance(data, LocDict):
            continue
        report = Report(raw.path, problems)
        value = data.get("try")
        if not isinstance(value, LocDict):
            if data.get("id") not in mentioned:
                (report.error if MISSING_TRY == "error" else report.warning)(
                    data.mark,
                    "try",
                    "no runnable example or reason: add try: (run, python, tutorial or reason; see "
                    "kb/_example.yaml) or mention the entry as [[id]] in a tutorial step",
                )
            continue
        step = value.get("tutorial")
        if isinstance(step, str) and "#" in step:
            _check_step(step, value.value_mark("tutorial"), series, report)


def _check_step(step: str, mark: object, series, report: Report) -> None:
    slug, _, step_id = step.partition("#")
    tut = series.get(slug, "en")
    if tut is None:
        known = list(series.pages["en"])
        report.error(mark, "try.tutorial", f"no tutorial '{slug}'{did_you_mean(slug, known)}")
    elif step_id not in tut.step_ids:
        report.error(
            mark,
            "try.tutorial",
            f"tutorial '{slug}' has no step '{step_id}'{did_you_mean(step_id, tut.step_ids)}"
            f" (its steps: {', '.join(tut.step_ids) or 'none'})",
        )
