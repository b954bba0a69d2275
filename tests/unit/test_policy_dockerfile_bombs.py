"""Variable bombs in a Dockerfile: `ENV A=$A$A...` line after line (or one line of many `$A`) grows
without bound in the gateway's expansion (and the engine's). Refused, naming the line, before the
memory is spent; ordinary use of variables is unchanged. (Each bomb here stays near 100 MB if the limit
ever goes: a failing test, not an out-of-memory machine.)"""

from __future__ import annotations

import time

import pytest

from sandbox.gateway.policy import dockerfile
from sandbox.gateway.policy.dockerfile_expand import TooLarge, expand


def base(ref: str, line: int) -> tuple[str, list[str]]:
    return "sha256:" + "0" * 64, []


TENFOLD = "ENV A=" + "$A" * 10 + "\n"
BOMBS = {
    "ENV, tenfold per line": ("FROM busybox\nENV A=" + "x" * 1000 + "\n" + TENFOLD * 5 + "LABEL a=$A\n", 6),
    "one line of many $A": ("FROM busybox\nENV A=" + "x" * 100_000 + "\nLABEL a=" + "$A" * 1000 + "\n", 3),
    "meta ARG before FROM": (
        "ARG A=" + "x" * 1000 + "\n" + ("ARG A=" + "${A}" * 10 + "\n") * 5 + "FROM busybox\n",
        5,
    ),
    "many lines, each just under": (
        "FROM busybox\nENV A=" + "x" * 2**20 + "\n" + "".join(f"ENV B{i}=${{A}}$A\n" for i in range(40)),
        5,
    ),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_variable_bombs_are_refused_naming_the_line(name):
    text, line = BOMBS[name]
    started = time.monotonic()
    with pytest.raises(dockerfile.DockerfileError) as err:
        dockerfile.read(text, {}, base)
    assert f"(Dockerfile line {line})" in str(err.value) and "variables expand to more than" in str(err.value)
    assert time.monotonic() - started < 2


def test_expand_stops_before_joining_a_huge_value():
    with pytest.raises(TooLarge):
        expand("$A" * 1_000_000, {"A": "x" * 1_000_000}, limit=10_000)
    assert expand("${A}-$A", {"A": "ab"}, limit=5) == "ab-ab"


def test_ordinary_variables_still_expand():
    text = "ARG V=1\nFROM busybox\nARG V\nENV PATH=/opt/bin:$PATH A=${V}x\nLABEL a=$A b=${A:-none}\n"
    plan = dockerfile.read(text, {}, base)
    assert plan.labels == {"a": "1x", "b": "1x"}


def test_instruction_and_variable_counts_are_bounded():
    """Each `FROM <stage>` copied that stage's variables, and each instruction every variable in scope:
    one ENV line of 100 000 names and 400 such FROMs took 3.4 s, 40 000 ENV lines 7 s, of the gateway's
    CPU with its lock held (every session waited; an 8 MiB Dockerfile: hours). At most 1000
    instructions and 1000 variables per stage, refused naming the line; 900 variables and 990 stages
    are read at once."""
    many = "ENV " + " ".join(f"a{i}=1" for i in range(1001)) + "\n"
    refusals = {
        "FROM busybox AS s0\n" + many + "FROM s0\n" * 400: ("line 2", "at most 1000 variables"),
        "".join(f"ARG a{i}\n" for i in range(1001)) + "FROM busybox\n": (
            "line 1001",
            "at most 1000 instructions",
        ),
        "ARG " + " ".join(f"a{i}=1" for i in range(1001)) + "\nFROM busybox\n": (
            "line 1",
            "at most 1000 variables",
        ),
    }
    for text, (line, why) in refusals.items():
        with pytest.raises(dockerfile.DockerfileError) as err:
            dockerfile.read(text, {}, base)
        assert f"(Dockerfile {line})" in str(err.value) and why in str(err.value)
    fine = "FROM busybox AS s0\nENV " + " ".join(f"a{i}=1" for i in range(900)) + "\n" + "FROM s0\n" * 990
    started = time.monotonic()
    assert len(dockerfile.read(fine, {}, base).stages) == 991
    assert time.monotonic() - started < 2
