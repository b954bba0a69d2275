"""Policy rules against hostile object options: how many anonymous volumes a container gets, how many
ports a session publishes (each a process on the host), which sandbox labels a pulled image may carry."""

from __future__ import annotations

import json

import pytest

from sandbox.gateway.policy import Denied
from sandbox.gateway.policy.container_create import check_anonymous_volumes, parse
from sandbox.gateway.policy.labels import check_pulled_labels
from sandbox.gateway.policy.ports import MAX_PUBLISHED, check_port_count


def body(**fields) -> dict:
    """A create body decoded as the gateway decodes the learner's JSON."""
    return parse(json.dumps({"Image": "busybox", **fields}).encode())


PATHS = {f"/v{i}": {} for i in range(4)}


@pytest.mark.parametrize(
    ("fields", "image", "count"),
    [
        ({"Volumes": PATHS}, None, 4),  # -v /v0 -v /v1 ...
        ({}, PATHS, 4),  # the image's VOLUMEs
        ({"Volumes": {"/v0/": {}, "/v1": {}}}, {"/v0": {}, "/v2": {}}, 3),  # one path, two spellings
        ({"HostConfig": {"Mounts": [{"Type": "volume", "Target": f"/m{i}"} for i in range(4)]}}, None, 4),
        ({"HostConfig": {"Mounts": [{"Target": f"/m{i}"} for i in range(4)]}}, None, 4),  # Type defaults
    ],
)
def test_anonymous_volumes_over_the_limit_are_refused(fields, image, count):
    with pytest.raises(Denied, match=f"at most {count - 1} anonymous volumes per container \\({count} asked"):
        check_anonymous_volumes(body(**fields), image, count - 1)
    check_anonymous_volumes(body(**fields), image, count)


def test_volumes_covered_by_named_mounts_are_not_anonymous():
    hc = {
        "Binds": ["data:/v0", "more:/v1/:ro"],
        "Tmpfs": {"/v2": ""},
        "Mounts": [{"Type": "volume", "Source": "x", "Target": "/v3"}, {"Type": "tmpfs", "Target": "/v4"}],
    }
    image = {**PATHS, "/v4": {}}
    check_anonymous_volumes(body(HostConfig=hc), image, 0)
    with pytest.raises(Denied, match=r"\(1 asked"):
        check_anonymous_volumes(body(HostConfig=hc, Volumes={"/v5": {}}), image, 0)


def test_published_ports_are_counted_per_session():
    check_port_count(MAX_PUBLISHED)
    with pytest.raises(Denied, match=f"at most {MAX_PUBLISHED} published ports per sandbox"):
        check_port_count(MAX_PUBLISHED + 1)


@pytest.mark.parametrize(
    ("labels", "refused"),
    [
        ({"org.container-atlas.session": "other", "org.container-atlas.origin": "gateway"}, True),
        ({"org.container-atlas.lineage": "other", "org.container-atlas.lineage-base": "scratch"}, True),
        ({"org.container-atlas.session": "mine", "org.container-atlas.lineage": "mine"}, False),
        ({"org.container-atlas.build-hash": "ab12"}, False),  # every shared base image has it
        ({"Org.Container-Atlas.Session": "other"}, False),  # the gateway reads the exact key only
        (None, False),
    ],
)
def test_pulled_images_may_name_only_their_own_session(labels, refused):
    if refused:
        with pytest.raises(Denied, match="it names another sandbox"):
            check_pulled_labels(labels, "mine")
    else:
        check_pulled_labels(labels, "mine")
