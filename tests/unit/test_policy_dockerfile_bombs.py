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


def test_many_variables_are_read_in_linear_time():
    """40 000 `ENV Vn=1` lines (450 KB): each instruction copied every variable in scope before, 7 s
    of the gateway's CPU (its lock held: every session waited) for this, hours for a full 8 MiB."""
    text = "FROM busybox\n" + "".join(f"ENV V{i}=1\n" for i in range(40_000)) + "LABEL last=$V39999\n"
    started = time.monotonic()
    plan = dockerfile.read(text, {}, base)
    assert plan.labels == {"last": "1"}
    assert time.monotonic() - started < 3
