"""The project's exception hierarchy. Only the CLI turns these into exit codes."""

from __future__ import annotations


class AtlasError(Exception):
    """Base class: a failure with a message meant for a person."""


class KBError(AtlasError):
    """The knowledge base (or the tutorials) is invalid; carries every problem found.

    The message lists every problem, one `path:line:column: field: message` per line, exactly as
    `./atlas check` prints them, so `./atlas build` and `./atlas up` say where each one is.
    """

    def __init__(self, problems: list, what: str = "the knowledge base") -> None:
        self.problems = problems
        lines = "".join(f"\n{p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in {what}:{lines}")


class BuildError(AtlasError):
    """The site build failed; the previous site was left as it was."""


class SetupError(AtlasError):
    """A set-up step failed: names the step, the command, and the last lines of its log."""

    def __init__(self, step: str, command: str, log_tail: str = "", hint: str = "") -> None:
        self.step, self.command, self.log_tail, self.hint = step, command, log_tail, hint
        msg = f"step '{step}' failed: {command}"
        if log_tail:
            msg += f"\n--- last lines of its log ---\n{log_tail.rstrip()}"
        if hint:
            msg += f"\n{hint}"
        super().__init__(msg)


class MissingPrerequisite(AtlasError):
    """Something the machine lacks and we may not install: say what and how to get it."""
