"""Two learners do the same tutorial step at once, each in a real sandbox container through the real
Docker API gateway (no browser; both name their container `web`, as the page says).

Every step of every tutorial, with its check, a skipped step's hint and the first step's ✗ before
anything, runs in Chromium against the real service: test_tutorials.py.
"""

from __future__ import annotations

import re
import uuid

import pytest
from realparts import need
from tutorial_pages import Tutorial, load_tutorials

from sandbox.config import gateway_settings, load_config
from sandbox.containers import apply_gateway, create_kwargs

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

DOCKER_IMAGE = "container-atlas/docker:latest"


class Sandbox:
    """A learner container exactly as the service starts it (sandbox.containers.create_kwargs: non-root,
    read-only root, tmpfs home, no network, the configured limits), running `sleep infinity`."""

    def __init__(self, client, profile: str, sid: str, opened: dict | None = None, **extra) -> None:
        cfg = load_config(None)
        kw = create_kwargs(cfg.profiles[profile], cfg.limits, "tutorials", sid)
        if opened:
            apply_gateway(kw, opened)
        kw["labels"]["org.container-atlas.test"] = "tutorials"
        image = kw.pop("image")
        kw.pop("command")
        self.client = client
        self.container = client.containers.run(image, ["sleep", "infinity"], **kw, **extra)

    def sh(self, script: str) -> tuple[int, str]:
        """Run `script` with sh as the learner, as sandbox/checks.py runs a check; exit code and stdout."""
        r = self.container.exec_run(
            ["timeout", "-s", "KILL", "30", "sh", "-c", script], user="1000:1000", demux=True
        )
        out = (r.output[0] or b"").decode(errors="replace")
        return r.exit_code, out

    def type_step(self, code: str) -> tuple[int, str]:
        """Run a step's ▶ blocks in bash with `set -e`, as the learner; (exit code, transcript)."""
        r = self.container.exec_run(["bash", "-c", f"set -e\n{code}"], user="1000:1000")
        return r.exit_code, r.output.decode(errors="replace")

    def remove(self) -> None:
        """Remove the container (always)."""
        self.container.remove(force=True)


def _check(sb: Sandbox, tut: Tutorial, step: str) -> tuple[bool, str]:
    check = tut.meta["checks"][step]
    _, out = sb.sh(check["run"])
    return bool(re.search(check["expect"], out, re.M)), out


@pytest.fixture
def gateway(docker_client, tmp_path):
    """A GatewayManager of our own (its own state folder and instance id), shut down after the test."""
    from sandbox.gateway.manager import GatewayManager

    settings, limits = gateway_settings(
        {"state_dir": str(tmp_path / "gw")}, instance=f"tut-{uuid.uuid4().hex[:8]}"
    )
    mgr = GatewayManager(docker_client, settings, limits)
    yield mgr
    mgr.shutdown()


def test_two_learners_run_the_same_tutorial_at_once(docker_client, local_registry, gateway) -> None:
    """Two sessions both `docker run --name web ...` (first-container): names are per learner, both get ✓."""
    need(
        f"image {DOCKER_IMAGE}",
        bool(docker_client.images.list(name=DOCKER_IMAGE.split(":")[0])),
        "./atlas up",
    )
    tut = load_tutorials()["first-container"]
    code = "\n".join(b.code for b in tut.blocks_of("run-httpd"))
    sandboxes, sids = [], []
    try:
        for _ in range(2):
            sid = f"tut{uuid.uuid4().hex[:10]}"
            spec = gateway.open(sid)
            sids.append(sid)
            entry = ["/usr/local/bin/atlas-docker-entry"]
            sandboxes.append(Sandbox(docker_client, "docker", sid, spec, entrypoint=entry))
        for sb in sandboxes:
            rc, transcript = sb.type_step(code)
            ok, out = _check(sb, tut, "run-httpd")
            assert rc == 0 and ok, f"second learner's `docker run --name web` failed:\n{transcript[-1500:]}"
    finally:
        for sb in sandboxes:
            sb.remove()
        for sid in sids:
            gateway.close(sid)
