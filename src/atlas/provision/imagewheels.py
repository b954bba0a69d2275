"""PyPI wheels an image build needs, downloaded by the host's pip and handed to `docker build`.

A `sandbox/images/<name>/wheels.txt` (pip requirements, every line pinned `==` with `--hash`) asks
for wheels. The host's pip downloads them (`--require-hashes --no-deps --only-binary=:all:`, for
Linux x86_64 / CPython 3.11) into `<state>/cache/image-wheels/<name>/`, so a rebuild reuses them,
and the build context becomes a temporary copy of the folder plus `wheels/` with those files. The
Dockerfile installs them with `pip install --no-index --find-links wheels/ --require-hashes`: the
build itself never reaches PyPI (the host is where the registry's TLS is trusted). The folder's
build hash covers wheels.txt, so a new pin rebuilds the image.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError
from atlas.provision.state import state_dir
from atlas.provision.steps import note, run, step_log

REQUIREMENTS = "wheels.txt"
_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+\s+--hash=sha256:[0-9a-f]{64}$")
PLATFORM = ["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp"]


def check(req: Path) -> int:
    """Every requirement line of `req` is `name==version --hash=sha256:<64 hex>`; return how many.

    Raises AtlasError naming the file and line of the first that is not (or of an empty file)."""
    rel = req.relative_to(ROOT) if req.is_relative_to(ROOT) else req
    count = 0
    for lineno, raw in enumerate(req.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not _PIN.match(line):
            raise AtlasError(
                f"{rel}:{lineno}: pin each wheel on one line as `name==version --hash=sha256:<64 hex>`"
                f" (got {line[:80]!r})"
            )
        count += 1
    if not count:
        raise AtlasError(f"{rel}: no wheel pinned (delete the file if the image needs none)")
    return count


def download(folder: Path, step: str) -> Path | None:
    """Download the wheels `folder/wheels.txt` pins into the cache; return that folder (None: no file)."""
    req = folder / REQUIREMENTS
    if not req.is_file():
        return None
    check(req)
    cache = state_dir() / "cache" / "image-wheels" / folder.name
    cache.mkdir(parents=True, exist_ok=True)
    note(f"wheels for {folder.name} from {req.name} (cache: {cache})")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--require-hashes"]
    log = step_log(f"wheels-{folder.name}")
    run([*cmd, *PLATFORM, "--dest", str(cache), "-r", str(req)], step, log, timeout=900)
    return cache


@contextmanager
def build_context(folder: Path, step: str) -> Iterator[Path]:
    """The folder itself, or (with a wheels.txt) a temporary copy of it with the wheels in `wheels/`."""
    wheels = download(folder, step)
    if wheels is None:
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix=f"atlas-image-{folder.name}-") as tmp:
        context = Path(tmp) / folder.name
        shutil.copytree(folder, context, symlinks=True)
        target = context / "wheels"
        target.mkdir(exist_ok=True)
        for whl in wheels.glob("*.whl"):
            shutil.copy2(whl, target / whl.name)
        yield context
