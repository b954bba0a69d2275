"""Key case and duplicate keys: every field the policy refuses, spelled every way the engine accepts.

The engine (Go encoding/json) matches keys case-insensitively, folds `ſ` to `s` and KELVIN SIGN to `k`,
and lets the last duplicate win. For each endpoint and each refused field, the request is sent as the
exact key, lower, UPPER and mixed case, with the Unicode folds, as a duplicate after an allowed value,
and with its parent object duplicated. A respelled key must meet the same refusal (403 with the policy's
reason); a duplicate must be refused outright (400 naming both spellings) — never forwarded.
"""

from __future__ import annotations

import json

import pytest

from sandbox.gateway.errors import Denied, Malformed
from sandbox.gateway.policy import (
    Budget,
    check_container_create,
    check_exec_create,
    check_network_create,
    check_volume_create,
    commit,
    container_create,
    networks,
    volumes,
)
from sandbox.gateway.policy import exec as exec_policy
from sandbox.gateway.policy.jsondecode import fold


class Obj(tuple):
    """A JSON object as ordered pairs, so a test can write duplicate keys."""


def obj(*pairs: tuple[str, object]) -> Obj:
    return Obj(pairs)


def dumps(value: object) -> str:
    if isinstance(value, Obj):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def nest(path: list[str], value: object) -> object:
    for key in reversed(path):
        value = obj((key, value))
    return value


def fold_spelling(key: str) -> str | None:
    """The key with s/S as U+017F, k/K as U+212A, i/I as U+0131/U+0130 (None when it has none)."""
    fold_map = {"s": "\u017f", "S": "\u017f", "k": "\u212a", "K": "\u212a", "i": "\u0131", "I": "\u0130"}
    out = "".join(fold_map.get(c, c) for c in key)
    return out if out != key else None


def mixed(key: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(key))


def create(raw: bytes) -> dict:
    body = container_create.parse(raw)
    check_container_create(body, Budget(), "runc")
    return body


def network_create(raw: bytes) -> dict:
    body = networks.parse_create(raw)
    check_network_create(body, internal=False)
    return body


def volume_create(raw: bytes) -> dict:
    body = volumes.parse_create(raw)
    check_volume_create(body)
    return body


def exec_create(raw: bytes) -> dict:
    body = exec_policy.parse_create(raw)
    check_exec_create(body)
    return body


def commit_body(raw: bytes) -> dict:
    body = commit.parse(raw)
    commit.check_commit(body, [])
    return body


HC = ["HostConfig"]
# endpoint -> (the handler's decode+check, base body, [(path, refused value, allowed value, reason)])
FIELDS: dict[str, tuple] = {
    "containers/create": (
        create,
        [("Image", "busybox")],
        [
            (HC + ["Binds"], ["/:/host:ro"], ["data:/data"], "bind mounts of host paths are not allowed (/)"),
            (HC + ["Binds"], ["/var/run/docker.sock:/s"], [], "bind mounts of host paths"),
            (HC + ["Privileged"], True, False, "privileged containers are not allowed"),
            (HC + ["PidMode"], "host", "", "--pid host is not allowed"),
            (HC + ["IpcMode"], "host", "private", "--ipc host is not allowed"),
            (HC + ["UTSMode"], "host", "", "--uts host is not allowed"),
            (HC + ["UTSMode"], "container:atlas-x.web", "", "--uts container:atlas-x.web is not allowed"),
            (HC + ["NetworkMode"], "host", "default", "--network host is not allowed"),
            (HC + ["UsernsMode"], "host", "", "--userns host is not allowed"),
            (HC + ["CgroupnsMode"], "host", "private", "--cgroupns host is not allowed"),
            (HC + ["CgroupParent"], "/", "", "--cgroup-parent is not allowed"),
            (HC + ["Cgroup"], "container:x", "", "--cgroup-parent is not allowed"),
            (HC + ["Devices"], [{"PathOnHost": "/dev/sda"}], [], "devices are not allowed"),
            (HC + ["DeviceRequests"], [{"Count": -1}], [], "devices are not allowed"),
            (HC + ["DeviceCgroupRules"], ["a *:* rwm"], [], "devices are not allowed"),
            (HC + ["CapAdd"], ["SYS_ADMIN"], ["CHOWN"], "--cap-add SYS_ADMIN is not allowed"),
            (HC + ["CapAdd"], "ALL", None, "--cap-add ALL is not allowed"),
            (HC + ["Capabilities"], ["CAP_SYS_ADMIN"], None, "replacing the capability set"),
            (HC + ["SecurityOpt"], ["seccomp=unconfined"], [], "seccomp=unconfined is not allowed"),
            (HC + ["SecurityOpt"], ["apparmor=unconfined"], ["no-new-privileges"], "apparmor=unconfined"),
            (HC + ["MaskedPaths"], [], None, "masked or read-only /proc paths"),
            (HC + ["ReadonlyPaths"], [], None, "masked or read-only /proc paths"),
            (HC + ["Sysctls"], {"kernel.core_pattern": "|/x"}, {}, "--sysctl kernel.core_pattern"),
            (HC + ["Runtime"], "io.containerd.runc.v2", "runsc", "--runtime io.containerd.runc.v2 is not"),
            (HC + ["Runtime"], "RUNSC", "runc", "--runtime RUNSC is not allowed"),
            (HC + ["OomKillDisable"], True, False, "disabling the OOM killer"),
            (HC + ["OomScoreAdj"], -1000, 0, "disabling the OOM killer"),
            (HC + ["Ulimits"], [{"Name": "nofile", "Soft": 1, "Hard": 1}], [], "--ulimit is not allowed"),
            (HC + ["StorageOpt"], {"size": "100G"}, {}, "storage and volume driver options"),
            (HC + ["VolumeDriver"], "local-persist", "", "storage and volume driver options"),
            (HC + ["PublishAllPorts"], True, False, "-P is not available"),
            (HC + ["LogConfig"], {"Type": "syslog"}, {"Type": "json-file"}, "--log-driver syslog"),
            (HC + ["Mounts"], [{"Type": "bind", "Source": "/", "Target": "/h"}], [], "bind mounts of host"),
            (
                HC + ["Mounts"],
                [{"Target": "/v", "VolumeOptions": {"DriverConfig": {"Options": {"device": "/"}}}}],
                [{"Target": "/v"}],
                "volume driver options are not allowed",
            ),
            (
                HC + ["Mounts"],
                [{"Type": "volume", "Target": "/v", "BindOptions": {"Propagation": "rshared"}}],
                [],
                "bind mount options are not allowed",
            ),
            (HC + ["CpuQuota"], 1_000_000, 0, "CPU quotas"),
            (HC + ["CpuPeriod"], 1000, 0, "CPU quotas"),
            (HC + ["CpusetCpus"], "0-63", "", "CPU quotas"),
            (HC + ["CpusetMems"], "0", "", "CPU quotas"),
            (HC + ["CpuRealtimeRuntime"], 950000, 0, "CPU quotas"),
            (HC + ["BlkioWeight"], 1000, 0, "block I/O"),
            (HC + ["BlkioDeviceReadBps"], [{"Path": "/dev/sda", "Rate": 1}], [], "block I/O"),
            (HC + ["KernelMemory"], 2**40, 0, "kernel memory"),
            (HC + ["Isolation"], "hyperv", "", "--isolation is not allowed"),
            (HC + ["Annotations"], {"io.katacontainers.x": "1"}, {}, "annotations are not available"),
            (HC + ["CpuCount"], 64, 0, "Windows-only"),
            (["Labels"], {"org.container-atlas.session": "other"}, {"app": "web"}, "belong to the sandbox"),
            (
                ["NetworkingConfig", "EndpointsConfig"],
                {"n": {"DriverOpts": {"com.docker.network.endpoint.x": "1"}}},
                {"n": {}},
                "network driver options are not allowed",
            ),
        ],
    ),
    "networks/create": (
        network_create,
        [("Name", "n")],
        [
            (["Driver"], "macvlan", "bridge", "network driver macvlan is not allowed"),
            (["Options"], {"parent": "eth0"}, {}, "network driver options are not allowed"),
            (["IPAM"], {"Config": [{"Subnet": "172.17.0.0/16"}]}, {}, "--subnet"),
            (["IPAM"], {"Driver": "dhcp"}, {"Driver": "default"}, "IPAM drivers are not allowed"),
            (["Ingress"], True, False, "swarm networks"),
            (["ConfigFrom"], {"Network": "x"}, None, "swarm networks"),
            (["Scope"], "swarm", "local", "swarm networks"),
            (["EnableIPv6"], True, False, "IPv6 networks"),
            (["Labels"], {"org.container-atlas.default-network": "1"}, {}, "belong to the sandbox"),
        ],
    ),
    "networks/connect": (
        lambda raw: networks.parse_connect(raw),
        [("Container", "mine")],
        [
            (
                ["EndpointConfig", "DriverOpts"],
                {"com.docker.network.endpoint.x": "1"},
                {},
                "network driver options are not allowed",
            ),
        ],
    ),
    "volumes/create": (
        volume_create,
        [("Name", "v")],
        [
            (["Driver"], "local-persist", "local", "volume driver local-persist is not allowed"),
            (["DriverOpts"], {"type": "none", "o": "bind", "device": "/etc"}, {}, "volume driver options"),
            (["Labels"], {"org.container-atlas.session": "x"}, {"a": "b"}, "belong to the sandbox"),
        ],
    ),
    "exec": (
        exec_create,
        [("Cmd", ["id"])],
        [(["Privileged"], True, False, "privileged exec is not allowed")],
    ),
    "commit": (
        commit_body,
        [("Cmd", ["sh"])],
        [(["Labels"], {"org.container-atlas.session": "other"}, {"v": "1"}, "belong to the sandbox")],
    ),
}
SPELLINGS = ("exact", "lower", "UPPER", "mixed", "fold", "duplicate-after-allowed", "nested-duplicate")


def spelled(key: str, how: str) -> str | None:
    return {
        "exact": key,
        "lower": key.lower(),
        "UPPER": key.upper(),
        "mixed": mixed(key),
        "fold": fold_spelling(key),
    }[how]


def request_for(base: list, path: list[str], bad: object, good: object, how: str) -> tuple[str, bool]:
    """(JSON text, True when the answer must be a 400 duplicate rather than the 403 refusal)."""
    if how in SPELLINGS[:5]:
        key = spelled(path[-1], how)
        if key is None:
            pytest.skip(f"{path[-1]} has no s, k or i to fold")
        return dumps(obj(*base, *nest(path[:-1], obj((key, bad))))), False
    if how == "duplicate-after-allowed":
        inner = obj((path[-1], good), (path[-1].lower(), bad))
        return dumps(obj(*base, *nest(path[:-1], inner))), True
    if len(path) == 1:  # a top-level field: the same key twice
        return dumps(obj(*base, (path[0], good), (path[0], bad))), True
    first = nest(path[1:], good)
    second = nest(path[1:], bad)
    return dumps(obj(*base, (path[0], first), (mixed(path[0]), second))), True


CASES = [
    pytest.param(endpoint, i, how, id=f"{endpoint}-{'.'.join(f[0])}-{i}-{how}")
    for endpoint, (_, _, fields) in FIELDS.items()
    for i, f in enumerate(fields)
    for how in SPELLINGS
]


@pytest.mark.parametrize(("endpoint", "index", "how"), CASES)
def test_every_spelling_of_a_refused_field(endpoint, index, how):
    decode, base, fields = FIELDS[endpoint]
    path, bad, good, reason = fields[index]
    text, duplicate = request_for(base, path, bad, good, how)
    if duplicate:
        with pytest.raises(Malformed) as err:
            decode(text.encode())
        assert err.value.status == 400 and "duplicates" in err.value.message, err.value.message
    else:
        with pytest.raises(Denied) as err:
            decode(text.encode())
        assert err.value.status == 403 and reason in err.value.message, err.value.message


def test_the_issue_exploit_is_refused_and_names_both_keys():
    raw = (
        b'{"Image":"busybox","Cmd":["cat","/host/etc/hostname"],'
        b'"HostConfig":{"Binds":[],"binds":["/:/host:ro"]}}'
    )
    with pytest.raises(Malformed) as err:
        create(raw)
    assert err.value.message.startswith("HostConfig.binds: duplicates HostConfig.Binds"), err.value.message


def test_respelled_keys_are_forwarded_canonical():
    body = create('{"image":"busybox","hostconfig":{"bindſ":["data:/d"],"memory":1048576}}'.encode())
    out = json.dumps(body)
    assert body["HostConfig"]["Binds"] == ["data:/d"] and body["HostConfig"]["Memory"] == 2**20
    assert '"binds"' not in out and "hostconfig" not in out and "ſ" not in out
    assert fold("\u212aernelMemory") == fold("KernelMemory") == "kernelmemory"
    with pytest.raises(Denied, match="privileged"):  # dotless/dotted I: folded by engines built with Go 1.21+
        create('{"HostConfig":{"Pr\u0131v\u0130leged":true}}'.encode())


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (b'{"HostConfig":{"Bogus":1}}', "HostConfig.Bogus", "unknown field"),
        (b'{"Imagex":"busybox"}', "Imagex", "unknown field"),
        (b'{"HostConfig":{"Privileged":"true"}}', "HostConfig.Privileged", "expected a boolean, got string"),
        (b'{"HostConfig":{"Memory":1.5}}', "HostConfig.Memory", "expected an integer"),
        (b'{"HostConfig":{"Memory":1e9}}', "HostConfig.Memory", "expected an integer"),
        (b'{"HostConfig":{"Memory":99999999999999999999}}', "HostConfig.Memory", "out of range"),
        (b'{"HostConfig":{"Binds":"/:/h"}}', "HostConfig.Binds", "expected an array of a string"),
        (b'{"Labels":{"a":"1","a":"2"}}', "Labels.a", "the key is given twice"),
        (b'{"HostConfig":{"Memory":NaN}}', "request body", "NaN is not a JSON number"),
        (b'{"HostConfig":{"Memory":-Infinity}}', "request body", "not valid JSON"),
        (b"[" * 100 + b"]" * 100, "request body", "nested deeper than"),
        (b"[" * 100000, "request body", "nested deeper than"),
        (b'{"Image":"\xff"}', "request body", "not UTF-8"),
        ('{"Image":"busybox"}'.encode("utf-16"), "request body", "not UTF-8"),
        (b'\xef\xbb\xbf{"Image":"busybox"}', "request body", "not valid JSON"),
        (b'["Image"]', "request body", "expected a JSON object"),
        (b'{"Image":"busybox"} {"HostConfig":{"Privileged":true}}', "request body", "not valid JSON"),
    ],
)
def test_malformed_bodies_name_the_field(raw, field, problem):
    with pytest.raises(Malformed) as err:
        create(raw)
    assert err.value.status == 400
    assert err.value.message.startswith(f"{field}: ") and problem in err.value.message, err.value.message


def test_clients_null_and_empty_values_are_accepted():
    """docker-py sends null for everything unset, the CLI empty maps and zero numbers."""
    body = create(
        json.dumps(
            {
                "Hostname": None,
                "Image": "busybox",
                "Cmd": "true",
                "Runtime": None,
                "ExposedPorts": {"80/tcp": {}},
                "Volumes": None,
                "HostConfig": {
                    "Privileged": False,
                    "CpuQuota": 0,
                    "CpusetCpus": "",
                    "BlkioWeightDevice": [],
                    "Devices": None,
                    "Isolation": "",
                    "ConsoleSize": [24, 80],
                    "Init": None,
                    "Annotations": None,
                    "MaskedPaths": None,
                    "CPURealtimePeriod": 0,
                },
                "NetworkingConfig": {"EndpointsConfig": {"bridge": {"IPAMConfig": None, "Links": None}}},
            }
        ).encode()
    )
    hc = body["HostConfig"]
    assert body["Cmd"] == ["true"] and "CpuQuota" not in hc and "Isolation" not in hc
    assert hc["ConsoleSize"] == [24, 80] and "Runtime" not in body


def test_clamps_and_the_session_cgroup():
    mib = 2**20
    body = container_create.parse(
        json.dumps(
            {
                "HostConfig": {
                    "CpuShares": 262144,
                    "ShmSize": 8 * 2**30,
                    "Tmpfs": {"/a": "size=1g", "/b": "", "/c": "rw,size=1m,noexec", "/d": "size=2g,size=1k"},
                    "Mounts": [
                        {"Type": "tmpfs", "Target": "/m", "TmpfsOptions": {"SizeBytes": 2**40}},
                        {"Type": "tmpfs", "Target": "/n"},
                        {"Type": "tmpfs", "Target": "/o", "TmpfsOptions": {"SizeBytes": 4096, "Mode": 0o700}},
                    ],
                }
            }
        ).encode()
    )
    check_container_create(body, Budget(), "runc", cgroup_parent="/atlas/s1")
    hc = body["HostConfig"]
    assert hc["CpuShares"] == 1024 and hc["ShmSize"] == 64 * mib and hc["CgroupParent"] == "/atlas/s1"
    assert hc["Tmpfs"] == {
        "/a": f"size={64 * mib}",
        "/b": f"size={64 * mib}",
        "/c": f"rw,noexec,size={mib}",
        "/d": "size=1024",
    }
    sizes = [m["TmpfsOptions"]["SizeBytes"] for m in hc["Mounts"]]
    assert sizes == [64 * mib, 64 * mib, 4096] and hc["Mounts"][2]["TmpfsOptions"]["Mode"] == 0o700
    low = container_create.parse(b'{"HostConfig":{"CpuShares":1,"ShmSize":1048576}}')
    check_container_create(low, Budget(), "runc")
    assert low["HostConfig"]["CpuShares"] == 2 and low["HostConfig"]["ShmSize"] == mib
    assert "CgroupParent" not in low["HostConfig"] and "CpuShares" not in create(b"{}")["HostConfig"]


@pytest.mark.parametrize(
    ("opts", "reason"),
    [
        ("size=50%", "size=50% is not understood"),
        ("nr_blocks=999999", "nr_blocks is not available"),
        ("size=0x100000000", "is not understood"),
    ],
)
def test_tmpfs_sizes_the_kernel_reads_differently_are_refused(opts, reason):
    with pytest.raises(Denied, match=reason):
        create(json.dumps({"HostConfig": {"Tmpfs": {"/t": opts}}}).encode())


def test_connect_container_key_cannot_be_doubled():
    with pytest.raises(Malformed, match="duplicates Container"):
        networks.parse_connect(b'{"Container":"mine","container":"atlas-other.web"}')
    assert networks.parse_connect(b'{"containeR":"web"}') == {"Container": "web"}
    assert networks.parse_connect(b'{"Container":"web","Force":true}', disconnect=True)["Force"] is True


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (["LABEL org.container-atlas.session=other"], "--change LABEL is not available"),
        (["label a=b"], "--change LABEL is not available"),
        (["ENV A=1\nLABEL x=y"], "one instruction per value"),
        (["FROM scratch"], "--change FROM is not available"),
    ],
)
def test_commit_changes(changes, reason):
    with pytest.raises(Denied) as err:
        commit.check_commit({}, changes)
    assert reason in err.value.message
    commit.check_commit({}, ["CMD sh", "env A=1", " USER nobody"])


def test_client_quirks_are_accepted_and_dropped():
    """docker-py 7 puts `{network: null}` beside EndpointsConfig and `Container` in exec bodies; newer
    CLIs send empty 1.44+ endpoint fields. The engine ignores them; so does the rebuilt request."""
    body = create(b'{"Image":"busybox","NetworkingConfig":{"pynet":null,"other":{"Aliases":["a"]}}}')
    assert body["NetworkingConfig"] == {}
    ep = b'{"EndpointsConfig":{"n":{"GwPriority":0,"DNSNames":null,"Aliases":["x"]}}}'
    body = create(b'{"Image":"busybox","NetworkingConfig":' + ep + b"}")
    assert body["NetworkingConfig"]["EndpointsConfig"] == {"n": {"Aliases": ["x"]}}
    assert exec_create(b'{"Container":"abc","Cmd":["id"]}') == {"Cmd": ["id"]}
    with pytest.raises(Malformed, match="duplicates NetworkingConfig.pynet"):
        create(b'{"NetworkingConfig":{"pynet":null,"PYNET":{"DriverOpts":{}}}}')
    with pytest.raises(Denied, match="network driver options"):
        create(b'{"NetworkingConfig":{"pynet":{"DriverOpts":{"a":"b"}}}}')
    with pytest.raises(Denied, match="gateway priorities"):
        create(b'{"NetworkingConfig":{"EndpointsConfig":{"n":{"GwPriority":100}}}}')


def test_health_checks_run_at_most_once_a_second():
    body = create(b'{"Healthcheck":{"Test":["CMD","true"],"Interval":1000000,"Timeout":5}}')
    assert body["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 10**9, "Timeout": 5}
    assert create(b'{"Healthcheck":{"Interval":30000000000}}')["Healthcheck"]["Interval"] == 3 * 10**10


def test_null_elements_are_zero_values_as_in_go():
    body = create(b'{"Labels":{"a":null},"Env":[null],"HostConfig":{"Mounts":[null],"Dns":[null]}}')
    assert body["Labels"] == {"a": ""} and body["Env"] == [""] and body["HostConfig"]["Dns"] == [""]
    with pytest.raises(Denied, match="--cap-add  is not allowed"):
        create(b'{"HostConfig":{"CapAdd":[null]}}')
    with pytest.raises(Malformed, match=r"HostConfig.Binds\[0\]: invalid volume specification"):
        create(b'{"HostConfig":{"Binds":[null]}}')


ODD_VALUES = [None, "", "x", 0, -1, 2**70, 1.5, True, [], [None], ["/:/h"], {}, {"a": None}, {"Type": "bind"}]


def _field_paths(struct, prefix=()):
    for name, spec in struct.fields.items():
        yield (*prefix, name)
        if hasattr(spec.kind, "fields"):
            yield from _field_paths(spec.kind, (*prefix, name))


MODELS = {
    "containers/create": ("engine_types", "CONTAINER_CREATE"),
    "networks/create": ("networks", "NETWORK_CREATE"),
    "networks/connect": ("networks", "NETWORK_CONNECT"),
    "volumes/create": ("volumes", "VOLUME_CREATE"),
    "exec": ("exec", "EXEC_CREATE"),
    "commit": ("engine_types", "CONFIG"),
}


@pytest.mark.parametrize("endpoint", MODELS)
def test_any_value_in_any_field_is_a_clear_answer(endpoint):
    """Every declared field of the body, with values of every JSON type: the policy either accepts it
    or refuses it with a 400 naming the field or a 403 with a reason — never a crash."""
    import importlib

    module, name = MODELS[endpoint]
    model = getattr(importlib.import_module(f"sandbox.gateway.policy.{module}"), name)
    decode = FIELDS[endpoint][0]
    outcomes = {"ok": 0, "400": 0, "403": 0}
    for path in _field_paths(model):
        for value in ODD_VALUES:
            body: dict = {}
            node = body
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
            try:
                decode(json.dumps(body).encode())
                outcomes["ok"] += 1
            except Malformed as exc:
                assert exc.message.startswith(path[0]) or "request body" in exc.message, exc.message
                outcomes["400"] += 1
            except Denied as exc:
                assert exc.message.startswith("denied by the Container Atlas sandbox policy: "), exc.message
                outcomes["403"] += 1
    assert outcomes["ok"] and outcomes["400"], outcomes


def test_zero_structs_of_refused_fields_are_accepted_as_not_set():
    """Go clients send zero structs; `{"Name": "", "Options": {}}` is no driver config at all."""
    mount = {"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Name": "", "Options": {}}}}
    body = create(json.dumps({"HostConfig": {"Mounts": [mount]}}).encode())
    assert body["HostConfig"]["Mounts"][0]["VolumeOptions"] == {}
    mount["VolumeOptions"]["DriverConfig"]["Options"] = {"device": "/"}
    with pytest.raises(Denied, match="volume driver options"):
        create(json.dumps({"HostConfig": {"Mounts": [mount]}}).encode())


@pytest.mark.parametrize("how", SPELLINGS[:5])
def test_runsc_in_every_spelling_is_forwarded_as_the_one_runtime_field(how):
    """gVisor may be chosen (a stronger sandbox); however the key is spelled, the engine receives exactly
    HostConfig.Runtime = runsc, with the session's budget forced as for runc."""
    key = spelled("Runtime", how)
    body = create(dumps(obj(("Image", "busybox"), ("HostConfig", obj((key, "runsc"))))).encode())
    hc = body["HostConfig"]
    assert hc["Runtime"] == "runsc" and [k for k in hc if fold(k) == "runtime"] == ["Runtime"]
    assert hc["Memory"] == Budget().memory and hc["PidsLimit"] == Budget().pids
