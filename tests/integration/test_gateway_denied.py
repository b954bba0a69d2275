"""Every denial of the sandbox policy, through the real docker CLI: the message, and nothing created.

This module's gateway is configured with runtime `runsc`, so `--runtime runc` is "another runtime",
with a 1 MiB build-context limit and at most 2 containers.
"""

from __future__ import annotations

import secrets

import pytest
from gateway_harness import leftovers, make_manager, start_sandbox, stop_sandbox

pytestmark = [pytest.mark.docker]
PREFIX = "denied by the Container Atlas sandbox policy: "


@pytest.fixture(scope="module")
def strict(docker_client, tmp_path_factory):
    """A docker sandbox behind a gateway: runtime runsc, 1 MiB build contexts, 2 containers at most."""
    manager = make_manager(
        docker_client, tmp_path_factory, runtime="runsc", budget={"build_context": 2**20, "containers": 2}
    )
    sandbox = start_sandbox(docker_client, manager, "d" + secrets.token_hex(5))
    sandbox.sh("ln -s / /tmp/rootlink")
    yield sandbox
    assert stop_sandbox(docker_client, sandbox) == []
    manager.shutdown()


RUN_DENIALS = [
    ("--privileged", "privileged containers are not allowed"),
    ("-v /:/host", "bind mounts of host paths are not allowed (/)"),
    ("-v /tmp/rootlink:/host", "bind mounts of host paths are not allowed (/tmp/rootlink)"),
    ("--mount type=bind,src=/etc,dst=/h", "bind mounts of host paths are not allowed (/etc)"),
    ("--pid host", "--pid host is not allowed"),
    ("--network host", "--network host is not allowed"),
    ("--ipc host", "--ipc host is not allowed"),
    ("--uts host", "--uts host is not allowed"),
    ("--userns host", "--userns host is not allowed"),
    ("--cgroup-parent /evil", "--cgroup-parent is not allowed"),
    ("--device /dev/sda", "devices are not allowed"),
    ("--cap-add SYS_ADMIN", "--cap-add SYS_ADMIN is not allowed"),
    ("--cap-add ALL", "--cap-add ALL is not allowed"),
    ("--security-opt seccomp=unconfined", "--security-opt seccomp=unconfined is not allowed"),
    ("--security-opt apparmor=unconfined", "--security-opt apparmor=unconfined is not allowed"),
    ("--security-opt label=disable", "--security-opt label=disable is not allowed"),
    ("--runtime runc", "--runtime runc is not allowed; containers here run with runsc"),
    ("--sysctl net.ipv4.ip_forward=1", "--sysctl net.ipv4.ip_forward is not allowed"),
    ("--log-driver syslog", "--log-driver syslog is not allowed"),
]


def denied_each(client, box, cases: list[tuple[str, str]]) -> None:
    """Run every (command, reason) in one shell of `box`: each must fail with the policy's message naming
    `reason`, and the engine must hold no new object of the session afterwards (if it does, each command
    is run alone again, so that the failure names the one that created it)."""
    before = leftovers(client, box.sid)
    answers = box.sh_each([cmd for cmd, _ in cases])
    problems = [
        f"{cmd}: exit {code}, expected the refusal {PREFIX + reason!r}:\n{out}"
        for (cmd, reason), (code, out) in zip(cases, answers, strict=True)
        if code == 0 or PREFIX + reason not in out
    ]
    created = [x for x in leftovers(client, box.sid) if x not in before]
    for cmd, _ in cases if created else []:
        box.sh(cmd)
        now = [x for x in leftovers(client, box.sid) if x not in before]
        assert not now, f"{cmd} created {now}"
    assert not created, f"these commands together created {created}: {[c for c, _ in cases]}"
    assert not problems, "\n".join(problems)


def test_run_denied_and_nothing_created(docker_client, strict):
    """Every flag of RUN_DENIALS, each in its own `docker run` (one shell runs them all)."""
    cases = [(f"docker run --rm {flags} busybox true", reason) for flags, reason in RUN_DENIALS]
    denied_each(docker_client, strict, cases)


def test_build_context_over_the_limit(docker_client, strict):
    before = leftovers(docker_client, strict.sid)
    strict.sh(
        "mkdir -p /tmp/big && head -c 3000000 /dev/urandom > /tmp/big/blob && "
        "printf 'FROM busybox\\nCOPY blob /\\n' > /tmp/big/Dockerfile"
    )
    code, out = strict.sh("docker build -t big /tmp/big")
    assert code != 0
    assert PREFIX + "the request body (build context) is larger than the 1 MiB limit" in out, out
    assert leftovers(docker_client, strict.sid) == before
    assert "big" not in strict.sh("docker images")[1]


def test_build_add_from_url_denied(strict):
    strict.sh(
        "mkdir -p /tmp/url && printf 'FROM busybox\\nADD http://127.0.0.1:8000/ /x\\n' > /tmp/url/Dockerfile"
    )
    code, out = strict.sh("docker build -t url /tmp/url")
    assert code != 0 and PREFIX + "ADD from a URL is not available" in out, out


def test_rmi_of_a_shared_base_image(docker_client, strict):
    code, out = strict.sh("docker rmi busybox")
    assert code != 0 and PREFIX + "shared base images cannot be removed (busybox:latest)" in out, out
    code, out = strict.sh("docker rmi -f $(docker image inspect -f '{{.Id}}' busybox)")
    assert code != 0 and PREFIX + "shared base images cannot be removed" in out, out
    docker_client.images.get("busybox")  # still there


def test_pull_of_an_image_the_mirror_lacks(docker_client, local_registry, strict):
    name = "nosuchimage" + secrets.token_hex(3)
    code, out = strict.sh(f"docker pull {name}")
    assert code != 0
    assert (
        f"pull access denied for {name}, repository does not exist or may require 'docker login'"
    ) in out, out
    assert "127.0.0.1:5000" not in out


def test_push_to_the_mirror_and_pull_from_elsewhere(strict):
    strict.sh("docker tag busybox mybb")
    code, out = strict.sh("docker push mybb")
    assert code != 0 and PREFIX + "push is only available to a registry you started" in out, out
    code, out = strict.sh("docker pull quay.io/someone/thing")
    assert code != 0 and PREFIX + "images come only from the local mirror" in out, out
    assert strict.sh("docker rmi mybb")[0] == 0


OTHER_DENIALS = [
    ("docker update --memory 2g mybox", "docker update is not available"),
    ("docker swarm init", "swarm mode is not available"),
    ("docker run -P --rm busybox true", "-P is not available"),
    (
        "docker volume create -o type=none -o o=bind -o device=/ hostroot",
        "volume driver options are not allowed",
    ),
    ("docker network create -d macvlan mv", "network driver macvlan is not allowed"),
    ("docker exec --privileged mybox true", "privileged exec is not allowed"),
]


def test_other_denials(docker_client, strict):
    """Every command of OTHER_DENIALS (one shell runs them all, beside a container `mybox`)."""
    assert strict.sh("docker create --name mybox busybox sleep 60")[0] == 0
    try:
        denied_each(docker_client, strict, OTHER_DENIALS)
    finally:
        strict.sh("docker rm -f mybox")
    assert not [x for x in leftovers(docker_client, strict.sid) if not x.startswith("network atlas-")]


def test_budget_is_forced_on_containers(docker_client, strict):
    code, out = strict.sh("docker create --name budget -m 4g --pids-limit 100000 busybox true")
    assert code == 0, out
    try:
        hc = docker_client.api.inspect_container(f"atlas-{strict.sid}.budget")["HostConfig"]
        budget = strict.manager.budget  # config.yaml `limits:`
        assert hc["Memory"] == budget.memory and hc["MemorySwap"] == budget.memory
        assert (
            hc["PidsLimit"] == budget.pids and hc["NanoCpus"] == budget.nano_cpus and hc["Runtime"] == "runsc"
        )
        assert hc["NetworkMode"] == f"atlas-{strict.sid}"
    finally:
        strict.sh("docker rm -f budget")


def test_counts_per_sandbox(docker_client, strict):
    try:
        assert strict.sh("docker create --name one busybox true")[0] == 0
        assert strict.sh("docker create --name two busybox true")[0] == 0
        code, out = strict.sh("docker create --name three busybox true")
        assert code != 0 and PREFIX + "at most 2 containers per sandbox; remove some first" in out, out
    finally:
        strict.sh("docker rm -f one two three")
