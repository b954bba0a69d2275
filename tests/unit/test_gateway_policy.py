"""The gateway's declarative policy: routes, container-create checks and rewrites, references, Dockerfiles."""

from __future__ import annotations

import copy
import json

import pytest

from sandbox.gateway import policy
from sandbox.gateway.policy import Budget, Denied, NoSuchObject, check_container_create
from sandbox.gateway.policy.container_create import parse
from sandbox.gateway.session import normalize, split_ref

BASE = {"Image": "busybox", "HostConfig": {}}


def create(hc: dict, runtime: str = "runc", **top) -> tuple[dict, policy.CreateRefs]:
    body = copy.deepcopy(BASE)
    body["HostConfig"].update(hc)
    body.update(top)
    body = parse(json.dumps(body).encode())  # as the gateway does: the learner's JSON, decoded strictly
    refs = check_container_create(body, Budget(), runtime)
    return body, refs


@pytest.mark.parametrize(
    ("hc", "reason"),
    [
        ({"Privileged": True}, "privileged containers are not allowed"),
        ({"PidMode": "host"}, "--pid host is not allowed"),
        ({"IpcMode": "host"}, "--ipc host is not allowed"),
        ({"UTSMode": "host"}, "--uts host is not allowed"),
        ({"NetworkMode": "host"}, "--network host is not allowed"),
        ({"UsernsMode": "host"}, "--userns host is not allowed"),
        ({"CgroupnsMode": "host"}, "--cgroupns host is not allowed"),
        ({"CgroupParent": "/x"}, "--cgroup-parent is not allowed"),
        ({"Devices": [{"PathOnHost": "/dev/sda"}]}, "devices are not allowed"),
        ({"DeviceRequests": [{"Count": -1}]}, "devices are not allowed"),
        ({"CapAdd": ["SYS_ADMIN"]}, "--cap-add SYS_ADMIN is not allowed"),
        ({"CapAdd": ["CAP_SYS_PTRACE"]}, "--cap-add SYS_PTRACE is not allowed"),
        ({"CapAdd": ["all"]}, "--cap-add ALL is not allowed"),
        ({"SecurityOpt": ["seccomp=unconfined"]}, "seccomp=unconfined is not allowed"),
        ({"SecurityOpt": ["seccomp:unconfined"]}, "seccomp:unconfined is not allowed"),
        ({"SecurityOpt": ["apparmor=unconfined"]}, "apparmor=unconfined is not allowed"),
        ({"SecurityOpt": ["label=disable"]}, "label=disable is not allowed"),
        ({"SecurityOpt": ["seccomp={}"]}, "only no-new-privileges may be added"),
        ({"MaskedPaths": []}, "masked or read-only /proc paths"),
        ({"Sysctls": {"kernel.shmmax": "1"}}, "--sysctl kernel.shmmax is not allowed"),
        (
            {"Runtime": "io.containerd.runc.v2"},
            "--runtime io.containerd.runc.v2 is not allowed; containers here run with runc (or runsc",
        ),
        ({"Runtime": "runc --debug"}, "--runtime runc --debug is not allowed"),
        ({"Runtime": "kata"}, "--runtime kata is not allowed"),
        ({"Binds": ["/:/host"]}, "bind mounts of host paths are not allowed (/)"),
        ({"Binds": ["/var/run/docker.sock:/s"]}, "bind mounts of host paths are not allowed"),
        ({"Mounts": [{"Type": "bind", "Source": "/etc", "Target": "/e"}]}, "bind mounts of host paths"),
        (
            {
                "Mounts": [
                    {
                        "Type": "volume",
                        "Source": "v",
                        "Target": "/v",
                        "VolumeOptions": {"DriverConfig": {"Options": {"device": "/"}}},
                    }
                ]
            },
            "volume driver options",
        ),
        ({"OomKillDisable": True}, "disabling the OOM killer"),
        ({"Ulimits": [{"Name": "nofile", "Soft": 1, "Hard": 1}]}, "--ulimit is not allowed"),
        ({"LogConfig": {"Type": "syslog"}}, "--log-driver syslog is not allowed"),
        ({"PublishAllPorts": True}, "-P is not available"),
        ({"VolumeDriver": "x"}, "volume driver options are not allowed"),
    ],
)
def test_container_create_denials(hc, reason):
    with pytest.raises(Denied) as err:
        create(hc)
    assert err.value.message.startswith(policy.PREFIX)
    assert reason in err.value.message


def test_budget_is_forced_and_smaller_requests_kept():
    budget = Budget()  # the declared limits (sandbox/config.yaml `limits:`)
    body, _ = create({})
    hc = body["HostConfig"]
    assert (hc["Memory"], hc["MemorySwap"], hc["PidsLimit"], hc["NanoCpus"]) == (
        budget.memory,
        budget.memory,
        budget.pids,
        budget.nano_cpus,
    )
    assert hc["Runtime"] == "runc" and hc["LogConfig"]["Type"] == "json-file"
    body, _ = create({"Memory": 64 * 2**20, "PidsLimit": 10, "MemorySwap": -1})
    assert body["HostConfig"]["Memory"] == 64 * 2**20 and body["HostConfig"]["MemorySwap"] == 64 * 2**20
    assert body["HostConfig"]["PidsLimit"] == 10
    body, _ = create({"Memory": 8 * 2**30, "PidsLimit": -1, "NanoCpus": 4_000_000_000})
    hc = body["HostConfig"]
    assert hc["Memory"] == budget.memory and hc["NanoCpus"] == budget.nano_cpus


def test_allowed_options_and_references():
    body, refs = create(
        {
            "CapAdd": ["NET_BIND_SERVICE", "CAP_CHOWN"],
            "CapDrop": ["ALL"],
            "SecurityOpt": ["no-new-privileges"],
            "Binds": ["data:/data"],
            "NetworkMode": "container:db",
            "VolumesFrom": ["other:ro"],
            "Links": ["/db:db"],
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
            "Mounts": [
                {"Type": "tmpfs", "Target": "/t"},
                {"Type": "volume", "Source": "cache", "Target": "/c"},
            ],
        },
        NetworkingConfig={"EndpointsConfig": {"mynet": {}}},
    )
    assert refs.volumes == ["data", "cache"]
    assert refs.containers == ["db", "db", "other"]
    assert refs.networks == ["mynet"]
    assert refs.ports == [("80/tcp", "8080")]


def test_routes_allow_the_cli_and_explain_the_rest():
    assert policy.match("GET", "/containers/json")[0].handler == "containers_list"
    route, params = policy.match("POST", "/images/localhost:5000/mine/push")
    assert route.handler == "image_push" and params == {"image": "localhost:5000/mine"}
    assert policy.match("DELETE", "/images/a/b:c")[1] == {"image": "a/b:c"}
    assert policy.match("POST", "/exec/abc/start")[0].handler == "exec_start"
    with pytest.raises(Denied, match="docker update is not available"):
        policy.match("POST", "/containers/x/update")
    with pytest.raises(Denied, match=r"POST /plugins/pull is not available"):
        policy.match("POST", "/plugins/pull")
    with pytest.raises(NoSuchObject, match="No such object: web"):
        policy.match("GET", "/plugins/web/json")
    with pytest.raises(Denied, match="too old"):
        policy.check_version("1.23")
    policy.check_version("1.41")


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("GET", "/containers/prom/prometheus/json", "No such container: prom/prometheus"),
        ("GET", "/containers/a/b/logs", "No such container: a/b"),
        ("HEAD", "/containers/a/b/archive", "No such container: a/b"),
        ("GET", "/networks/a/b", "network a/b not found"),
        ("GET", "/volumes/a/b", "get a/b: no such volume"),
        ("GET", "/exec/a/b/json", "No such exec instance: a/b"),
        ("GET", "/plugins/balabit/syslog-ng/json", "No such object: balabit/syslog-ng"),
    ],
)
def test_lookup_of_a_name_with_a_slash_is_missing_as_on_the_engine(method, path, message):
    """`docker inspect prom/prometheus` asks for a container of that name first: a 404 (not a
    refusal) lets the CLI go on to the image, as on a plain engine."""
    with pytest.raises(NoSuchObject) as exc:
        policy.match(method, path)
    assert exc.value.message == message


def test_changes_to_a_name_with_a_slash_stay_refused():
    with pytest.raises(Denied, match="DELETE /containers/mine/pause is not available"):
        policy.match("DELETE", "/containers/mine/pause")
    with pytest.raises(Denied, match="not available"):
        policy.match("POST", "/containers/a/b/stop")


def test_volume_and_network_checks():
    with pytest.raises(Denied, match="driver options"):
        policy.check_volume_create({"Name": "x", "DriverOpts": {"type": "none", "o": "bind", "device": "/"}})
    with pytest.raises(Denied, match="macvlan"):
        policy.check_network_create({"Name": "n", "Driver": "macvlan"}, internal=False)
    with pytest.raises(Denied, match="--subnet"):
        policy.check_network_create(
            {"Name": "n", "IPAM": {"Config": [{"Subnet": "192.0.2.0/24"}]}}, internal=False
        )
    body = {"Name": "n"}
    policy.check_network_create(body, internal=True)
    assert body["Driver"] == "bridge" and body["Internal"] is True


@pytest.mark.parametrize(
    ("ref", "norm", "split"),
    [
        ("httpd", "httpd:latest", ("", "httpd", "latest")),
        ("docker.io/library/httpd:2.4", "httpd:2.4", ("", "httpd", "2.4")),
        ("library/busybox", "busybox:latest", ("", "busybox", "latest")),
        ("user/app", "user/app:latest", ("", "user/app", "latest")),
        ("localhost:5000/mine", "localhost:5000/mine:latest", ("localhost:5000", "mine", "latest")),
        ("quay.io/a/b:1", "quay.io/a/b:1", ("quay.io", "a/b", "1")),
    ],
)
def test_image_references(ref, norm, split):
    assert normalize(ref) == norm
    assert split_ref(ref) == split


def test_runtime_runsc_is_the_one_alternative():
    """A learner may ask for gVisor (stronger); under a runsc-configured gateway runc is refused."""
    body, _ = create({"Runtime": "runsc", "Privileged": False})
    assert body["HostConfig"]["Runtime"] == "runsc" and body["HostConfig"]["Memory"] == Budget().memory
    assert create({})[0]["HostConfig"]["Runtime"] == "runc"
    assert create({"Runtime": "runsc"}, runtime="runsc")[0]["HostConfig"]["Runtime"] == "runsc"
    with pytest.raises(Denied) as err:
        create({"Runtime": "runc"}, runtime="runsc")
    assert err.value.message.endswith("--runtime runc is not allowed; containers here run with runsc")
