"""`./atlas setup`, `up`, `down`, `status`: the set-up steps in order, then the server.

Steps (each named, idempotent, skipped when already done):
packages -> daemon.json -> engine -> registry -> images -> frontend -> eslint -> wheels -> site.
Only one set-up runs at a time (a lock file in the state directory).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError
from atlas.localports import check_port
from atlas.provision import daemonjson, engine, frontend, images, jstools, packages, registry
from atlas.provision.procs import stop_daemon
from atlas.provision.state import read_pid, state_dir, write_atomic
from atlas.provision.steps import Skipped, output_to, run_step, step_log

SITE_DIR = ROOT / "site"
KB_DIR = ROOT / "kb"
#: What the site build reads: content, browser files, MkDocs config, and the code that turns them into
#: pages (the KB engine, the tutorial model, the generator, the graph library shipped as a wheel).
#: The CLI, provisioning and the sandbox are not inputs: editing them never rebuilds the site.
SITE_INPUTS = (
    "kb",
    "docs",
    "site-src",
    "mkdocs.yml",
    "src/atlas/__init__.py",
    "src/atlas/errors.py",
    "src/atlas/kb",
    "src/atlas/content",
    "src/atlas/sitegen",
    "src/atlasgraph",
)


@contextmanager
def _setup_lock() -> Iterator[None]:
    """Hold `<state>/setup.lock` so two set-ups never build the same things at once."""
    with open(state_dir() / "setup.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("atlas: another set-up is running; waiting for it to finish ...", flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _inputs_hash(root: Path = ROOT) -> str:
    """A cheap fingerprint (path, size, mtime) of everything the site build reads."""
    h = hashlib.sha256()
    for name in SITE_INPUTS:
        base = root / name
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for p in paths:
            if "__pycache__" in p.parts:
                continue
            st = p.stat()
            h.update(f"{p.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build_site_step(kb_dir: Path = KB_DIR, out_dir: Path = SITE_DIR) -> str:
    """Build the site unless its inputs are unchanged since the last successful build."""
    stamp = state_dir() / "site-build.stamp"
    site_url = os.environ.get("ATLAS_SITE_URL") or None
    repo_url = os.environ.get("ATLAS_REPO_URL") or None
    edit_uri = os.environ.get("ATLAS_EDIT_URI") or None
    want = f"{_inputs_hash()} {out_dir.resolve()} {site_url} {repo_url} {edit_uri}"
    if (out_dir / "index.html").is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return Skipped("inputs unchanged since the last build")
    try:
        from atlas.sitegen.publish import build_site
    except ImportError as exc:  # a broken generator is a failed step, never a skipped one
        raise AtlasError(f"cannot load the site generator (atlas.sitegen.publish): {exc}") from exc
    with output_to(step_log("site")):
        build_site(kb_dir, out_dir, strict=True, site_url=site_url, repo_url=repo_url, edit_uri=edit_uri)
    write_atomic(stamp, want + "\n")
    return f"built {out_dir}"


def _wheels_step() -> str:
    """The networkx + atlasgraph wheels for the in-browser Python (atlas/provision/wheels.py)."""
    try:
        from atlas.provision import wheels
    except ImportError as exc:  # a failed step, never a skipped one
        raise AtlasError(f"cannot load the wheels step (atlas.provision.wheels): {exc}") from exc
    return wheels.install()


def _config_step() -> str:
    """The sandbox configuration, checked first: a typo is reported located before anything runs."""
    from sandbox.config import require_valid_config

    return require_valid_config()


def setup(skip_install: bool = False) -> None:
    """Run every set-up step; raise SetupError/MissingPrerequisite naming the step that failed."""
    if not packages.can_install():
        skip_install = True
    started = time.monotonic()
    print(f"atlas: set-up (state in {state_dir()})", flush=True)
    with _setup_lock():
        run_step("config", "sandbox configuration (sandbox/config.yaml)", _config_step)
        run_step("packages", "system packages", lambda: packages.ensure(skip_install))
        changed: dict[str, bool] = {}

        def _daemon_json() -> str:
            result, changed["daemon.json"] = daemonjson.ensure()
            return result

        run_step("daemon.json", f"engine configuration ({daemonjson.DAEMON_JSON})", _daemon_json)
        run_step("engine", "Docker engine", lambda: engine.ensure(changed.get("daemon.json", False)))
        run_step("registry", f"local registry mirror on {registry.ADDRESS}", registry.ensure)
        run_step("images", "images (offline, from Debian packages)", images.ensure)
        run_step("frontend", "front-end packages (npm)", frontend.install)
        run_step(jstools.STEP, jstools.TITLE, jstools.install)
        run_step("wheels", "Python wheels for Pyodide", _wheels_step)
        run_step("site", "site build", build_site_step)
    print(f"atlas: set-up done in {time.monotonic() - started:.1f}s", flush=True)


def up(host: str = "127.0.0.1", port: int = 8000, skip_install: bool = False) -> int:
    """Set everything up, then serve site + sandbox on host:port until interrupted.

    The one banner with the URL is printed by `sandbox.serve.serve` once it listens. The port is checked
    here first, so a taken port is reported before any set-up; `serve` checks it again before binding.
    """
    check_port(host, port)
    setup(skip_install=skip_install)
    try:
        from sandbox.serve import serve
    except ImportError as exc:
        raise AtlasError(f"cannot serve: sandbox.serve is not available ({exc})") from exc

    pid_path = state_dir() / "server.pid"
    pid_path.write_text(f"{os.getpid()}\n")
    try:
        return serve(host=host, port=port, site_dir=SITE_DIR, config_path=None)
    finally:
        if read_pid(pid_path) == os.getpid():
            pid_path.unlink(missing_ok=True)


def down() -> int:
    """Stop what `up` started: the server, the registry, and the dockerd we started."""
    server = state_dir() / "server.pid"
    pid = read_pid(server)
    print(f"[server] {'stopped pid ' + str(pid) if stop_daemon(server) else 'not running'}")
    if engine.answers():  # a stopped server keeps its sessions for a restart; down removes them
        from sandbox.teardown import remove_all

        print(f"[sessions] removed {remove_all()}")
    print(f"[registry] {registry.stop()}")
    print(f"[engine] {engine.stop()}")
    return 0


def status() -> int:
    """Print what is set up and running; exit 0."""
    missing = packages.missing()
    print(f"state directory: {state_dir()}")
    names = " ".join(r.package for r in missing)
    print(f"[packages] {'missing: ' + names if missing else 'all installed'}")
    ours = read_pid(engine.pid_file(), "dockerd")
    if engine.answers():
        print("[engine] answers" + (f" (dockerd pid {ours}, started by atlas)" if ours else ""))
    else:
        print("[engine] not answering")
    print(f"[registry] {'answers on ' + registry.ADDRESS if registry.answers() else 'not answering'}")
    if engine.answers():
        from atlas.provision import baseimages, dockerimg

        refs = [baseimages.BUSYBOX, baseimages.DEBIAN] + [t for s in images.discover() for t in s.tags]
        for ref in refs:
            iid = dockerimg.image_id(ref)
            print(f"[images] {ref}: {iid[7:19] if iid else 'missing'}")
    print(f"[frontend] {'current' if frontend.is_current() else 'missing or outdated'}")
    print(f"[eslint] {'installed' if jstools.eslint_script() else 'missing or outdated'}")
    print(f"[site] {'built' if (SITE_DIR / 'index.html').is_file() else 'not built'} ({SITE_DIR})")
    server = read_pid(state_dir() / "server.pid")
    print(f"[server] {'running (pid ' + str(server) + ')' if server else 'not running'}")
    sys.stdout.flush()
    return 0
