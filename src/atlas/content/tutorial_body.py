"""A tutorial's body: its ```run blocks, `## ... {#step}` headings and check placeholders, and the
rules that tie them to the front matter's steps (each step a heading and a placeholder; every run
block naming a step of this page, with the page's profile; every checked step a run block)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlas.kb.load import LocList
from atlas.kb.problems import Mark, Report, did_you_mean

if TYPE_CHECKING:
    from atlas.content.tutorial import Tutorial

_FENCE_OPEN = re.compile(r"^(```+|~~~+)\s*(\w*)(.*)$")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_HEADING = re.compile(r"^##\s+.*\{#([\w-]+)\}\s*$")
_PLACEHOLDER = re.compile(r'data-atlas-(?:check|quiz)="([^"]+)"')
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_NEXT_MARK = "{ .atlas-next }"


@dataclass
class RunBlock:
    """One ```run block of the body: its code, profile, step id ("<slug>/<step>" or None), line."""

    code: str
    profile: str
    step: str | None
    line: int


def scan_body(tut: Tutorial, first_line: int) -> None:
    """Collect the ```run blocks, `## ... {#id}` headings and check placeholders of the body."""
    fence: str | None = None
    block: RunBlock | None = None
    lines: list[str] = []
    paragraph: list[tuple[str, int]] = []
    for n, line in enumerate(tut.body.splitlines(), start=first_line):
        if fence is None:
            if line.strip() == _NEXT_MARK:
                links = [(m, k) for text, k in paragraph for m in _LINK.findall(text)]
                tut.next_link = links[0] if links else ("", n)
            paragraph = [*paragraph, (line, n)] if line.strip() else []
            m = _FENCE_OPEN.match(line.strip())
            if m:
                fence = m.group(1)
                if m.group(2) == "run":
                    attrs = dict(_ATTR.findall(m.group(3)))
                    block, lines = RunBlock("", attrs.get("profile", "shell"), attrs.get("step"), n), []
                continue
            h = _HEADING.match(line)
            if h:
                tut.headings.append((h.group(1), n))
            tut.placeholders += [(p, n) for p in _PLACEHOLDER.findall(line)]
        elif line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            if block is not None:
                block.code = "\n".join(lines)
                tut.blocks.append(block)
            fence, block = None, None
        elif block is not None:
            lines.append(line)


def check_body(tut: Tutorial, report: Report) -> None:
    """The body agrees with the front matter: headings, placeholders, run blocks, the Next link."""
    ids = tut.step_ids
    steps = tut.meta.get("steps")
    anchors = [a for a, _ in tut.headings if a in ids]
    if anchors != ids:
        for i, sid in enumerate(ids):
            if sid not in anchors:
                mark = steps.item_mark(i) if isinstance(steps, LocList) else tut.mark("steps")
                report.error(mark, f"steps[{i}]", f"no heading '## ... {{#{sid}}}' for this step in the page")
        if set(anchors) == set(ids):
            report.error(
                tut.mark("steps"),
                "steps",
                f"the page's step headings come in another order: {', '.join(anchors)}",
            )
    wanted = [f"{tut.slug}/{s}" for s in ids]
    placed = [p for p, _ in tut.placeholders]
    for i, cid in enumerate(wanted):
        if cid not in placed:
            mark = steps.item_mark(i) if isinstance(steps, LocList) else tut.mark("steps")
            report.error(mark, f"steps[{i}]", f'no check placeholder data-atlas-check="{cid}" in the page')
    for cid, line in tut.placeholders:
        if cid not in wanted:
            report.error(Mark(line, 1), "body", f"placeholder '{cid}' names no step of this page")
    for b in tut.blocks:
        if b.step is not None and b.step not in wanted:
            hint = did_you_mean(b.step, wanted)
            report.error(
                Mark(b.line, 1),
                "run.step",
                f"```run block names step '{b.step}', which is not in steps{hint}",
            )
        if tut.profile and b.profile != tut.profile:
            report.error(
                Mark(b.line, 1),
                "run.profile",
                f"```run block has profile '{b.profile}' on a {tut.profile} page",
            )
    if tut.profile in ("shell", "docker"):
        for i, sid in enumerate(ids):
            if sid in tut.checks and not tut.blocks_of(sid):
                mark = steps.item_mark(i) if isinstance(steps, LocList) else tut.mark("steps")
                report.error(
                    mark, f"steps[{i}]", f'no ```run block with step="{tut.slug}/{sid}" for this step'
                )
    if tut.next:
        want = f"{tut.next}.md"
        if tut.next_link is None:
            message = f"no '**Next:** [...]({want})' paragraph marked {_NEXT_MARK}"
            report.error(tut.mark("next"), "next", message)
        elif tut.next_link[0] != want:
            link, line = tut.next_link
            report.error(Mark(line, 1), "body", f"the Next link goes to '{link}', but next is '{tut.next}'")
