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

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.provision.state import state_dir
from atlas.provision.steps import note, run, step_log

REQUIREMENTS = "wheels.txt"
PLATFORM = ["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp"]


def download(folder: Path, step: str) -> Path | None:
    """Download the wheels `folder/wheels.txt` pins into the cache; return that folder (None: no file)."""
    req = folder / REQUIREMENTS
    if not req.is_file():
        return None
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
