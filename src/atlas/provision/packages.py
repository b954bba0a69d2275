"""System packages: find what is missing and, as root with apt, install it (else say how to get it)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import MissingPrerequisite
from atlas.provision.steps import Skipped, note, run

STEP = "packages"


def _is_static(path: str) -> bool:
    """True when `path` is an ELF binary without a program interpreter (statically linked)."""
    try:
        head = Path(path).read_bytes()[:8192]
    except OSError:
        return False
    return head.startswith(b"\x7fELF") and b"ld-linux" not in head and b"ld-musl" not in head


@dataclass(frozen=True)
class Requirement:
    """A Debian package and how to tell it is present without dpkg (a command or a file)."""

    package: str
    why: str
    commands: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    static: str = ""

    def present(self) -> bool:
        """True when every command is on PATH (or in sbin) and every file exists."""
        path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        if not all(shutil.which(c, path=path) for c in self.commands):
            return False
        if not all(Path(f).exists() for f in self.files):
            return False
        return not self.static or _is_static(self.static)


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("docker.io", "the Docker engine and CLI", commands=("dockerd", "docker")),
    Requirement("docker-registry", "the local registry mirror", files=("/usr/bin/docker-registry",)),
    Requirement("busybox-static", "the offline busybox image", static="/bin/busybox"),
    Requirement("debootstrap", "the offline debian:bookworm image", commands=("debootstrap",)),
    Requirement("chromium", "end-to-end tests and screenshots", files=("/usr/bin/chromium",)),
    Requirement("runsc", "gVisor sandboxes (optional runtime)", commands=("runsc",)),
    Requirement(
        "fonts-noto-cjk",
        "Chinese text in screenshots",
        files=("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",),
    ),
    Requirement("npm", "fetching the front-end packages", commands=("npm",)),
    Requirement("nginx", "the reverse proxy with TLS (deploy/nginx, its e2e test)", commands=("nginx",)),
    Requirement("openssl", "the self-signed certificate of the proxy test", commands=("openssl",)),
    Requirement(
        "ca-certificates", "HTTPS to the npm registry", files=("/etc/ssl/certs/ca-certificates.crt",)
    ),
)


def missing(requirements: tuple[Requirement, ...] | None = None) -> list[Requirement]:
    """Return the requirements that are not present (their commands or files are missing)."""
    return [r for r in (REQUIREMENTS if requirements is None else requirements) if not r.present()]


def how_to_get(reqs: list[Requirement]) -> str:
    """A message saying exactly what is missing and how to install it."""
    lines = [f"  - {r.package}: {r.why}" for r in reqs]
    names = " ".join(r.package for r in reqs)
    return (
        "missing system packages:\n"
        + "\n".join(lines)
        + f"\nInstall them as root on Debian/Ubuntu:  apt-get install -y {names}\n"
        "(on other systems install the equivalent: Docker Engine, Distribution registry, a static "
        "busybox, debootstrap, Chromium, gVisor runsc, Noto CJK fonts, npm, nginx, OpenSSL, CA certificates)"
    )


def can_install() -> bool:
    """True when we are root and apt-get exists."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def ensure(skip_install: bool = False) -> str:
    """Install missing packages when allowed; otherwise raise MissingPrerequisite listing them.

    `runsc`, `chromium` and `fonts-noto-cjk` are optional for `up` (we go on without them, with a
    warning printed by the caller); everything else is required.
    """
    need = missing()
    if not need:
        return Skipped("all installed")
    if skip_install or not can_install():
        optional = {"runsc", "chromium", "fonts-noto-cjk"}
        required = [r for r in need if r.package not in optional]
        if required:
            raise MissingPrerequisite(how_to_get(need))
        note(how_to_get(need).replace("missing system packages", "missing optional packages"))
        return f"optional packages missing: {' '.join(r.package for r in need)}"
    names = [r.package for r in need]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    note(f"apt-get install {' '.join(names)}")
    try:
        run(["apt-get", "update", "-q"], STEP, env=env, timeout=600)
    except Exception as exc:  # noqa: BLE001 - a failing extra source must not stop the install
        note(f"apt-get update reported a problem ({str(exc).splitlines()[0]}); installing anyway")
    run(
        ["apt-get", "install", "-y", "-q", *names],
        STEP,
        env=env,
        timeout=1800,
        hint="apt-get must reach the Debian package registry; fix that and run again.",
    )
    still = [r.package for r in missing()]
    if still:
        raise MissingPrerequisite(f"installed but still not found: {' '.join(still)}")
    return f"installed {' '.join(names)}"
