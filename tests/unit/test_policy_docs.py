"""docs/sandbox-policy.md and .zh.md are checked against the policy package and sandbox.limits.

Each page has two tables the tests read, after a marker comment:
- `<!-- policy-rules -->`: one row per rule of `policy.RULES`, its id in backticks in the first cell;
- `<!-- policy-limits -->`: one row per limit of `sandbox.limits.Limits`, `limits.<key>` in the first
  cell and its value (as `limit_text` writes it) in the second.
A new rule, a removed rule or a changed limit without the pages following fails here. And the one-home
rule: no module outside `sandbox/gateway/policy/` constructs a `Denied`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from sandbox.gateway import policy
from sandbox.gateway.errors import GatewayError
from sandbox.gateway.policy import container_create
from sandbox.gateway.policy.buildcontext import Bounds
from sandbox.limits import Limits, parse_size

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "docs" / "sandbox-policy.md", ROOT / "docs" / "sandbox-policy.zh.md"]
SIZES = {f.name for f in dataclasses.fields(Limits) if f.type == "Size"} | {"log_max_size"}
NOT_NUMBERS = {"tmpfs"}  # the learner container's folders: listed by path, see test_learner_folders


def limit_text(key: str, value: object) -> str:
    """How the pages write a limit: sizes in GiB/MiB/KiB when whole, CPUs as a plain number."""
    if key in SIZES:
        n = parse_size(value)
        for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
            if n % size == 0:
                return f"{n // size} {unit}"
        return f"{n} bytes"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def table_after(text: str, marker: str, page: Path) -> list[list[str]]:
    """The rows (cells, stripped) of the first Markdown table after `<!-- marker -->`, header excluded."""
    start = text.find(f"<!-- {marker} -->")
    assert start >= 0, f"{page.name}: no <!-- {marker} --> marker before the table"
    rows: list[list[str]] = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    assert len(rows) > 2, f"{page.name}: no table after <!-- {marker} -->"
    return [r for r in rows[2:]]  # without the header and the |---| line


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_rule_is_in_the_rules_table(page: Path) -> None:
    rows = table_after(page.read_text(encoding="utf-8"), "policy-rules", page)
    listed = [re.fullmatch(r"`([\w.-]+)`", r[0]).group(1) for r in rows if re.fullmatch(r"`([\w.-]+)`", r[0])]
    assert len(listed) == len(rows), f"{page.name}: a rules row without a `rule.id` first cell"
    missing = sorted(set(policy.RULES) - set(listed))
    stale = sorted(set(listed) - set(policy.RULES))
    assert not missing, f"{page.name}: rules not documented: {missing}"
    assert not stale, f"{page.name}: documented rules the policy no longer has: {stale}"
    assert len(listed) == len(set(listed)), f"{page.name}: a rule listed twice"
    assert all(len(r) >= 2 and r[1] for r in rows), f"{page.name}: a rule without its explanation"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_limit_is_in_the_limits_table_with_its_value(page: Path) -> None:
    rows = table_after(page.read_text(encoding="utf-8"), "policy-limits", page)
    shown = {}
    for r in rows:
        m = re.fullmatch(r"`limits\.(\w+)`", r[0])
        assert m, f"{page.name}: limits row {r[0]!r} is not `limits.<key>`"
        shown[m.group(1)] = r[1]
    limits = Limits()
    for f in dataclasses.fields(Limits):
        if f.name in NOT_NUMBERS:
            continue
        want = limit_text(f.name, getattr(limits, f.name))
        assert f.name in shown, f"{page.name}: limits.{f.name} ({want}) is not in the limits table"
        assert shown[f.name] == want, f"{page.name}: limits.{f.name} is {want}, the page says {shown[f.name]}"
    stale = sorted(set(shown) - {f.name for f in dataclasses.fields(Limits)})
    assert not stale, f"{page.name}: limits the configuration does not have: {stale}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_learner_folders_and_context_bounds_are_stated(page: Path) -> None:
    """The learner container's writable folders and the build context's fixed bounds appear as they are."""
    text = page.read_text(encoding="utf-8")
    for path in Limits().tmpfs:
        assert f"`{path}`" in text, f"{page.name}: the writable folder {path} is not named"
    b = Bounds.for_upload(Limits().build_context)
    for value in (f"{b.unpacked // 2**20} MiB", f"{b.entries:,}", f"{b.depth}", f"{b.name:,}"):
        assert value in text, f"{page.name}: the build context bound {value} is not stated"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_allowed_capabilities_and_log_drivers_are_listed(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for cap in policy.CAP_ALLOWLIST:
        assert cap in text, f"{page.name}: the allowed capability {cap} is not listed"
    for driver in policy.LOG_DRIVERS - {""}:
        assert f"`{driver}`" in text, f"{page.name}: the log driver {driver} is not listed"


def test_no_refusal_outside_the_policy_package() -> None:
    """Every `Denied(...)` is raised by a rule of sandbox/gateway/policy/ (one home for the policy)."""
    found = []
    for path in sorted((ROOT / "sandbox").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("sandbox/gateway/policy/"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bDenied\(", line) and not line.startswith("class Denied("):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "refusals outside sandbox/gateway/policy/:\n" + "\n".join(found)


# The `docker run` flags the pages' "What is denied" tables name, each with the create body the docker
# CLI sends for it: the flag must be refused by the policy, and named in both pages.
REFUSED_FLAGS = {
    "--privileged": {"Privileged": True},
    "--pid host": {"PidMode": "host"},
    "--ipc host": {"IpcMode": "host"},
    "--uts host": {"UTSMode": "host"},
    "--network host": {"NetworkMode": "host"},
    "--userns host": {"UsernsMode": "host"},
    "--cgroupns host": {"CgroupnsMode": "host"},
    "--cgroup-parent": {"CgroupParent": "/x"},
    "--device": {"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda"}]},
    "--gpus": {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]},
    "--sysctl": {"Sysctls": {"kernel.msgmax": "1"}},
    "--ulimit": {"Ulimits": [{"Name": "nofile", "Soft": 1, "Hard": 1}]},
    "--oom-kill-disable": {"OomKillDisable": True},
    "--runtime": {"Runtime": "io.containerd.runc.v2"},
    "--log-driver": {"LogConfig": {"Type": "syslog"}},
    "-P": {"PublishAllPorts": True},
    "--cpu-quota": {"CpuQuota": 50000},
    "--cpu-period": {"CpuPeriod": 50000},
    "--cpuset-cpus": {"CpusetCpus": "0"},
    "--cpuset-mems": {"CpusetMems": "0"},
    "--blkio-weight": {"BlkioWeight": 100},
    "--device-read-bps": {"BlkioDeviceReadBps": [{"Path": "/dev/sda", "Rate": 1}]},
    "--kernel-memory": {"KernelMemory": 2**20},
    "--cap-add": {"CapAdd": ["SYS_ADMIN"]},
    "--security-opt": {"SecurityOpt": ["seccomp=unconfined"]},
    "--mount type=bind": {"Mounts": [{"Type": "bind", "Source": "/", "Target": "/host"}]},
    "-v /:/host": {"Binds": ["/:/host"]},
    "--tmpfs": {"Tmpfs": {"/t": "size=50%"}},
}


def test_each_refused_flag_is_refused() -> None:
    """The flags the pages call denied are denied by the policy (a stale line in the table fails)."""
    for flag, hc in REFUSED_FLAGS.items():
        body = json.dumps({"Image": "busybox", "HostConfig": hc}).encode()
        with pytest.raises(GatewayError):
            container_create.check_container_create(container_create.parse(body), Limits(), "runc")
            pytest.fail(f"{flag} ({hc}) was not refused")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_refused_flag_is_in_the_denied_table(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| `") or line.startswith("| "))
    for flag in REFUSED_FLAGS:
        assert f"`{flag}" in table, f"{page.name}: the refused flag {flag} is not in a table"
