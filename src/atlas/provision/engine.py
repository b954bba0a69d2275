"""The Docker engine: use the one that answers, else start `dockerd` in the background.

We start dockerd only as root and only for the default local socket (never when DOCKER_HOST points
elsewhere). Its output goes to `<state>/logs/dockerd.log`, its pid to `<state>/dockerd.pid`. Stale
pid files are removed; dockerd itself replaces a stale socket and starts its own containerd.

daemon.json asks for `userns-remap`, which a reload (SIGHUP) does not apply: a dockerd we started that
runs without it is restarted (its containers stop; the images step then rebuilds the images, which live
per remapped root); an engine we did not start is reported and left alone.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from atlas.errors import MissingPrerequisite, SetupError
from atlas.provision import daemonjson
from atlas.provision.daemonjson import MIRROR
from atlas.provision.procs import start_daemon, stop_pid, wait_ready
from atlas.provision.state import logs_dir, pid_alive, read_pid, state_dir
from atlas.provision.steps import Skipped, note, warn

STEP = "engine"
START_TIMEOUT = float(os.environ.get("ATLAS_DOCKERD_TIMEOUT", "90"))


def pid_file() -> Path:
    """The pid file of a dockerd we started."""
    return state_dir() / "dockerd.pid"


def log_file() -> Path:
    """The log file of a dockerd we started."""
    return logs_dir() / "dockerd.log"


def client(timeout: int = 30):
    """A Docker SDK client for DOCKER_HOST or the default socket (not checked)."""
    import docker

    return docker.from_env(timeout=timeout)


def answers(timeout: int = 5) -> bool:
    """True when a Docker engine answers a ping."""
    try:
        c = client(timeout)
        try:
            return bool(c.ping())
        finally:
            c.close()
    except Exception:  # noqa: BLE001 - any failure means "does not answer"
        return False


def _ping_error() -> str:
    try:
        client(5).ping()
    except Exception as exc:  # noqa: BLE001
        return str(exc)
    return ""


def remapped() -> bool | None:
    """True when the engine runs with user-namespace remapping, False when not, None when unknown."""
    try:
        c = client(10)
        try:
            return any("name=userns" in o for o in c.info().get("SecurityOptions") or [])
        finally:
            c.close()
    except Exception:  # noqa: BLE001 - an engine that cannot tell us is "unknown"
        return None


def _userns_missing() -> bool:
    """daemon.json asks for userns-remap but the running engine does not use it."""
    want = daemonjson.read(daemonjson.DAEMON_JSON).get("userns-remap")
    return bool(want) and remapped() is False


def ensure(config_changed: bool = False) -> str:
    """Make sure an engine answers; start dockerd when we may. Return the step result."""
    if answers():
        ours = read_pid(pid_file(), "dockerd")
        result = Skipped("already running" + (f", started by atlas (pid {ours})" if ours else ""))
        if _userns_missing() and not os.environ.get("DOCKER_HOST"):
            if not ours:
                warn(
                    f"{daemonjson.DAEMON_JSON} asks for userns-remap but this engine (not started by atlas) "
                    "runs without it; restart it yourself (systemctl restart docker) so a container's root "
                    "is not root on the host"
                )
                check_mirror()
                return result
            note(f"restarting our dockerd (pid {ours}) for userns-remap (a reload does not apply it)")
            stop_pid(ours, grace=30)
            pid_file().unlink(missing_ok=True)
            return _start("restarted dockerd with userns-remap")
        if config_changed:
            if ours:
                os.kill(ours, signal.SIGHUP)
                time.sleep(1.0)
                result = f"reloaded our dockerd (pid {ours}) for the new daemon.json"
            else:
                warn(
                    "daemon.json changed but this engine was not started by atlas; reload it yourself "
                    "(systemctl reload docker, or kill -HUP $(pidof dockerd)) so pulls use the mirror"
                )
        check_mirror()
        return result
    if os.environ.get("DOCKER_HOST"):
        raise SetupError(
            STEP,
            f"connect to DOCKER_HOST={os.environ['DOCKER_HOST']}",
            _ping_error(),
            hint="Start that engine, or unset DOCKER_HOST to use (or let atlas start) the local one.",
        )
    if os.geteuid() != 0:
        raise MissingPrerequisite(
            "no Docker engine answers at unix:///var/run/docker.sock and only root may start one.\n"
            "  Start your engine (Docker Desktop, `sudo systemctl start docker`), add yourself to the "
            "`docker` group, or run ./atlas as root so it starts dockerd itself."
        )
    return _start("started dockerd")


def _start(what: str) -> str:
    """Start dockerd (waiting for, or replacing, an unresponsive one of ours); return the result."""
    dockerd = shutil.which("dockerd", path=os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin")
    if not dockerd:
        raise MissingPrerequisite("dockerd is not installed: apt-get install docker.io")
    ours = read_pid(pid_file(), "dockerd")
    if ours:
        note(f"our dockerd (pid {ours}) is running but not answering; waiting for it")
        if not wait_ready(answers, lambda: pid_alive(ours), 30):
            check_mirror()
            return f"our dockerd (pid {ours}) answered"
        note(f"stopping unresponsive dockerd (pid {ours})")
        stop_pid(ours, grace=20)
        pid_file().unlink(missing_ok=True)
    other = read_pid(Path("/var/run/docker.pid"), "dockerd")
    # A killed dockerd leaves containerd's pid file; if that pid now belongs to another program,
    # dockerd would wait for a containerd that is not there.
    read_pid(Path("/var/run/docker/containerd/containerd.pid"), "containerd")
    if other:
        raise SetupError(
            STEP,
            "ping the Docker engine",
            _ping_error(),
            hint=f"a dockerd (pid {other}, /var/run/docker.pid) runs but does not answer; stop or fix it.",
        )
    pid = start_daemon(
        [dockerd],
        step=STEP,
        log=log_file(),
        pid_file=pid_file(),
        ready=answers,
        timeout=START_TIMEOUT,
        hint="dockerd needs root, overlay2 or vfs storage and iptables; see its log.",
    )
    check_mirror()
    return f"{what} (pid {pid}, log {log_file()})"


def check_mirror() -> None:
    """Warn when the engine does not use our registry mirror (then `docker pull` reaches no registry)."""
    try:
        c = client(10)
        try:
            mirrors = c.info().get("RegistryConfig", {}).get("Mirrors") or []
        finally:
            c.close()
    except Exception:  # noqa: BLE001
        return
    if not any(m.rstrip("/") == MIRROR for m in mirrors):
        warn(f"the engine's registry mirrors are {mirrors}, not {MIRROR}: `docker pull` will not be offline")


def stop() -> str:
    """Stop the dockerd we started (none otherwise); return what happened."""
    pid = read_pid(pid_file(), "dockerd")
    if not pid:
        return "no dockerd started by atlas"
    stop_pid(pid, grace=30)
    pid_file().unlink(missing_ok=True)
    return f"stopped dockerd (pid {pid})"
