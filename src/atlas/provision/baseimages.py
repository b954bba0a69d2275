"""The two base images, built offline from Debian packages (no Docker Hub).

- `busybox:latest`: Debian's static busybox in a `FROM scratch` image (`busybox --install -s /bin`)
  with a minimal /etc/passwd, /etc/group, /tmp and /root.
- `debian:bookworm`: `debootstrap --variant=minbase bookworm`, packed into a tarball cached at
  `<state>/cache/debian-bookworm-minbase.tar` (delete it to rebuild), then `docker import`.

Both carry the build-hash label and are pushed to the local registry (library/busybox,
library/debian:bookworm) so a plain `docker pull busybox` is served by the mirror.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from atlas.errors import MissingPrerequisite, SetupError
from atlas.provision import dockerimg
from atlas.provision.state import state_dir
from atlas.provision.steps import note, run, step_log

BUSYBOX = "busybox:latest"
DEBIAN = "debian:bookworm"
DEBIAN_MIRROR = os.environ.get("ATLAS_DEBIAN_MIRROR", "http://deb.debian.org/debian")

BUSYBOX_DOCKERFILE = """\
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && chmod 1777 /tmp"]
CMD ["sh"]
"""
ETC_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
ETC_GROUP = "root:x:0:\nnogroup:x:65534:\n"


def _busybox_binary() -> Path:
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if Path(candidate).is_file():
            return Path(candidate)
    raise MissingPrerequisite("busybox is not installed: apt-get install busybox-static")


def busybox(step: str) -> str:
    """Build `busybox:latest` unless it carries the current build hash; return what happened."""
    binary = _busybox_binary()
    for stale in state_dir().glob(".busybox-*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=state_dir(), prefix=".busybox-") as tmp:
        ctx = Path(tmp)
        (ctx / "Dockerfile").write_text(BUSYBOX_DOCKERFILE)
        root = ctx / "rootfs"
        for folder in ("bin", "etc", "tmp", "root", "home"):
            (root / folder).mkdir(parents=True)
        shutil.copy2(binary, root / "bin" / "busybox")
        (root / "etc" / "passwd").write_text(ETC_PASSWD)
        (root / "etc" / "group").write_text(ETC_GROUP)
        (root / "tmp" / ".keep").write_text("")
        (root / "root" / ".keep").write_text("")
        (root / "home" / ".keep").write_text("")
        want = dockerimg.hash_folder(ctx, [])
        if dockerimg.up_to_date([BUSYBOX], want):
            return "busybox up to date"
        dockerimg.build(ctx, [BUSYBOX], want, step, "image-busybox")
    return "busybox built"


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve())
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return []
    points = [line.split()[1].replace("\\040", " ") for line in lines if len(line.split()) > 1]
    return sorted((p for p in points if p == prefix or p.startswith(prefix + "/")), reverse=True)


def remove_tree(path: Path) -> None:
    """Unmount anything debootstrap left mounted under `path`, then delete it (never crossing mounts)."""
    for point in _mounts_under(path):
        subprocess.run(["umount", "-l", point], capture_output=True)
    if _mounts_under(path):
        raise SetupError("images", f"umount under {path}", "\n".join(_mounts_under(path)))
    shutil.rmtree(path, ignore_errors=True)


def debian_tarball(step: str) -> tuple[Path, str]:
    """Return (rootfs tarball, its sha256), running debootstrap when it is not cached."""
    cache = state_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / "debian-bookworm-minbase.tar"
    sums = tarball.with_name(tarball.name + ".sha256")
    if tarball.is_file() and sums.is_file():
        return tarball, sums.read_text().split()[0]
    for stale in state_dir().glob(".debootstrap-*"):
        remove_tree(stale)
    debootstrap = shutil.which("debootstrap", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not debootstrap:
        raise MissingPrerequisite("debootstrap is not installed: apt-get install debootstrap")
    if os.geteuid() != 0:
        raise MissingPrerequisite(
            f"debootstrap needs root to build {DEBIAN}; run ./atlas setup once as root "
            f"(or load a debian:bookworm image into your engine yourself)"
        )
    work = Path(tempfile.mkdtemp(dir=state_dir(), prefix=".debootstrap-"))
    try:
        rootfs = work / "rootfs"
        note(f"debootstrap --variant=minbase bookworm (log: {step_log('debootstrap')})")
        run(
            [debootstrap, "--variant=minbase", "bookworm", str(rootfs), DEBIAN_MIRROR],
            step,
            step_log("debootstrap"),
            timeout=1800,
            hint=f"debootstrap must reach {DEBIAN_MIRROR} (set ATLAS_DEBIAN_MIRROR for another mirror).",
        )
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (rootfs / junk).glob("*"):
                if item.is_file():
                    item.unlink()
        partial = work / "rootfs.tar"
        run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."], step)
        digest = hashlib.sha256()
        with open(partial, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        os.replace(partial, tarball)
        sums.write_text(f"{digest.hexdigest()}  {tarball.name}\n")
    finally:
        remove_tree(work)
    return tarball, sums.read_text().split()[0]


def debian(step: str) -> str:
    """Import `debian:bookworm` from the cached rootfs unless it carries the current build hash."""
    tarball, sha = debian_tarball(step)
    want = hashlib.sha256(f"debian-bookworm-minbase {sha}".encode()).hexdigest()
    if dockerimg.up_to_date([DEBIAN], want):
        return "debian:bookworm up to date"
    note(f"docker import {tarball.name} {DEBIAN}")
    run(
        [
            "docker",
            "import",
            "--change",
            'CMD ["bash"]',
            "--change",
            f"LABEL {dockerimg.HASH_LABEL}={want}",
            str(tarball),
            DEBIAN,
        ],
        step,
        step_log("image-debian"),
        timeout=600,
    )
    return "debian:bookworm imported"


def build_all(step: str) -> list[str]:
    """Build both base images and mirror them; return one line per image."""
    done = [busybox(step), debian(step)]
    for local, repo, tag in ((BUSYBOX, "library/busybox", "latest"), (DEBIAN, "library/debian", "bookworm")):
        if dockerimg.push_mirror(local, repo, tag, step):
            done.append(f"pushed {repo}:{tag}")
    return done
