"""Every rule of the sandbox policy (policy.RULES), each refusing what it must and letting pass what it may.

CASES holds, per rule id, a call the rule refuses (with the message the learner gets) and a call it
lets pass; a rule registered without a case here fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from sandbox.gateway import policy
from sandbox.gateway.errors import Denied, GatewayError, Malformed
from sandbox.gateway.policy import (
    budget,
    buildquery,
    commit,
    container_create,
    containers,
    dockerfile,
    exec,
    images,
    labels,
    names,
    networks,
    ports,
    query,
    volumes,
)
from sandbox.gateway.policy import buildcontext as ctx
from sandbox.gateway.policy.rules import RULES, rule
from sandbox.limits import Budget

MiB = 2**20
BOUNDS = ctx.Bounds(unpacked=10 * MiB, entries=3, depth=4, name=40, component=20)


def create(hc: dict) -> dict:
    body = container_create.parse(json.dumps({"Image": "busybox", "HostConfig": hc}).encode())
    container_create.check_container_create(body, Budget(), "runc")
    return body


def read_dockerfile(text: str) -> dockerfile.Plan:
    return dockerfile.read(text, {}, lambda ref, line: ("sha256:" + "b" * 64, []))


# rule id -> (a call the rule refuses, a fragment of its message, a call it lets pass)
CASES: dict[str, tuple[Callable[[], object], str, Callable[[], object]]] = {
    "api.endpoints": (
        lambda: policy.match("POST", "/containers/x/update"),
        "docker update is not available",
        lambda: policy.match("GET", "/containers/json"),
    ),
    "api.version": (lambda: policy.check_version("1.24"), "too old", lambda: policy.check_version("1.41")),
    "api.body": (
        lambda: volumes.parse_create(b'{"Name": "v", "Bogus": 1}'),
        "Bogus: unknown field",
        lambda: volumes.parse_create(b'{"Name": "v"}'),
    ),
    "api.query": (
        lambda: query.rebuild("GET", "/containers/json", [("bogus", "1")]),
        "bogus",
        lambda: query.rebuild("GET", "/containers/json", [("all", "1")]),
    ),
    "budget.objects": (
        lambda: budget.check_room("containers", 10, 10),
        "at most 10 containers per sandbox",
        lambda: budget.check_room("containers", 9, 10),
    ),
    "budget.images": (
        lambda: budget.check_image_room(3, 3 * MiB, 20, 2 * MiB),
        "the sandbox's images use 3 MiB, over the 2 MiB limit",
        lambda: budget.check_image_room(19, 2 * MiB, 20, 2 * MiB),
    ),
    "budget.disk": (
        lambda: budget.check_disk("the sandbox's disk budget is used up: 3 GiB"),
        "disk budget is used up",
        lambda: budget.check_disk(""),
    ),
    "budget.body": (lambda: budget.refuse_large_body(64 * MiB), "larger than the 64 MiB limit", lambda: None),
    "build.query": (
        lambda: buildquery.parse([("squash", "1")]),
        "--squash is not available",
        lambda: buildquery.parse([("t", "mine"), ("dockerfile", "Dockerfile")]),
    ),
    "build.dockerfile": (
        lambda: read_dockerfile("FROM busybox\nADD https://example.com/x /x\n"),
        "ADD",
        lambda: read_dockerfile("FROM busybox\nRUN true\n"),
    ),
    "containers.create": (lambda: create({"Privileged": True}), "privileged", lambda: create({})),
    "containers.namespaces": (
        lambda: container_create.host_mode("host", "pid", container_create.CreateRefs()),
        "--pid host is not allowed",
        lambda: container_create.host_mode("container:web", "pid", container_create.CreateRefs()),
    ),
    "containers.security-opt": (
        lambda: container_create.check_security_opts(["seccomp=unconfined"]),
        "removes a protection",
        lambda: container_create.check_security_opts(["no-new-privileges"]),
    ),
    "containers.capabilities": (
        lambda: container_create.check_caps(["SYS_ADMIN"], policy.CAP_ALLOWLIST),
        "--cap-add SYS_ADMIN is not allowed",
        lambda: container_create.check_caps(["NET_BIND_SERVICE"], policy.CAP_ALLOWLIST),
    ),
    "containers.isolation": (
        lambda: container_create.check_isolation({"Sysctls": {"net.ipv4.ip_forward": "1"}}, "runc"),
        "--sysctl net.ipv4.ip_forward is not allowed",
        lambda: container_create.check_isolation({"Runtime": "runc"}, "runc"),
    ),
    "containers.mounts": (
        lambda: container_create.check_mounts(
            {"Binds": ["/etc:/x"]}, container_create.CreateRefs(), Budget()
        ),
        "bind mounts of host paths are not allowed (/etc)",
        lambda: container_create.check_mounts(
            {"Binds": ["data:/x"]}, container_create.CreateRefs(), Budget()
        ),
    ),
    "containers.tmpfs": (
        lambda: container_create.clamp_tmpfs_options("/t", "size=50%", MiB),
        "size=50% is not understood",
        lambda: container_create.clamp_tmpfs_options("/t", "size=1g", MiB),
    ),
    "containers.anonymous-volumes": (
        lambda: container_create.check_anonymous_volumes({"Volumes": {"/a": {}}}, {"/b": {}}, 1),
        "at most 1 anonymous volumes per container",
        lambda: container_create.check_anonymous_volumes({"Volumes": {"/a": {}}}, {"/a/": {}}, 1),
    ),
    "containers.archive": (
        lambda: containers.check_upload("upload", 300 * MiB, 1, ctx.Bounds()),
        "the upload unpacks to more than 256 MiB",
        lambda: containers.check_upload("upload", 1 * MiB, 1, ctx.Bounds()),
    ),
    "containers.start-body": (
        lambda: containers.check_start_body({"Binds": ["/:/host"]}),
        "a start request may not carry a host configuration",
        lambda: containers.check_start_body({}),
    ),
    "context.compression": (
        lambda: ctx.check_compression(ctx.ZSTD_MAGIC + b"\0\0"),
        "zstd-compressed build contexts are not accepted",
        lambda: ctx.check_compression(b"\x1f\x8b\x08\0\0\0"),
    ),
    "context.archive": (
        lambda: ctx.refuse_unreadable(EOFError("truncated"), broken_stream=True),
        "broken compression or truncated (truncated)",
        lambda: None,
    ),
    "context.headers": (
        lambda: ctx.check_header_room(0),
        "tar headers larger than 1 MiB",
        lambda: ctx.check_header_room(1),
    ),
    "context.path": (
        lambda: ctx.clean_path("a/../../etc/passwd"),
        "path with '..'",
        lambda: ctx.clean_path("./a//b/"),
    ),
    "context.name": (
        lambda: ctx.check_name("a/b/c/d/e", BOUNDS),
        "deeper than 4 folders or longer than 40 characters",
        lambda: ctx.check_name("a/b/c/d", BOUNDS),
    ),
    "context.size": (
        lambda: ctx.check_size(3, 10 * MiB + 1, BOUNDS),
        "unpacks to more than 10 MiB",
        lambda: ctx.check_size(3, 10 * MiB, BOUNDS),
    ),
    "context.unique": (
        lambda: ctx.check_unique("a", {}, {"a": b""}),
        "'a' more than once",
        lambda: ctx.check_unique("b", {"a": "file"}, {}),
    ),
    "context.parents": (
        lambda: ctx.check_parents("l/x", {"l": "link"}),
        "'l/x' under the symbolic link 'l'",
        lambda: ctx.check_parents("d/x", {"d": "dir"}),
    ),
    "context.dockerfile": (
        lambda: ctx.check_dockerfile("Dockerfile", ctx.DOCKERFILE_MAX + 1, regular=True),
        "the Dockerfile is larger than 1 MiB",
        lambda: ctx.check_dockerfile("Dockerfile", ctx.DOCKERFILE_MAX, regular=True),
    ),
    "context.dockerfile-text": (
        lambda: ctx.dockerfile_text(b"FROM \xff"),
        "not UTF-8",
        lambda: ctx.dockerfile_text("FROM busybox # é".encode()),
    ),
    "context.dockerfile-missing": (
        lambda: ctx.refuse_missing_dockerfile("build/Dockerfile"),
        "the build context has no build/Dockerfile",
        lambda: None,
    ),
    "context.hard-link": (
        lambda: ctx.check_hard_link("h", "d", {"d": "dir"}, {}),
        "hard link 'h' to 'd', not an earlier file",
        lambda: ctx.check_hard_link("h", "f", {"f": "file"}, {}),
    ),
    "context.symlink": (
        lambda: ctx.check_symlink("a/l", "../../etc"),
        "leaving the context",
        lambda: ctx.check_symlink("a/l", "../b"),
    ),
    "context.nested": (
        lambda: ctx.check_nested("a.tgz", 300 * MiB, 1, ctx.Bounds()),
        "unpack to more than 256 MiB",
        lambda: ctx.check_nested("a.tgz", 1 * MiB, 1, ctx.Bounds()),
    ),
    "build.writes": (
        lambda: ctx.check_build_writes(10, 1, 200 * MiB, 0, 2048 * MiB),
        "more than the sandbox's 2048 MiB disk budget",
        lambda: ctx.check_build_writes(10, 1, 20 * MiB, 100 * MiB, 2048 * MiB),
    ),
    "context.special": (lambda: ctx.refuse_special("dev/sda"), "a device, fifo", lambda: None),
    "exec.count": (
        lambda: exec.check_exec_room(exec.MAX_EXECS),
        "exec instances, the most the sandbox allows",
        lambda: exec.check_exec_room(exec.MAX_EXECS - 1),
    ),
    "exec.create": (
        lambda: exec.check_exec_create({"Privileged": True}),
        "privileged exec is not allowed",
        lambda: exec.check_exec_create({"Cmd": ["sh"]}),
    ),
    "images.pull": (
        lambda: images.check_pull_request("", "busybox@sha256:" + "a" * 64, ""),
        "pulling by digest is not available",
        lambda: images.check_pull_request("", "busybox", "latest"),
    ),
    "images.buildkit": (
        lambda: images.check_not_buildkit("", buildquery.BUILDKIT_IMAGE),
        "BuildKit",
        lambda: images.check_not_buildkit("", "busybox"),
    ),
    "images.source": (
        lambda: images.check_pull_source("quay.io", published=False),
        "images come only from the local mirror",
        lambda: images.check_pull_source("localhost:5000", published=True),
    ),
    "images.redirect": (
        lambda: images.check_registry_redirect("127.0.0.1:40001", 40002),
        "your registry redirected to 127.0.0.1:40001",
        lambda: images.check_registry_redirect("localhost:40002", 40002),
    ),
    "images.foreign-urls": (
        lambda: images.check_manifest_urls(["http://127.0.0.1:1/blob"]),
        "manifest names layer URLs",
        lambda: images.check_manifest_urls([]),
    ),
    "images.push": (
        lambda: images.check_push_target("127.0.0.1.nip.io:5000"),
        "push is only available to a registry you started",
        lambda: images.check_push_target("localhost:5000"),
    ),
    "images.shared": (
        lambda: images.check_removable(False, "busybox:latest"),
        "shared base images cannot be removed (busybox:latest)",
        lambda: images.check_removable(True, "mine:latest"),
    ),
    "images.onbuild-base": (
        lambda: images.check_no_triggers("onb", {"OnBuild": ["RUN id"]}),
        "the image onb has ONBUILD triggers",
        lambda: images.check_no_triggers("busybox", {"OnBuild": None}),
    ),
    "images.lineage": (
        lambda: images.check_base_prepared("sha256:" + "c" * 64, ""),
        "cannot be prepared for building",
        lambda: images.check_base_prepared("sha256:" + "c" * 64, "sha256:" + "d" * 64),
    ),
    "images.commit": (
        lambda: commit.check_commit({}, ["LABEL org.container-atlas.session=x"]),
        "--change LABEL is not available",
        lambda: commit.check_commit({}, ["CMD sh"]),
    ),
    "labels.reserved": (
        lambda: labels.check_labels({"Org.Container-Atlas.session": "x"}),
        "belong to the sandbox",
        lambda: labels.check_labels({"org.example.x": "y"}),
    ),
    "labels.foreign": (
        lambda: labels.check_pulled_labels({"org.container-atlas.lineage": "other"}, "mine"),
        "it names another sandbox",
        lambda: labels.check_pulled_labels({"org.container-atlas.session": "mine", "x": "y"}, "mine"),
    ),
    "names.reserved": (
        lambda: names.check_reserved_name("ATLAS-other.web"),
        "is reserved: names may not contain 'atlas-<word>.'",
        lambda: names.check_reserved_name("atlas-web"),
    ),
    "networks.create": (
        lambda: networks.check_network_create({"Driver": "macvlan"}, internal=False),
        "network driver macvlan is not allowed",
        lambda: networks.check_network_create({"Name": "n"}, internal=False),
    ),
    "networks.default": (
        lambda: networks.check_network_delete(True),
        "the sandbox's own default network cannot be removed",
        lambda: networks.check_network_delete(False),
    ),
    "ports.single": (
        lambda: ports.check_host_port("8000-8010", 40000),
        "publish single ports",
        lambda: ports.check_host_port("", 40000),
    ),
    "ports.count": (
        lambda: ports.check_port_count(ports.MAX_PUBLISHED + 1),
        "published ports per sandbox",
        lambda: ports.check_port_count(ports.MAX_PUBLISHED),
    ),
    "volumes.create": (
        lambda: volumes.check_volume_create({"DriverOpts": {"o": "bind", "device": "/"}}),
        "volume driver options are not allowed",
        lambda: volumes.check_volume_create({"Name": "v"}),
    ),
}


def test_every_rule_has_a_case() -> None:
    """A rule added to the policy without a case here (or a case for a rule that is gone) fails."""
    assert sorted(RULES) == sorted(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_refuses(rule_id: str) -> None:
    refused, message, _ = CASES[rule_id]
    with pytest.raises(GatewayError) as info:
        refused()
    assert message in info.value.message
    if isinstance(info.value, Denied):
        assert info.value.status == 403 and info.value.message.startswith(policy.PREFIX)
    else:
        assert isinstance(info.value, Malformed) and info.value.status == 400


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_allows(rule_id: str) -> None:
    CASES[rule_id][2]()  # raises when the rule refuses what the sandbox allows


def test_rules_keep_the_learners_values() -> None:
    """The rules that also rewrite give back what was asked, within the budget."""
    assert ports.check_host_port("8080", 40000) == 8080
    assert ports.check_host_port("", 40000) == 40000
    assert container_create.clamp_tmpfs_options("/t", "mode=1777,size=1k", MiB) == "mode=1777,size=1024"
    assert ctx.clean_path("./a//b/") == "a/b"
    assert ctx.check_name("./x/y", BOUNDS) == "x/y"
    assert copy.deepcopy(create({}))["HostConfig"]["Runtime"] == "runc"


def test_a_rule_needs_an_id_of_its_own_and_a_docstring() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("names.reserved")(lambda: None)
    with pytest.raises(ValueError, match="no docstring"):

        @rule("test.undocumented")
        def undocumented() -> None:
            pass

    assert "test.undocumented" not in RULES
