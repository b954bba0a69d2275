"""The gateway's Dockerfile reader: parsing like the engine, expansion, and the build policy on top.

tests/integration/test_dockerfile_engine.py checks the same reader against the real engine.
"""

from __future__ import annotations

import pytest

from sandbox.gateway.policy import dockerfile as df
from sandbox.gateway.policy.dockerfile import DockerfileError

BUSYBOX = "sha256:" + "b" * 64
DEBIAN = "sha256:" + "d" * 64
KNOWN = {"busybox": BUSYBOX, "debian:bookworm": DEBIAN}


def base(ref: str, line: int) -> tuple[str, list[str]]:
    """The session may use busybox and debian:bookworm only; busybox has HOME in its env."""
    if ref not in KNOWN:
        raise df.Denied(f"line {line}: no image {ref} for you")
    return KNOWN[ref], ["PATH=/bin", "HOME=/root"] if ref == "busybox" else []


def read(text: str, **buildargs: str) -> df.Plan:
    return df.read(text, buildargs, base)


URL = "http://127.0.0.1:8000/x"
URL_TRICKS = [
    f"FROM busybox\nADD {URL} /x\n",
    f'FROM busybox\nADD ["{URL}","/x"]\n',
    f'FROM busybox\nADD   [ "{URL}" , "/x" ]   trailing words\n',
    f"FROM busybox\nARG U={URL}\nADD $U /x\n",
    f"FROM busybox\nARG U={URL}\nADD ${{U}} /x\n",
    "FROM busybox\nARG U\nADD ${U:-" + URL + "} /x\n",
    "FROM busybox\nARG U=1\nADD ${U:+" + URL + "} /x\n",
    f"ARG U={URL}\nFROM busybox\nARG U\nADD $U /x\n",
    f"FROM busybox\nENV U={URL}\nADD $U /x\n",
    f"FROM busybox\nENV U {URL}\nADD $U /x\n",
    "FROM busybox\nENV H=http://127.0.0.1 P=:8000/x\nADD $H$P /x\n",
    f"FROM busybox\nADD '{URL}' /x\n",
    f'FROM busybox\nADD "{URL}" /x\n',
    'FROM busybox\nADD h"ttp://127.0.0.1/" /x\n',
    "FROM busybox\nADD h\\ttp://127.0.0.1/ /x\n",
    f"# escape=`\nFROM busybox\nADD `\n  {URL} /x\n",
    f"FROM busybox\nADD \\\n\n  {URL} /x\n",
    f"FROM busybox\nADD \\\n# comment\n  {URL} /x\n",
    f"FROM busybox\nADD \\\n   # indented comment\n  {URL} /x\n",
    f"from busybox\nadd {URL} /x\n",
    f"FROM busybox\nAdD --chown=1:1 {URL} /x\n",
    f"FROM busybox\nADD --chown=1:1 --chmod=644 {URL} /x\n",
    f"FROM busybox\nADD -- {URL} /x\n",
    "FROM busybox\nADD https://example.com/x /x\n",
    "FROM busybox\nADD HTTP://127.0.0.1/ /x\n",
    "FROM busybox\nADD git://github.com/x/y /x\n",
    "FROM busybox\nADD git@github.com:x/y.git /x\n",
    "FROM busybox\nADD github.com/x/y /x\n",
    f"FROM busybox\nADD ok.txt {URL} /x\n",
    f"FROM busybox\nCOPY {URL} /x\n",
    f'FROM busybox\nADD ["\'{URL}\'","/x"]\n',
    f"FROM busybox AS a\nFROM a\nADD {URL} /x\n",
]


@pytest.mark.parametrize("text", URL_TRICKS)
def test_add_of_a_url_is_refused_in_every_form(text):
    with pytest.raises(DockerfileError, match="from a URL"):
        read(text, U=URL) if "ARG U\n" in text and ":-" not in text else read(text)


def test_add_of_a_url_through_a_build_arg():
    with pytest.raises(DockerfileError, match="from a URL"):
        read("FROM busybox\nARG U\nADD $U /x\n", U=URL)


def test_proxy_build_args_are_in_scope_without_arg():
    for text in ("FROM busybox\nADD $HTTP_PROXY /x\n", "FROM busybox\nADD ${no_proxy} /x\n"):
        with pytest.raises(DockerfileError, match="from a URL"):
            df.read(text, {"HTTP_PROXY": URL, "no_proxy": URL}, base)
    assert df.read("ARG I\nFROM ${HTTPS_PROXY:-busybox}\n", {}, base).images() == [BUSYBOX]


def test_add_depending_on_a_variable_without_value_is_refused():
    with pytest.raises(DockerfileError, match=r"ADD depends on \$U, which has no value.*line 3"):
        read("FROM busybox\nARG U\nADD $U /x\n")
    assert read("FROM busybox\nADD $HOME/f /x\n").words[1] == ["/root/f", "/x"]  # HOME from the base's env


@pytest.mark.parametrize(
    ("text", "args", "images"),
    [
        ("FROM busybox\n", {}, [BUSYBOX]),
        ("FROM \\\n\n  busybox\n", {}, [BUSYBOX]),
        ("FROM \\\n# c\n  debian:bookworm\n", {}, [DEBIAN]),
        ("ARG I=busybox\nFROM $I\n", {}, [BUSYBOX]),
        ("ARG I=busybox\nFROM ${I}\n", {"I": "debian:bookworm"}, [DEBIAN]),
        ("ARG I\nFROM ${I:-busybox}\n", {}, [BUSYBOX]),
        ("FROM busybox AS a\nFROM a\nCOPY --from=a /x /y\n", {}, [BUSYBOX]),
        ("FROM busybox AS A1\nFROM a1\n", {}, [BUSYBOX]),
        ("FROM scratch\nCOPY --from=debian:bookworm /x /y\n", {}, [DEBIAN]),
        ("FROM busybox\nFROM scratch\nCOPY --from=0 /x /y\n", {}, [BUSYBOX]),
    ],
)
def test_images_a_build_reads(text, args, images):
    assert read(text, **args).images() == images


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FROM secret-image\n", "no image secret-image"),
        ("ARG I=secret-image\nFROM $I\n", "no image secret-image"),
        ("FROM busybox\nARG I=secret-image\nFROM $I\n", r"FROM depends on \$I"),
        ("FROM \\\n\nsecret-image\n", "no image secret-image"),
        ("FROM busybox\nCOPY --from=secret-image /x /y\n", "no image secret-image"),
        ("FROM busybox\nCOPY --from=$X /x /y\n", "cannot use variables"),
        ("FROM $NOPE\n", r"FROM depends on \$NOPE.*line 1"),
        ("FROM busybox AS b\nFROM busybox AS b\n", "duplicate name b"),
        ("FROM busybox\nCOPY --from=3 /x /y\n", "invalid stage index 3"),
        ("# syntax=docker/dockerfile:1\nFROM busybox\n", "syntax= directive needs BuildKit"),
        ("# escape=x\nFROM busybox\n", "invalid ESCAPE 'x'"),
        ("FROM busybox\nRUN cat <<EOF > /x\n", "heredocs"),
        ("FROM busybox\nCOPY <<EOF /x\n", "heredocs"),
        ("FROM busybox\nRUN --mount=type=cache,target=/x true\n", "RUN --mount is not available"),
        ("FROM busybox\nADD --from=busybox /x /y\n", "ADD --from is not available"),
        ("FROM busybox\nONBUILD RUN true\n", "ONBUILD is not available"),
        ("FROM busybox\nLABEL org.container-atlas.session=other\n", "reserved for the sandbox"),
        ("FROM busybox\nENV K=org.container-atlas.x\nLABEL $K=1\n", "reserved for the sandbox"),
        ("FROM busybox\nFOO bar\n", "unknown instruction: FOO"),
        ("RUN true\n", "the first instruction must be FROM"),
        ("# only a comment\n", "no FROM instruction"),
        ("FROM busybox\nRUN echo \\\\", "ends inside a line continuation"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
    ],
)
def test_refusals_name_the_reason(text, reason):
    with pytest.raises(df.Denied, match=reason):
        read(text)


def test_render_pins_every_base_and_keeps_the_steps():
    text = (
        "# escape=`\nARG V=1\nFROM busybox AS build\nRUN echo `\n  hi > /x\n"
        "FROM build\nCOPY --from=debian:bookworm --chown=1:1 /etc/os-release /o\nADD a b /c/\n"
    )
    plan = read(text)
    lineage = "sha256:" + "1" * 64
    out = plan.render({BUSYBOX: lineage})
    assert out.splitlines() == [
        "# escape=`",
        "ARG V=1",
        f"FROM {lineage} AS build",
        "RUN echo   hi > /x",
        "FROM build",
        f'COPY --from="{DEBIAN}" --chown="1:1" ["/etc/os-release", "/o"]',
        'ADD ["a", "b", "/c/"]',
    ]
    again = df.read(out, {}, lambda ref, line: (ref, []))
    assert again.render() == out, "the rendered Dockerfile reads the same"


@pytest.mark.parametrize(
    ("word", "env", "expected"),
    [
        ("$A", {"A": "1"}, "1"),
        ("${A}x", {"A": "1"}, "1x"),
        ("${A:-d}", {}, "d"),
        ("${A:-d}", {"A": ""}, "d"),
        ("${A:+s}", {"A": "1"}, "s"),
        ("${A:+s}", {}, ""),
        ("\\$A", {"A": "1"}, "$A"),
        ("'$A'", {"A": "1"}, "$A"),
        ('"$A b"', {"A": "1"}, "1 b"),
        ('"\\$A\\x"', {"A": "1"}, "$A\\x"),
        ("$", {}, "$"),
        ("$1x", {}, "x"),
        ("a\\", {}, "a"),
    ],
)
def test_expand_like_the_builder(word, env, expected):
    assert df.expand(word, env) == expected


@pytest.mark.parametrize("word", ["${A", "${}", "${A-x}", "${A:%x}", "'open", '"open'])
def test_expand_syntax_errors(word):
    with pytest.raises(ValueError):
        df.expand(word, {"A": "1"})


def test_parse_continuations_and_line_numbers():
    parsed = df.parse("FROM busybox\n\nRUN a \\\n\n  # c\n  b\r\nLABEL x=1 \\  \n")
    assert [(i.cmd, i.rest, i.line) for i in parsed.instructions] == [
        ("from", "busybox", 1),
        ("run", "a   b", 3),
        ("label", "x=1", 7),
    ]


@pytest.mark.parametrize("escape", ["\\", "`"])
@pytest.mark.parametrize("value", ["plain", "a b\tc", "$A ${B}", "'q' \"d\"", "back\\slash`tick", "", "=x="])
def test_literal_survives_the_builders_expansion(escape, value):
    assert df.expand(df.literal(value, escape), {"A": "1", "B": "2"}, escape) == value


def test_render_writes_what_the_policy_expanded():
    text = "FROM busybox\nARG D=/dst\nENV S=src\nCOPY --chown=$S:$S $S ${D} \nLABEL $S=\"a b\" k='$S'\n"
    out = read(text).render()
    assert out.splitlines()[-2:] == [
        'COPY --chown="src:src" ["src", "/dst"]',
        "LABEL src=a\\ b k=\\$S",
    ]
    again = df.read(out, {}, lambda ref, line: (ref, []))
    assert again.labels == {"src": "a b", "k": "$S"} and again.words[3] == ["src", "/dst"]
