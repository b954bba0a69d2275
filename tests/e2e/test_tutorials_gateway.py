"""Every sandbox tutorial, step by step, in a real sandbox container through the real Docker API gateway.

No browser: every ▶ block of the page runs, in page order, in the learner's shell inside the sandbox
(as the terminal would type them; the blocks of one step in one shell): on a docker page each must
exit 0 (`set -e`), and no answer may be a denial of the sandbox policy. After a step's last block, the
step's check from the front matter runs there the way the verify endpoint runs it, and its regex must
match. Before any command, the first step's check must fail (a skipped step shows ✗). The browser test
(test_tutorials.py) presses the same ▶ and Check buttons through the page.
"""

from __future__ import annotations

import re
import shlex
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from realparts import need
from tutorial_pages import SLUGS, Tutorial, load_tutorials

from sandbox.config import gateway_settings, load_config
from sandbox.containers import apply_gateway, create_kwargs

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

DOCKER_IMAGE = "container-atlas/docker:latest"
SHELL_IMAGE = "container-atlas/shell:latest"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AtlasTutorialTest"
PREVIEW = re.compile(r'data-atlas-preview="(\d+)"')
DENIED = "denied by the Container Atlas sandbox policy"


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

    def type_step(self, code: str, strict: bool = True) -> tuple[int, str]:
        """Run a step's ▶ blocks in bash (with `set -e` when `strict`), in the folder the previous step
        left the learner in; (exit code, transcript)."""
        head = "set -e\n" if strict else ""
        script = f'{head}cd "$(cat ~/.atlas-cwd 2>/dev/null || echo ~)"\n{code}\npwd > ~/.atlas-cwd\n'
        r = self.container.exec_run(["bash", "-c", script], user="1000:1000")
        return r.exit_code, r.output.decode(errors="replace")

    def remove(self) -> None:
        """Remove the container (always)."""
        self.container.remove(force=True)


def _check(sb: Sandbox, tut: Tutorial, step: str) -> tuple[bool, str]:
    check = tut.meta["checks"][step]
    _, out = sb.sh(check["run"])
    return bool(re.search(check["expect"], out, re.M)), out


def _segments(tut: Tutorial) -> list[tuple[str | None, str]]:
    """The page's ▶ blocks in page order, consecutive blocks of one step joined: (step id or None, code)."""
    out: list[tuple[str | None, str]] = []
    for b in tut.blocks:
        step = b.step.split("/", 1)[1] if b.step else None
        if out and out[-1][0] == step:
            out[-1] = (step, out[-1][1] + "\n" + b.code)
        else:
            out.append((step, b.code))
    return out


def _walk(sb: Sandbox, tut: Tutorial) -> None:
    first = tut.step_ids[0]
    ok, out = _check(sb, tut, first)
    assert not ok, f"{tut.slug}/{first}: check passes before the step was done: {out!r}"
    segments = _segments(tut)
    checked = []
    strict = tut.meta["profile"] == "docker"  # the shell tutorial shows commands that fail on purpose
    for i, (step, code) in enumerate(segments):
        rc, transcript = sb.type_step(code, strict)
        where = f"{tut.slug}/{step}" if step else f"{tut.slug} (block without a step)"
        assert rc == 0 or not strict, f"{where}: a ▶ block failed (exit {rc}):\n{transcript[-3000:]}"
        assert DENIED not in transcript, f"{where}: the policy refused a ▶ block:\n{transcript[-3000:]}"
        if step is None or any(s == step for s, _ in segments[i + 1 :]):
            continue  # the step's check comes after its last block
        section = tut.body.split(f"{{#{step}}}", 1)[1].split("\n## ", 1)[0]
        for port in PREVIEW.findall(section):  # what opening the preview link does: a browser request
            sb.sh(f"curl -s -o /dev/null -A {shlex.quote(BROWSER_UA)} http://localhost:{port}/")
        for _ in range(10):  # a server may take a moment to listen; a learner reads before pressing Check
            ok, out = _check(sb, tut, step)
            if ok:
                break
            time.sleep(0.5)
        assert ok, (
            f"{tut.slug}/{step}: check failed\n--- check output:\n{out}\n"
            f"--- expected /{tut.meta['checks'][step]['expect']}/"
            f"\n--- the step's commands printed:\n{transcript[-3000:]}"
        )
        checked.append(step)
    assert checked == tut.step_ids, f"{tut.slug}: steps checked {checked}, the page has {tut.step_ids}"


def _gateway(docker_client, state_dir):
    """A GatewayManager of our own (its own state folder and instance id)."""
    from sandbox.gateway.manager import GatewayManager

    settings, limits = gateway_settings({"state_dir": str(state_dir)}, instance=f"tut-{uuid.uuid4().hex[:8]}")
    return GatewayManager(docker_client, settings, limits)


@pytest.fixture
def gateway(docker_client, tmp_path):
    """A GatewayManager for one test, shut down after it."""
    mgr = _gateway(docker_client, tmp_path / "gw")
    yield mgr
    mgr.shutdown()


DOCKER_SLUGS = [s for s in SLUGS if s not in {"ecosystem-map", "containers"}]
# Tutorials walked at once, each by its own learner (session) on one gateway: the engine works on
# several while one waits for a server to listen, so the module takes about half the serial time.
WALKERS = 3


def _walk_one(client, gateway, slug: str) -> str | None:
    """Walk tutorial `slug` as a learner of its own; None when every step passes, else why not."""
    tut = load_tutorials()[slug]
    sid = f"tut{uuid.uuid4().hex[:10]}"
    sb = None
    try:
        spec = gateway.open(sid)
        sb = Sandbox(client, "docker", sid, spec, entrypoint=["/usr/local/bin/atlas-docker-entry"])
        _walk(sb, tut)
    except Exception as exc:  # noqa: BLE001 - reported by the slug's own test
        return f"{type(exc).__name__}: {exc}"
    finally:
        if sb:
            sb.remove()
        gateway.close(sid)
    left = client.containers.list(all=True, filters={"label": f"org.container-atlas.session={sid}"})
    return f"containers left behind: {[c.name for c in left]}" if left else None


@pytest.fixture(scope="module")
def walked(request, docker_client, local_registry, tmp_path_factory) -> dict[str, str | None]:
    """Walk every selected docker tutorial (WALKERS at a time); {slug: None or the failure}."""
    if not docker_client.images.list(name=DOCKER_IMAGE.split(":")[0]):
        need(f"image {DOCKER_IMAGE}", False, "built by ./atlas up (sandbox/images/docker)")
    test_name = "test_docker_tutorial_steps_pass_their_checks"
    selected = [
        item.callspec.params["slug"]
        for item in request.session.items
        if item.module is request.module and item.originalname == test_name
    ]
    mgr = _gateway(docker_client, tmp_path_factory.mktemp("gw"))
    try:
        with ThreadPoolExecutor(max_workers=WALKERS) as pool:
            futures = {slug: pool.submit(_walk_one, docker_client, mgr, slug) for slug in selected}
            return {slug: f.result() for slug, f in futures.items()}
    finally:
        mgr.shutdown()


@pytest.mark.parametrize("slug", DOCKER_SLUGS)
def test_docker_tutorial_steps_pass_their_checks(slug, walked) -> None:
    """A learner who runs every ▶ of the tutorial gets ✓ on every step; before, the first step is ✗;
    nothing of the learner's is left once the session closes."""
    assert walked[slug] is None, walked[slug]


def test_shell_tutorial_steps_pass_their_checks(docker_client) -> None:
    """The `containers` tutorial in a shell sandbox: every step ✓ after its ▶, the first ✗ before."""
    need(
        f"image {SHELL_IMAGE}", bool(docker_client.images.list(name=SHELL_IMAGE.split(":")[0])), "./atlas up"
    )
    sid = f"tut{uuid.uuid4().hex[:10]}"
    sb = Sandbox(docker_client, "shell", sid)
    try:
        _walk(sb, load_tutorials()["containers"])
    finally:
        sb.remove()


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
