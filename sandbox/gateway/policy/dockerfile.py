"""A Dockerfile reader that behaves like the engine's classic builder (Docker 20.10, which uses moby
buildkit's dockerfile parser v0.8): parser directives, line continuations (empty and comment lines
inside one are skipped), JSON and shell forms, builder flags, and ARG/ENV expansion.

`parse(text)` gives the instructions; `read(text, buildargs, base)` evaluates them the way the builder
does (meta ARGs for FROM, per-stage ARG/ENV for ADD/COPY), applies the build policy (no ADD of URLs,
no heredocs, no ONBUILD, only images `base` accepts) and `Plan.render()` writes the canonical
Dockerfile the engine receives: one line per instruction, every base image replaced by the ID the
policy chose, so the engine builds exactly what was checked.

Why not a PyPI parser: `dockerfile` (Go-backed) embeds a newer buildkit parser (heredocs, other
directive rules than 20.10's) and does no ARG/ENV expansion; `dockerfile-parse` splits lines with its
own regular expressions and expands variables its own way. The policy needs the 20.10 builder's exact
reading, including expansion, so it lives here, checked against the engine by
tests/integration/test_dockerfile_engine.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.labels import PREFIX as RESERVED_LABELS  # the labels' one home

from ..errors import Denied

ESCAPE_DIRECTIVE = re.compile(r"^#[ \t]*escape[ \t]*=[ \t]*(.+?)[ \t]*$", re.IGNORECASE)
SYNTAX_DIRECTIVE = re.compile(r"^#[ \t]*syntax[ \t]*=", re.IGNORECASE)
WHITESPACE = re.compile(r"[\t\v\f\r ]+")
STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_\.]*$")
URLISH = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@|^github\.com/")
HEREDOC = re.compile(r"<<-?\s*['\"]?[A-Za-z_]")
FLAGS = {  # builder flags the classic builder of Docker 20.10 accepts, per instruction
    "from": {"platform"},
    "copy": {"from", "chown", "chmod"},
    "add": {"chown", "chmod"},
}
#: Build args the builder knows without an ARG line (the proxy variables), as Docker 20.10 lists them.
BUILTIN_ARGS = frozenset(
    {
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "FTP_PROXY",
        "ftp_proxy",
        "NO_PROXY",
        "no_proxy",
    }
)
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


def literal(value: str, escape: str) -> str:
    """`value` written so that the builder's expansion gives it back unchanged (no variables, quotes
    or word breaks left for the engine to interpret)."""
    return "".join(escape + c if c in (escape, "$", '"', "'") or c.isspace() else c for c in value)


class Unset(Exception):
    """Expansion used a variable that has no value."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def expand(word: str, env: dict[str, str], escape: str = "\\", strict: bool = False) -> str:
    """A word with $A, ${A}, ${A:-x}, ${A:+x} expanded and quotes removed (the builder's ProcessWord).

    With `strict`, a variable without a value raises Unset instead of becoming "".
    """
    pos = 0
    n = len(word)

    def peek() -> str:
        return word[pos] if pos < n else ""

    def name() -> str:
        nonlocal pos
        start = pos
        if pos < n and word[pos].isdigit():
            while pos < n and word[pos].isdigit():
                pos += 1
            return word[start:pos]
        if pos < n and word[pos] in "@*#?-$!":
            pos += 1
            return word[start:pos]
        while pos < n and (word[pos].isalnum() or word[pos] == "_"):
            pos += 1
        return word[start:pos]

    def lookup(var: str) -> tuple[str, bool]:
        if var in env:
            return env[var], True
        if strict:
            raise Unset(var)
        return "", False

    def dollar() -> str:
        nonlocal pos
        pos += 1
        if peek() != "{":
            var = name()
            return lookup(var)[0] if var else "$"
        pos += 1
        if peek() in ("", "{", "}", ":"):
            raise ValueError("syntax error: bad substitution" if peek() else "syntax error: missing '}'")
        var = name()
        ch = peek()
        pos += 1
        if ch == "}":
            return lookup(var)[0]
        if ch != ":":
            raise ValueError("missing ':' in substitution")
        modifier = peek()
        pos += 1
        inner = until("}")
        if modifier == "+":
            value = env.get(var, "")
            return inner if value else ""
        if modifier == "-":
            value = env.get(var, "")
            return value or inner
        if modifier == "?":
            if not env.get(var):
                raise ValueError(f"{var}: {inner or 'is not allowed to be unset'}")
            return env[var]
        raise ValueError(f"unsupported modifier ({modifier}) in substitution")

    def until(stop: str) -> str:
        nonlocal pos
        out = []
        while pos < n:
            ch = word[pos]
            if ch == stop:
                pos += 1
                return "".join(out)
            if ch == "'":
                pos += 1
                end = word.find("'", pos)
                if end < 0:
                    raise ValueError("unexpected end of statement while looking for matching single-quote")
                out.append(word[pos:end])
                pos = end + 1
            elif ch == '"':
                pos += 1
                while True:
                    if pos >= n:
                        raise ValueError(
                            "unexpected end of statement while looking for matching double-quote"
                        )
                    c = word[pos]
                    if c == '"':
                        pos += 1
                        break
                    if c == "$":
                        out.append(dollar())
                        continue
                    pos += 1
                    if c == escape:
                        if pos >= n:
                            continue
                        if word[pos] in ('"', "$", escape):
                            c = word[pos]
                            pos += 1
                    out.append(c)
            elif ch == "$":
                out.append(dollar())
            elif ch == escape:
                pos += 1
                if pos < n:
                    out.append(word[pos])
                    pos += 1
            else:
                out.append(ch)
                pos += 1
        if stop:
            raise ValueError("syntax error: missing '}'")
        return "".join(out)

    return until("")


@dataclass
class Stage:
    """One FROM: the image (engine ID) or earlier stage it starts from, and its name."""

    line: int
    ref: str  # as expanded
    image_id: str = ""  # "" for a stage or scratch
    stage: int = -1  # index of the earlier stage it builds on
    name: str = ""
    env: dict[str, str] = field(default_factory=dict)  # ENV of the stage so far (base image's first)


@dataclass
class Plan:
    """What a Dockerfile does, as the policy read it, and how to write it for the engine."""

    parsed: Parsed
    meta: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    copy_from: dict[int, str] = field(default_factory=dict)  # instruction index -> image ID
    words: dict[int, list[str]] = field(default_factory=dict)  # ADD/COPY index -> sources, dest (expanded)
    flags: dict[int, dict[str, str]] = field(default_factory=dict)  # ADD/COPY index -> flags (expanded)
    pairs: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # LABEL index -> (key, value)
    labels: dict[str, str] = field(default_factory=dict)  # LABELs of the last stage, expanded

    def images(self) -> list[str]:
        """Engine IDs of every image the build reads (bases and COPY --from sources)."""
        ids = [s.image_id for s in self.stages if s.image_id] + list(self.copy_from.values())
        return list(dict.fromkeys(ids))

    def render(self, bases: dict[str, str] | None = None) -> str:
        """The canonical Dockerfile: one instruction per line, bases replaced (`bases` maps a base image
        ID to the image the stage should really start from, e.g. the session's lineage image)."""
        bases = bases or {}
        esc = self.parsed.escape
        out = [f"# escape={self.parsed.escape}"] if self.parsed.escape != "\\" else []
        stage_iter = iter(self.stages)
        for index, ins in enumerate(self.parsed.instructions):
            if ins.cmd == "from":
                stage = next(stage_iter)
                if stage.stage >= 0:
                    base = self.stages[stage.stage].name or str(stage.stage)
                else:
                    base = bases.get(stage.image_id, stage.image_id) or "scratch"
                out.append(f"FROM {base}" + (f" AS {stage.name}" if stage.name else ""))
            elif index in self.words:  # ADD/COPY: JSON form, values as the policy expanded them
                flags = {k: literal(v, esc) for k, v in self.flags[index].items()}
                if index in self.copy_from:
                    flags["from"] = self.copy_from[index]
                text = "".join(f"--{k}={json.dumps(v)} " for k, v in flags.items())
                words = [literal(w, esc) for w in self.words[index]]
                out.append(f"{ins.cmd.upper()} {text}{json.dumps(words)}")
            elif index in self.pairs:  # LABEL: keys and values as the policy expanded them
                text = " ".join(f"{literal(k, esc)}={literal(v, esc)}" for k, v in self.pairs[index])
                out.append(f"LABEL {text}")
            else:
                out.append(ins.original.strip())
        return "\n".join(out) + "\n"


Base = Callable[[str, int], tuple[str, list[str]]]


def read(text: str, buildargs: dict[str, str], base: Base) -> Plan:
    """Evaluate a Dockerfile as the classic builder would and apply the build policy.

    `base(ref, line)` resolves an image reference the session may use to (engine image ID, its Env)
    and raises Denied/NotFound otherwise. Raises DockerfileError for what the policy refuses.
    """
    parsed = parse(text)
    plan = Plan(parsed)
    esc = parsed.escape
    meta: dict[str, str | None] = {}
    instructions = parsed.instructions
    index = 0
    while index < len(instructions) and instructions[index].cmd == "arg":
        ins = instructions[index]
        allowed = {k: v for k, v in meta.items() if v is not None}
        for key, value in _arg_pairs(ins, esc):
            if value is not None:
                value = _expand(ins, value, allowed, esc)
            meta[key] = buildargs.get(key, value) if key in buildargs else value
        plan.meta.append(ins)
        index += 1
    if index < len(instructions) and instructions[index].cmd != "from":
        raise DockerfileError(instructions[index].line, "the first instruction must be FROM (or ARG)")
    if index == len(instructions):
        raise DockerfileError(0, "the Dockerfile has no FROM instruction")
    builtin = {k: v for k, v in buildargs.items() if k in BUILTIN_ARGS}  # in scope without an ARG
    metavals = {**builtin, **{k: v for k, v in meta.items() if v is not None}}
    names: dict[str, int] = {}
    env: dict[str, str] = {}
    args: dict[str, str] = {}
    for position in range(index, len(instructions)):
        ins = instructions[position]
        cmd = ins.cmd
        if cmd == "from":
            stage = _from(ins, metavals, names, plan, base, esc)
            env, args, plan.labels = stage.env, dict(builtin), {}
            plan.stages.append(stage)
            if stage.name:
                names[stage.name] = len(plan.stages) - 1
            continue
        scope = {**args, **env}
        if cmd == "arg":
            for key, value in _arg_pairs(ins, esc):
                if value is not None:
                    value = _expand(ins, value, scope, esc)
                if key in buildargs:
                    value = buildargs[key]
                elif value is None:
                    value = metavals.get(key)
                if value is not None:
                    args[key] = value
                    scope = {**args, **env}
        elif cmd == "env":
            new = {k: _expand(ins, v, scope, esc) for k, v in _name_values(ins, esc)}
            env.update(new)
        elif cmd == "label":
            pairs = plan.pairs.setdefault(position, [])
            for key, value in _name_values(ins, esc):
                shown = _expand(ins, key, scope, esc, strict=True)
                if shown.lower().startswith(RESERVED_LABELS):
                    raise DockerfileError(ins.line, f"labels {RESERVED_LABELS}* are reserved for the sandbox")
                if not shown or "=" in shown:
                    raise DockerfileError(ins.line, f"LABEL names cannot be empty or contain '=' ({shown!r})")
                plan.labels[shown] = _expand(ins, value, scope, esc)
                pairs.append((shown, plan.labels[shown]))
        elif cmd == "onbuild":
            raise DockerfileError(ins.line, "ONBUILD is not available in the sandbox")
        elif cmd in ("add", "copy"):
            _add_copy(ins, position, scope, names, plan, base, esc)
        elif cmd == "run" and HEREDOC.search(ins.rest):
            raise DockerfileError(ins.line, _HEREDOC_MSG)
    if not plan.stages:
        raise DockerfileError(0, "the Dockerfile has no FROM instruction")
    return plan


_HEREDOC_MSG = (
    "heredocs (<<EOF) are not supported by this engine's classic builder (Docker 20.10); "
    "write the file with printf in RUN, or COPY it from the build context"
)


def _expand(ins: Instruction, word: str, env: dict[str, str], esc: str, strict: bool = False) -> str:
    try:
        return expand(word, env, esc, strict)
    except Unset as exc:
        raise DockerfileError(
            ins.line,
            f"{ins.cmd.upper()} depends on ${exc.name}, which has no value here "
            f"(give it one with ARG {exc.name}=... or --build-arg {exc.name}=...)",
        ) from None
    except ValueError as exc:
        raise DockerfileError(ins.line, str(exc)) from None


def _arg_pairs(ins: Instruction, esc: str) -> list[tuple[str, str | None]]:
    words = parse_words(ins.rest, esc)
    if not words:
        raise DockerfileError(ins.line, "ARG requires at least one argument")
    pairs: list[tuple[str, str | None]] = []
    for w in words:
        key, eq, value = w.partition("=")
        if eq and not key:
            raise DockerfileError(ins.line, "ARG names can not be blank")
        pairs.append((key, value if eq else None))
    return pairs


def _name_values(ins: Instruction, esc: str) -> list[tuple[str, str]]:
    words = parse_words(ins.rest, esc)
    if not words:
        raise DockerfileError(ins.line, f"{ins.cmd.upper()} requires at least one argument")
    if "=" not in words[0]:
        parts = WHITESPACE.split(ins.rest, maxsplit=1)
        if len(parts) < 2:
            raise DockerfileError(ins.line, f"{ins.cmd.upper()} must have two arguments")
        return [(parts[0], parts[1])]
    pairs = []
    for w in words:
        if "=" not in w:
            raise DockerfileError(ins.line, f"can't find = in {w!r}. Must be of the form: name=value")
        key, _, value = w.partition("=")
        pairs.append((key, value))
    return pairs


def _from(ins: Instruction, metavals: dict, names: dict, plan: Plan, base: Base, esc: str) -> Stage:
    words = [w for w in WHITESPACE.split(ins.rest) if w]
    if not (len(words) == 1 or (len(words) == 3 and words[1].lower() == "as")):
        raise DockerfileError(ins.line, "FROM requires either one or three arguments")
    name = ""
    if len(words) == 3:
        name = words[2].lower()
        if not STAGE_NAME.match(name):
            raise DockerfileError(ins.line, f"invalid name for build stage: {words[2]!r}")
        if name in names:
            raise DockerfileError(ins.line, f"duplicate name {name}")
    ref = _expand(ins, words[0], metavals, esc, strict=True)
    if not ref:
        raise DockerfileError(ins.line, f"base name ({words[0]}) should not be blank")
    stage = Stage(ins.line, ref, name=name)
    if ref.lower() in names:
        stage.stage = names[ref.lower()]
        stage.env = dict(plan.stages[stage.stage].env)
        return stage
    if ref == "scratch":
        return stage
    stage.image_id, env_list = base(ref, ins.line)
    stage.env = dict(e.split("=", 1) for e in env_list if "=" in e)
    return stage


def _add_copy(
    ins: Instruction, position: int, env: dict, names: dict, plan: Plan, base: Base, esc: str
) -> None:
    cmd = ins.cmd.upper()
    if HEREDOC.search(ins.rest) or "<<" in ins.rest:
        raise DockerfileError(ins.line, _HEREDOC_MSG)
    flags = dict(ins.flags)
    if "chown" in flags:
        flags["chown"] = _expand(ins, flags["chown"], env, esc)
        if any(ord(c) < 32 for c in flags["chown"]):
            raise DockerfileError(ins.line, f"{cmd} --chown has control characters")
    plan.flags[position] = flags
    words = ins.json_args()
    if words is None:
        if ins.rest.lstrip().startswith("["):
            raise DockerfileError(ins.line, f"{cmd}: the JSON form must be an array of strings")
        words = [w for w in WHITESPACE.split(ins.rest) if w]
    if len(words) < 2:
        raise DockerfileError(ins.line, f"{cmd} requires at least two arguments")
    plan.words[position] = [_expand(ins, w, env, esc) for w in words]
    for value in [_expand(ins, w, env, esc, strict=ins.cmd == "add") for w in words[:-1]]:
        if URLISH.match(value.strip()) or value.strip().lower().startswith(("http:", "https:", "git:")):
            raise DockerfileError(
                ins.line,
                f"{cmd} from a URL is not available ({value}: the builder would fetch it from the host); "
                "download it in a RUN step or put the file in the build context",
            )
    src = ins.flags.get("from")
    if src is None:
        return
    if "$" in src:
        raise DockerfileError(
            ins.line, "COPY --from cannot use variables (the classic builder does not expand them)"
        )
    if src.lower() in names:
        return
    if src.isdigit():
        if int(src) >= len(plan.stages):
            raise DockerfileError(ins.line, f"invalid stage index {src}")
        return
    plan.copy_from[position], _ = base(src, ins.line)
