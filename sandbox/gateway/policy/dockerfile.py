"""A Dockerfile reader that behaves like the engine's classic builder (Docker 20.10, which uses moby
buildkit's dockerfile parser v0.8): parser directives, line continuations (empty and comment lines
inside one are skipped), JSON and shell forms, builder flags, and ARG/ENV expansion.

`parse(text)` gives the instructions; `read(text, buildargs, base)` evaluates them the way the builder
does (meta ARGs for FROM, per-stage ARG/ENV for ADD/COPY), applies the build policy (no ADD of URLs,
no heredocs, no ONBUILD, only images `base` accepts) and `Plan.render()` writes the canonical
Dockerfile the engine receives: one line per instruction, every base image replaced by the ID the
policy chose, so the engine builds exactly what was checked. The syntax (directives, continuations,
flags, words) is dockerfile_syntax.py, variable expansion dockerfile_expand.py.

Why not a PyPI parser: `dockerfile` (Go-backed) embeds a newer buildkit parser (heredocs, other
directive rules than 20.10's) and does no ARG/ENV expansion; `dockerfile-parse` splits lines with its
own regular expressions and expands variables its own way. The policy needs the 20.10 builder's exact
reading, including expansion, so it lives here, checked against the engine by
tests/integration/test_dockerfile_engine.py.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.labels import PREFIX as RESERVED_LABELS  # the labels' one home

from ..errors import Denied
from .dockerfile_expand import TooLarge, Unset, expand, literal
from .dockerfile_syntax import WHITESPACE, DockerfileError, Instruction, Parsed, parse, parse_words
from .rules import rule

__all__ = ["Denied", "DockerfileError", "Plan", "Stage", "expand", "literal", "parse", "read"]
STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_\.]*$")
URLISH = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@|^github\.com/")
HEREDOC = re.compile(r"<<-?\s*['\"]?[A-Za-z_]")
# What all variable expansions of one Dockerfile may produce: this much plus twice the Dockerfile's own
# size. `ENV A=$A$A$A...` line after line grows tenfold each time; unbounded, a 2 KB Dockerfile filled
# the gateway's memory (and the engine's, which expands the same lines).
EXPANSION_BUDGET = 4 * 2**20
# Counts that bound the reader's work (each FROM of an earlier stage copies its variables): far above
# any real Dockerfile, far below what made one build request hold the gateway's CPU for minutes.
MAX_INSTRUCTIONS = 1000
MAX_VARIABLES = 1000  # ARG and ENV names in scope in one stage (or ARGs before the first FROM)
_left: contextvars.ContextVar[list[int]] = contextvars.ContextVar("dockerfile_expansion_left")
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


@rule("build.dockerfile")
def read(text: str, buildargs: dict[str, str], base: Base) -> Plan:
    """Evaluate a Dockerfile as the classic builder would and apply the build policy.

    `base(ref, line)` resolves an image reference the session may use to (engine image ID, its Env)
    and raises Denied/NotFound otherwise. Raises DockerfileError for what the policy refuses.
    """
    parsed = parse(text)
    plan = Plan(parsed)
    _left.set([EXPANSION_BUDGET + 2 * len(text)])
    esc = parsed.escape
    meta: dict[str, str | None] = {}
    instructions = parsed.instructions
    if len(instructions) > MAX_INSTRUCTIONS:
        raise DockerfileError(
            instructions[MAX_INSTRUCTIONS].line,
            f"a Dockerfile may have at most {MAX_INSTRUCTIONS} instructions",
        )
    index = 0
    while index < len(instructions) and instructions[index].cmd == "arg":
        ins = instructions[index]
        allowed = {k: v for k, v in meta.items() if v is not None}
        pairs = _arg_pairs(ins, esc)
        _count(ins, len(meta) + len(pairs))
        for key, value in pairs:
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
        scope = ChainMap(env, args)  # a view (a copy per instruction was quadratic)
        if cmd == "arg":
            pairs = _arg_pairs(ins, esc)
            _count(ins, len(args) + len(env) + len(pairs))
            for key, value in pairs:
                if value is not None:
                    value = _expand(ins, value, scope, esc)
                if key in buildargs:
                    value = buildargs[key]
                elif value is None:
                    value = metavals.get(key)
                if value is not None:
                    args[key] = value
        elif cmd == "env":
            named = _name_values(ins, esc)
            _count(ins, len(args) + len(env) + len(named))
            new = {k: _expand(ins, v, scope, esc) for k, v in named}
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


def _count(ins: Instruction, variables: int) -> None:
    """Refuse an instruction that would take the variables in scope past MAX_VARIABLES."""
    if variables > MAX_VARIABLES:
        raise DockerfileError(ins.line, f"a stage may have at most {MAX_VARIABLES} variables (ARG and ENV)")


def _expand(ins: Instruction, word: str, env: dict[str, str], esc: str, strict: bool = False) -> str:
    """`word` expanded as the builder does, counted against the Dockerfile's EXPANSION_BUDGET."""
    left = _left.get(None)
    try:
        value = expand(word, env, esc, strict, limit=left[0] if left else None)
    except TooLarge:
        raise DockerfileError(
            ins.line,
            f"{ins.cmd.upper()}: variables expand to more than a Dockerfile may "
            f"({EXPANSION_BUDGET} bytes in all, plus twice the Dockerfile's own size)",
        ) from None
    except Unset as exc:
        raise DockerfileError(
            ins.line,
            f"{ins.cmd.upper()} depends on ${exc.name}, which has no value here "
            f"(give it one with ARG {exc.name}=... or --build-arg {exc.name}=...)",
        ) from None
    except ValueError as exc:
        raise DockerfileError(ins.line, str(exc)) from None
    if left:
        left[0] -= len(value)
    return value


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
