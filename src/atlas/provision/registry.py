"""The local registry mirror: Debian's `docker-registry` on 127.0.0.1:5000, data under the state dir.

Its configuration is `<state>/registry/config.yml`, its storage `<state>/registry/data`, its log
(including one access-log line per request) `<state>/logs/registry.log`, its pid
`<state>/registry.pid`. A registry that already answers on 127.0.0.1:5000 is used as it is.
"""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request
from pathlib import Path

from atlas.errors import MissingPrerequisite, SetupError
from atlas.provision.procs import start_daemon, stop_daemon, wait_ready
from atlas.provision.state import logs_dir, pid_alive, read_pid, state_dir, write_atomic
from atlas.provision.steps import Skipped, note

STEP = "registry"
HOST, PORT = "127.0.0.1", 5000
ADDRESS = f"{HOST}:{PORT}"
URL = f"http://{ADDRESS}"
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ]
)

CONFIG = """\
# Written by ./atlas (atlas/provision/registry.py); rewritten on every set-up.
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: {data}
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: {address}
  headers:
    X-Content-Type-Options: [nosniff]
"""


def pid_file() -> Path:
    """The pid file of the registry we started."""
    return state_dir() / "registry.pid"


def log_file() -> Path:
    """The registry's log file (access log lines prove which pulls it served)."""
    return logs_dir() / "registry.log"


def answers(timeout: float = 2.0) -> bool:
    """True when a Docker registry (API v2) answers on 127.0.0.1:5000."""
    try:
        with urllib.request.urlopen(f"{URL}/v2/", timeout=timeout) as resp:
            return resp.headers.get("Docker-Distribution-Api-Version", "").startswith("registry/2")
    except urllib.error.HTTPError as exc:
        return exc.headers.get("Docker-Distribution-Api-Version", "").startswith("registry/2")
    except (OSError, ValueError):
        return False


def _port_taken() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


def manifest_config_digest(repo: str, tag: str) -> str | None:
    """The config digest (= local image id) of repo:tag in the registry, or None when absent."""
    req = urllib.request.Request(f"{URL}/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            manifest = json.loads(resp.read())
    except (OSError, ValueError):
        return None
    return (manifest.get("config") or {}).get("digest")


def ensure() -> str:
    """Make sure a registry answers on 127.0.0.1:5000, starting Debian's docker-registry if needed."""
    if answers():
        ours = read_pid(pid_file(), "docker-registry")
        return Skipped("already running" + (f" (pid {ours})" if ours else " (not started by atlas)"))
    ours = read_pid(pid_file(), "docker-registry")
    if ours:
        note(f"our registry (pid {ours}) is not answering; waiting for it")
        if not wait_ready(answers, lambda: pid_alive(ours), 10):
            return f"our registry (pid {ours}) answered"
        stop_daemon(pid_file())
    if _port_taken():
        raise SetupError(
            STEP,
            f"GET {URL}/v2/",
            f"something listens on {ADDRESS} but does not answer as a Docker registry",
            hint=f"Stop what uses port {PORT} (ss -ltnp 'sport = :{PORT}'), then run again.",
        )
    binary = shutil.which("docker-registry") or shutil.which("registry")
    if not binary:
        raise MissingPrerequisite("the registry is not installed: apt-get install docker-registry")
    folder = state_dir() / "registry"
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yml"
    write_atomic(config, CONFIG.format(data=data, address=ADDRESS))
    pid = start_daemon(
        [binary, "serve", str(config)],
        step=STEP,
        log=log_file(),
        pid_file=pid_file(),
        ready=answers,
        timeout=30,
    )
    return f"started {binary} (pid {pid}) on {ADDRESS}, data in {data}"


def stop() -> str:
    """Stop the registry we started (none otherwise)."""
    pid = read_pid(pid_file(), "docker-registry")
    if not pid:
        return "no registry started by atlas"
    stop_daemon(pid_file(), grace=10)
    return f"stopped registry (pid {pid})"
