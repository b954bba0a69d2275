"""Shared plumbing for the gateway tests: a real GatewayManager, real hardened sandbox containers with
the real docker CLI inside (image container-atlas/docker), and a leak check after every session.

Other test_gateway_*.py modules import the fixtures from here (`from gateway_harness import ...`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from realparts import need

from sandbox.config import gateway_settings, load_config
from sandbox.containers import apply_gateway, create_kwargs
from sandbox.gateway import GatewayManager
from sandbox.gateway.policy import LABEL_ORIGIN, LABEL_SESSION

SANDBOX_IMAGE = "container-atlas/docker:latest"
pytestmark = [pytest.mark.docker]


def require_images(client, *names: str) -> None:
    """Fail (CI) or skip unless every image exists in the engine."""
    import docker.errors

    for name in names:
        try:
            client.images.get(name)
        except docker.errors.ImageNotFound:
            need(f"image {name}", False, "run ./atlas setup (provisioning builds sandbox/images/*)")


@dataclass
class Sandbox:
    """A docker-profile sandbox: session id, its gateway, the hardened container with the CLI inside."""

    sid: str
    container: object
    manager: GatewayManager

    def sh(self, cmd: str, timeout: int = 180) -> tuple[int, str]:
        """Run `cmd` with sh inside the sandbox as the learner; (exit code, stdout+stderr)."""
        proc = subprocess.run(
            [
                "docker",
                "-H",
                "unix:///var/run/docker.sock",
                "exec",
                "-i",
                self.container.name,
                "sh",
                "-c",
                cmd,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return proc.returncode, proc.stdout + proc.stderr

    def sh_each(self, cmds: list[str], timeout: int = 600) -> list[tuple[int, str]]:
        """Run every command in ONE shell in the sandbox (one `docker exec`, not one per command), each
        on its own: [(exit code, stdout+stderr)] in the order given."""
        mark = "@@ANSWER-" + secrets.token_hex(6)
        end = f"rc=$?; cat /tmp/.answer; printf '\\n{mark} %s\\n' $rc\n"
        script = "".join(f"{{ {c}\n}} > /tmp/.answer 2>&1 </dev/null; {end}" for c in cmds)
        _, out = self.sh(script + "rm -f /tmp/.answer", timeout)
        parts = re.split(rf"\n{re.escape(mark)} (\d+)\n", out)
        answers = [(int(parts[i + 1]), parts[i]) for i in range(0, len(parts) - 1, 2)]
        assert len(answers) == len(cmds), f"expected {len(cmds)} answers, the shell printed:\n{out[-3000:]}"
        return answers

    def tty(self, cmd: str, keys: str, timeout: int = 60) -> str:
        """Run `cmd` under a pseudo-terminal inside the sandbox, typing `keys`; the terminal output."""
        proc = subprocess.run(
            [
                "docker",
                "-H",
                "unix:///var/run/docker.sock",
                "exec",
                "-i",
                self.container.name,
                "script",
                "-qc",
                cmd,
                "/dev/null",
            ],
            input=keys,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return (proc.stdout + proc.stderr).replace("\r", "")


def leftovers(client, sid: str) -> list[str]:
    """Every container, network, volume and image the gateway created for `sid` that still exists."""
    flt = {"label": [f"{LABEL_SESSION}={sid}", f"{LABEL_ORIGIN}=gateway"]}
    api = client.api
    found = [f"container {c['Id'][:12]}" for c in api.containers(all=True, filters=flt)]
    found += [f"network {n['Name']}" for n in api.networks(filters=flt)]
    found += [f"volume {v['Name']}" for v in api.volumes(filters=flt).get("Volumes") or []]
    found += [f"image {i['Id'][:19]}" for i in api.images(all=True, filters=flt)]
    prefix = f"atlas-{sid}."  # names the session gave live in the engine with this prefix
    found += [f"image name {t}" for i in api.images() for t in i.get("RepoTags") or [] if prefix in t]
    return found


def start_sandbox(client, manager: GatewayManager, sid: str) -> Sandbox:
    """Open the session's gateway and start its sandbox exactly as the service does (create_kwargs and
    apply_gateway: the same hardening, limits and gateway mounts), running `sleep infinity`."""
    extra = manager.open(sid)
    kw = create_kwargs(load_config(None).profiles["docker"], manager.budget, manager.instance, sid)
    apply_gateway(kw, extra)
    kw["labels"]["org.container-atlas.test"] = "gateway"
    image = kw.pop("image")
    kw.pop("command")
    container = client.containers.run(image, ["sleep", "infinity"], name=f"atlas-test-sbx-{sid}", **kw)
    return Sandbox(sid, container, manager)


def stop_sandbox(client, box: Sandbox) -> list[str]:
    """Remove the sandbox container and close the session; returns what the gateway left behind."""
    import docker.errors

    try:
        box.container.remove(force=True)
    except docker.errors.NotFound:
        pass
    box.manager.close(box.sid)
    return leftovers(client, box.sid)


@contextmanager
def sandbox_pair(
    client, manager: GatewayManager, setup: Iterable[str] = ()
) -> Iterator[tuple[Sandbox, Sandbox]]:
    """Sandboxes A and B on one gateway, `setup` commands run in A first (each must exit 0); at the
    end both are stopped and nothing of either session may be left (A is removed even if B never
    started)."""
    require_images(client, "busybox")
    a = start_sandbox(client, manager, "a" + secrets.token_hex(5))
    b = None
    try:
        b = start_sandbox(client, manager, "b" + secrets.token_hex(5))
        for cmd in setup:
            code, out = a.sh(cmd)
            assert code == 0, f"{cmd}: {out}"
        yield a, b
    finally:
        assert stop_sandbox(client, a) == []
        assert b is None or stop_sandbox(client, b) == []


@contextmanager
def own_sandbox(client, tmp_path_factory, prefix: str = "d", **gateway) -> Iterator[Sandbox]:
    """A sandbox on a gateway of its own (`gateway`: make_manager's keys); at the end the manager is
    shut down and nothing of the session may be left."""
    manager = make_manager(client, tmp_path_factory, **gateway)
    sandbox = start_sandbox(client, manager, prefix + secrets.token_hex(5))
    try:
        yield sandbox
    finally:
        left = stop_sandbox(client, sandbox)
        manager.shutdown()
        assert left == []


def make_manager(client, tmp_path_factory, budget=None, limits=None, **gateway) -> GatewayManager:
    """A GatewayManager with its own state folder; `gateway` changes keys of config.yaml's `gateway:`
    section, `budget` keys of its `limits:` section, `limits` the gateway's HTTP limits (`gateway.http`).
    Checked like the configuration file (a typo fails)."""
    need(
        "docker CLI on the host", shutil.which("docker") is not None, "tests drive sandboxes with docker exec"
    )
    require_images(client, SANDBOX_IMAGE, "busybox")
    state = tmp_path_factory.mktemp("gateway-state")
    gateway = {"state_dir": str(state), "http": limits or {}, **gateway}
    # One instance per state folder: a test's `cleanup_orphans` (a restarted server) then removes only
    # what its own managers left, never the sessions of tests running at the same time.
    instance = "test-" + hashlib.sha1(str(gateway["state_dir"]).encode()).hexdigest()[:10]
    settings, session_limits = gateway_settings(gateway, budget, instance=instance)
    return GatewayManager(client, settings, session_limits)


@pytest.fixture(scope="module")
def gateway(docker_client, tmp_path_factory):
    """A gateway manager for the module (shut down, with every session closed, at the end)."""
    manager = make_manager(docker_client, tmp_path_factory)
    yield manager
    manager.shutdown()


@pytest.fixture(scope="module")
def box(docker_client, gateway):
    """One docker sandbox for the module; teardown asserts that nothing of the session is left."""
    sandbox = start_sandbox(docker_client, gateway, "t" + secrets.token_hex(5))
    yield sandbox
    assert stop_sandbox(docker_client, sandbox) == []


def session_containers(client, sid: str) -> list[dict]:
    """Containers the gateway created for `sid`."""
    flt = {"label": [f"{LABEL_SESSION}={sid}", f"{LABEL_ORIGIN}=gateway"]}
    return client.api.containers(all=True, filters=flt)
