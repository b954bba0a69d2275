"""`docker images` filters in the session's view (image_filters): reference patterns matched on the
learner's names as the engine's FamiliarMatch does, before/since resolved in the session's view."""

from __future__ import annotations

import json

import pytest

from sandbox.gateway.errors import Malformed, NoSuchObject
from sandbox.gateway.image_filters import glob_regex, keep_matching, matches, split_filters
from sandbox.gateway.policy import LABEL_ORIGIN, LABEL_SESSION
from sandbox.gateway.session import Session

SESS = Session(id="s1", instance="", dir=None)  # type: ignore[arg-type]


def _match(pattern: str, ref: str) -> bool:
    return matches([glob_regex(pattern)], ref)


@pytest.mark.parametrize(
    ("pattern", "ref", "expected"),
    [
        ("greeter", "greeter:latest", True),  # `docker images greeter`: the repository
        ("greeter:latest", "greeter:latest", True),
        ("greeter:v1", "greeter:latest", False),
        ("gree*", "greeter:v1", True),
        ("gree*", "greetings/x:latest", False),  # `*` never crosses a `/`
        ("*/x", "greetings/x:latest", True),
        ("greet?r", "greeter:latest", True),
        ("gr[a-f]eter", "greeter:latest", True),
        ("gr[^e]eter", "greeter:latest", False),
        ("busybox", "busybox@sha256:" + "a" * 64, True),  # digests match by repository too
        ("localhost:5000/mine", "localhost:5000/mine:latest", True),
        ("mine", "localhost:5000/mine:latest", False),
        (r"a\*", "a*:latest", True),
    ],
)
def test_reference_patterns_match_like_the_engine(pattern, ref, expected):
    assert _match(pattern, ref) is expected


@pytest.mark.parametrize("pattern", ["gr[", "a\\", "[]", "[z-a]"])
def test_a_bad_pattern_is_a_400_naming_the_field(pattern):
    with pytest.raises(Malformed) as err:
        glob_regex(pattern)
    assert err.value.status == 400 and "filters.reference" in str(err.value) and pattern in str(err.value)


def test_reference_stays_in_the_gateway_and_before_since_go_as_ids():
    resolved = {"greeter": "sha256:" + "1" * 64}

    def resolve(ref: str) -> str:
        if ref not in resolved:
            raise NoSuchObject(f"No such image: {ref}")
        return resolved[ref]

    query = {"reference": {"greeter": True}, "dangling": {"false": True}, "before": {"greeter": True}}
    raw = json.dumps(query)
    sent, patterns = split_filters(raw, resolve)
    assert json.loads(sent) == {"dangling": {"false": True}, "before": {resolved["greeter"]: True}}
    assert len(patterns) == 1 and patterns[0].fullmatch("greeter")
    with pytest.raises(NoSuchObject):  # another session's name is not an image of this session
        split_filters(json.dumps({"since": ["atlas-s2.theirs"]}), resolve)
    with pytest.raises(Malformed):
        split_filters("[1]", resolve)


def test_only_the_learners_matching_names_are_kept():
    images = [
        {"Id": "a", "RepoTags": ["atlas-s1.greeter:latest", "atlas-s1.greeter:v1"], "RepoDigests": []},
        {"Id": "b", "RepoTags": ["busybox:latest", "atlas-s1.mybox:latest"], "RepoDigests": []},
        {"Id": "c", "RepoTags": ["<none>:<none>"], "RepoDigests": ["<none>@<none>"]},
    ]
    got = keep_matching(images, [glob_regex("greeter:v1")], SESS.outer_text)
    assert [(i["Id"], i["RepoTags"]) for i in got] == [("a", ["atlas-s1.greeter:v1"])]
    got = keep_matching(images, [glob_regex("*")], SESS.outer_text)  # an untagged image has no name
    assert [i["Id"] for i in got] == ["a", "b"]
    got = keep_matching(images, [glob_regex("atlas-s1.*")], SESS.outer_text)  # the engine's names: no
    assert got == []
    got = keep_matching(images, [glob_regex("mybox"), glob_regex("nothing")], SESS.outer_text)
    assert [(i["Id"], i["RepoTags"]) for i in got] == [("b", ["atlas-s1.mybox:latest"])]


def _entry(image_id: str, tags: list[str], digests: list[str], session: str = "", size: int = 0) -> dict:
    labels = {LABEL_SESSION: session, LABEL_ORIGIN: "gateway"} if session else {}
    return {"Id": image_id, "RepoTags": tags, "RepoDigests": digests, "Labels": labels, "Size": size}


def test_the_view_lists_the_sessions_own_untagged_images_and_never_anothers():
    """`docker images` shows the session's `<none>` images as the engine shows dangling ones (the CLI
    drops an entry whose only name is a bare `<none>@<none>`), not another session's."""
    from sandbox.gateway.images import ImageHandlers

    sess = Session(id="s1", instance="", dir=None, image_ids={"sha256:c"})  # type: ignore[arg-type]
    none = (["<none>:<none>"], ["<none>@<none>"])
    seen = ImageHandlers()._filter_images(
        sess,
        [
            _entry("sha256:a", *none, session="s1"),  # the session's old build
            _entry("sha256:b", *none, session="s2"),  # another session's
            _entry("sha256:c", *none),  # recorded by the gateway (no labels)
            _entry("sha256:d", *none),  # nobody's here
            _entry("sha256:e", ["busybox:latest"], ["busybox@sha256:1"]),
            _entry("sha256:f", ["atlas-s2.mine:latest"], []),
            _entry("sha256:g", ["atlas-s1.app:latest"], [], session="s1"),
        ],
    )
    got = {i["Id"]: (i["RepoTags"], i["RepoDigests"]) for i in seen}
    assert got == {
        "sha256:a": none,
        "sha256:c": none,
        "sha256:e": (["busybox:latest"], ["busybox@sha256:1"]),
        "sha256:g": (["atlas-s1.app:latest"], []),
    }


def test_system_df_totals_come_from_the_session_view_only():
    """Each image's container count is the session's; LayersSize counts the unique part of each listed
    image and the shared part once."""
    from sandbox.gateway.resources import df_totals

    base = {**_entry("sha256:base", ["busybox:latest"], [], size=100), "SharedSize": 100, "Containers": 9}
    mine = {**_entry("sha256:mine", ["app:latest"], [], size=130), "SharedSize": 100, "Containers": 9}
    df = {"LayersSize": 10**10, "Images": [base, mine], "Containers": [{"ImageID": "sha256:mine"}]}
    df_totals(df)
    assert df["LayersSize"] == 130
    assert [i["Containers"] for i in df["Images"]] == [0, 1]
