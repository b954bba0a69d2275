"""Dockerfile syntax as the engine's classic builder reads it (Docker 20.10, moby buildkit's
dockerfile parser v0.8): the `# escape=` directive, line continuations (empty and comment lines inside
one are skipped), instructions with their builder flags, and word splitting. Expansion of variables is
dockerfile_expand.py; what a Dockerfile does, and the policy, is dockerfile.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import Denied

ESCAPE_DIRECTIVE = re.compile(r"^#[ \t]*escape[ \t]*=[ \t]*(.+?)[ \t]*$", re.IGNORECASE)
SYNTAX_DIRECTIVE = re.compile(r"^#[ \t]*syntax[ \t]*=", re.IGNORECASE)
WHITESPACE = re.compile(r"[\t\v\f\r ]+")
FLAGS = {  # builder flags the classic builder of Docker 20.10 accepts, per instruction
    "from": {"platform"},
    "copy": {"from", "chown", "chmod"},
    "add": {"chown", "chmod"},
    "healthcheck": {"interval", "timeout", "start-period", "retries"},
}
INSTRUCTIONS = {
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
}  # fmt: skip


class DockerfileError(Denied):
    """A Dockerfile the gateway refuses; the message names the line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"{reason} (Dockerfile line {line})" if line else f"{reason} (Dockerfile)")
        self.line = line


@dataclass
class Instruction:
    """One logical line: lower-case command, builder flags, the rest of the line, its first line number."""

    cmd: str
    flags: dict[str, str]
    rest: str
    line: int
    original: str

    def json_args(self) -> list[str] | None:
        """The arguments when the line uses the JSON (exec) form, else None."""
        text = self.rest.lstrip()
        if not text.startswith("["):
            return None
        try:  # like Go's json.Decoder: the first JSON value counts, whatever follows it
            value, _ = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None


@dataclass
class Parsed:
    """A parsed Dockerfile: escape character and instructions."""

    escape: str
    instructions: list[Instruction]


def parse(text: str) -> Parsed:
    """Split a Dockerfile into instructions exactly like the engine's parser does."""
    lines = text.split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    escape, directives_done = "\\", False
    out: list[Instruction] = []
    i = 0

    def directive(raw: str, number: int) -> None:
        nonlocal escape, directives_done
        if directives_done:
            return
        if SYNTAX_DIRECTIVE.match(raw):  # the classic builder ignores it: refuse rather than surprise
            raise DockerfileError(number, "the # syntax= directive needs BuildKit, which is not available")
        m = ESCAPE_DIRECTIVE.match(raw)
        if not m:  # only `# escape=` is a directive in Docker 20.10; anything else ends them
            directives_done = True
            return
        if m.group(1) not in ("\\", "`"):
            raise DockerfileError(number, f"invalid ESCAPE '{m.group(1)}'. Must be ` or \\")
        escape = m.group(1)

    def continued(s: str) -> tuple[str, bool]:
        m = re.search(re.escape(escape) + r"[ \t]*$", s)
        return (s[: m.start()], False) if m else (s, True)

    while i < len(lines):
        raw = lines[i].removesuffix("\r")
        i += 1
        start = i
        stripped = raw.lstrip()
        directive(stripped, start)
        if stripped.startswith("#"):
            stripped = ""
        line, end = continued(stripped)
        if end and not line.strip():
            continue
        while not end and i < len(lines):
            raw = lines[i].removesuffix("\r")
            i += 1
            directive(raw.lstrip(), i)
            if raw.lstrip().startswith("#") or not raw.strip():
                continue  # comment and empty lines inside a continuation are skipped
            part, end = continued(raw)
            line += part
        if not continued(line)[1]:
            raise DockerfileError(start, "the Dockerfile ends inside a line continuation")
        out.append(_instruction(line, start, escape))
    return Parsed(escape, out)


def _instruction(line: str, number: int, escape: str) -> Instruction:
    words = WHITESPACE.split(line.strip(), maxsplit=1)
    cmd = words[0].lower()
    rest = words[1] if len(words) > 1 else ""
    flags_list, rest = _builder_flags(rest)
    if cmd not in INSTRUCTIONS:
        raise DockerfileError(number, f"unknown instruction: {words[0].upper()}")
    flags: dict[str, str] = {}
    allowed = FLAGS.get(cmd, set())
    for flag in flags_list:
        name, eq, value = flag[2:].partition("=")
        if name not in allowed:
            raise DockerfileError(number, f"{cmd.upper()} --{name} is not available (classic builder)")
        if name in flags:
            raise DockerfileError(number, f"duplicate flag --{name}")
        flags[name] = value if eq else "true"
    return Instruction(cmd, flags, rest.strip(), number, line)


def _builder_flags(line: str) -> tuple[list[str], str]:
    """Leading `--name=value` words (with quotes and backslashes as the engine reads them)."""
    words: list[str] = []
    pos, n = 0, len(line)
    while pos < n:
        while pos < n and line[pos].isspace():
            pos += 1
        if pos >= n or not line.startswith("--", pos):
            return words, line[pos:]
        word, quote, blank = "", "", False
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and pos + 1 < n:
                    pos += 1
                    word += line[pos]
                elif ch != "\\":
                    word += ch
                pos += 1
                continue
            if ch.isspace():
                break
            if ch in "'\"":
                quote, blank = ch, True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word += line[pos]
            else:
                word += ch
            pos += 1
        if word == "--":
            return words, line[pos:]
        if word or blank:
            words.append(word)
    return words, ""


def parse_words(rest: str, escape: str) -> list[str]:
    """Whitespace-separated words keeping quotes and escapes (ENV, ARG, LABEL), as the engine splits them."""
    words: list[str] = []
    word, quote, in_word, blank = "", "", False, False
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if not in_word:
            if ch.isspace():
                i += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            if ch == escape and quote != "'":
                if i + 1 == n:
                    i += 1
                    continue
                word += ch
                i += 1
                ch = rest[i]
            word += ch
            i += 1
            continue
        if ch.isspace():
            if word or blank:
                words.append(word)
            word, in_word, blank = "", False, False
            i += 1
            continue
        if ch in "'\"":
            quote, blank = ch, True
        if ch == escape:
            if i + 1 == n:
                i += 1
                continue
            word += ch
            i += 1
            ch = rest[i]
        word += ch
        i += 1
    if in_word and (word or blank):
        words.append(word)
    return words
