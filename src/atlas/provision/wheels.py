"""Python wheels for the in-browser Python (Pyodide), served by the site from `assets/wheels/`.

Three wheels and a memory snapshot. Two wheels, both pure Python, are installed in the browser
with micropip from the site's own URLs:
- `networkx` at the version pinned in requirements.txt, fetched from PyPI at set-up time with
  `pip download --no-deps --only-binary=:all:` into `<state>/wheels/` (a cache), then byte-compiled
  by the vendored Pyodide's own CPython under Node (`pyc_compile.mjs`; .py files kept) so the
  browser imports it about 4x faster — without Node it is served as downloaded;
- `atlasgraph` (src/atlasgraph, the graph queries shared with the server side), built with
  `python -m build --wheel --no-isolation`. Its version carries a hash of its sources as a local
  version (`1.0.0+g1a2b3c4d`), so a changed module gets a new file name and no browser keeps a
  stale copy in its cache.

The third is micropip itself, the vendored Pyodide's own wheel byte-compiled the same way (Pyodide
ships it as .py only; importing it compiled 35 modules at every page load). The worker loads it from
the site's URL instead of the copy in the Pyodide folder.

Besides, the pinned pure-Python wheels of page_wheels.py (OpenTelemetry, OpenTracing, OpenCensus),
which a page installs only when one of its blocks imports them.

The snapshot (`python-<key>.snapshot.gz`, made by `py_snapshot.mjs` under Node) is the Pyodide heap
just after CPython started, with the standard modules of the block runner
(`site-src/assets/py/atlas_runner.py`) and of the examples imported: the worker restores it instead
of starting Python (2.5 s of a warm start on two cores). Its key hashes the Pyodide files it depends
on, the script and the runner, so a new Pyodide, script or runner gets a new file name.
Without Node there is no snapshot and no byte-compiling; the worker then starts Python the long way.

`assets/wheels/wheels.json` is the index the page's worker reads: `{"wheels": {name: {"file",
"version", "sha256", "precompiled"}}, "snapshot": {"file", "sha256", "key", "bytes", "packed"} or
null, "pyodide": "vendor/pyodide-<v>/", "source_hash": ..., "imports": {module: [wheel names]}}`
("imports": the wheels a page installs only when a block imports the module, page_wheels.py), file
names relative to `assets/wheels/` and the Pyodide folder relative to `assets/` (from
vendor/manifest.json, so the front-end step runs first).

Run alone: `.venv/bin/python -m atlas.provision.wheels [--force]`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError
from atlas.provision import page_wheels
from atlas.provision.state import state_dir, write_atomic
from atlas.provision.steps import Skipped, note, run, run_alone

STEP = "wheels"
WHEELS = ROOT / "site-src" / "assets" / "wheels"
SOURCE = ROOT / "src" / "atlasgraph"
REQUIREMENTS = ROOT / "requirements.txt"
INDEX = "wheels.json"
VENDOR_MANIFEST = ROOT / "site-src" / "assets" / "vendor" / "manifest.json"
PYC_COMPILE = Path(__file__).with_name("pyc_compile.mjs")
PY_SNAPSHOT = Path(__file__).with_name("py_snapshot.mjs")
#: The Python the page's worker runs the blocks with; the snapshot imports what it imports.
RUNNER = ROOT / "site-src" / "assets" / "py" / "atlas_runner.py"
#: The Pyodide files a snapshot depends on (with py_snapshot.mjs and RUNNER).
SNAPSHOT_INPUTS = ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip", "pyodide.mjs")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "atlasgraph"
version = "{version}"
description = "Graph queries over the Container Atlas catalog JSON (networkx only)."
requires-python = ">=3.11"
dependencies = ["networkx"]

[tool.setuptools]
packages = ["atlasgraph"]
"""


def pinned_version(package: str, requirements: Path = REQUIREMENTS) -> str:
    """The version `package` is pinned to (`name==version`) in requirements.txt.

    Raises AtlasError naming the file when it is not pinned there.
    """
    pattern = re.compile(rf"^\s*{re.escape(package)}\s*==\s*([^\s;#]+)", re.IGNORECASE)
    for line in requirements.read_text().splitlines():
        match = pattern.match(line)
        if match:
            return match.group(1)
    raise AtlasError(f"{requirements}: {package}: not pinned (expected a line '{package}==<version>')")


def source_hash(source: Path = SOURCE) -> str:
    """A short sha256 over the names and contents of the package's .py files."""
    digest = hashlib.sha256()
    for path in sorted(source.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def package_version(source: Path = SOURCE) -> str:
    """The `__version__` declared in the package's `__init__.py`."""
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', (source / "__init__.py").read_text(), re.M)
    if not match:
        raise AtlasError(f"{source / '__init__.py'}: __version__: missing")
    return match.group(1)


def pyodide_folder(manifest: Path = VENDOR_MANIFEST) -> str:
    """The vendored Pyodide folder relative to `assets/` (`vendor/pyodide-<v>/`), from manifest.json.

    Raises AtlasError naming the file when the front-end step has not vendored Pyodide yet.
    """
    try:
        entry = json.loads(manifest.read_text())["pyodide"]
        return "vendor/" + entry["index_url"]
    except (OSError, ValueError, KeyError, TypeError):
        raise AtlasError(
            f"{manifest}: pyodide.index_url: missing; run the front-end step first "
            "(python -m atlas.provision.frontend)"
        ) from None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_networkx(version: str, cache: Path) -> Path:
    """Return the cached `networkx-<version>-py3-none-any.whl`, downloading it from PyPI if needed."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"networkx-{version}-py3-none-any.whl"))
    if found:
        return found[0]
    run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps"]
        + ["--only-binary=:all:", "-d", str(cache), f"networkx=={version}"],
        STEP,
        timeout=300,
        hint="pip must reach PyPI (or your pip index) at set-up time.",
    )
    found = sorted(cache.glob(f"networkx-{version}-py3-none-any.whl"))
    if not found:
        raise AtlasError(f"pip download networkx=={version} did not produce a py3-none-any wheel in {cache}")
    return found[0]


def node_for(pyodide_dir: Path) -> str:
    """The Node.js that runs the vendored Pyodide at set-up time.

    Raises AtlasError when Node.js or the vendored Pyodide is missing.
    """
    node = shutil.which("node")
    if not node:
        raise AtlasError("node is not installed")
    if not (pyodide_dir / "pyodide.mjs").is_file():
        raise AtlasError(f"{pyodide_dir}: no vendored Pyodide")
    return node


def precompile(wheel: Path, out: Path, pyodide_dir: Path, *more: Path) -> str:
    """Copy `wheel` (and `more` wheels) into `out` byte-compiled by the vendored Pyodide's CPython (one
    Python start for all); return its cache tag.

    The .pyc files (unchecked-hash, next to the kept .py files) spare the browser compiling every
    module at each page load (networkx imports about 4x faster). Raises AtlasError when Node.js or
    the vendored Pyodide is missing or the compilation fails; the caller then ships `wheel` as is.
    """
    node = node_for(pyodide_dir)
    wheels = [wheel, *more]
    output = run(
        [node, str(PYC_COMPILE), str(pyodide_dir)] + [str(p) for w in wheels for p in (w, out / w.name)],
        STEP,
        timeout=600,
        hint="Node.js runs the vendored Pyodide to byte-compile the wheel (no network).",
    )
    tag = output.strip().splitlines()[-1] if output.strip() else ""
    if not tag.startswith("cpython-") or not all((out / w.name).is_file() for w in wheels):
        raise AtlasError(f"byte-compiling {', '.join(w.name for w in wheels)} printed {output[-200:]!r}")
    return tag


def vendored_wheel(pyodide_dir: Path, name: str) -> Path:
    """The wheel of the Pyodide package `name` in the vendored Pyodide folder (per pyodide-lock.json).

    Raises AtlasError naming the lock file when the package or its file is missing.
    """
    lock = pyodide_dir / "pyodide-lock.json"
    try:
        path = pyodide_dir / json.loads(lock.read_text())["packages"][name]["file_name"]
    except (OSError, ValueError, KeyError, TypeError):
        raise AtlasError(f"{lock}: packages.{name}.file_name: missing") from None
    if not path.is_file():
        raise AtlasError(f"{lock}: packages.{name}.file_name: {path.name} is not in {pyodide_dir}")
    return path


def snapshot_key(pyodide_dir: Path) -> str:
    """A short hash of the Pyodide files a snapshot depends on, of py_snapshot.mjs and of RUNNER."""
    digest = hashlib.sha256()
    for path in [pyodide_dir / name for name in SNAPSHOT_INPUTS] + [PY_SNAPSHOT, RUNNER]:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()[:10]


def make_snapshot(pyodide_dir: Path, out: Path) -> dict:
    """Make the Python memory snapshot under Node into `out`; return its wheels.json entry.

    Raises AtlasError when Node.js or the vendored Pyodide is missing or the snapshot does not
    restore (py_snapshot.mjs checks it before writing).
    """
    node = node_for(pyodide_dir)
    key = snapshot_key(pyodide_dir)
    target = out / f"python-{key}.snapshot.gz"
    output = run(
        [node, str(PY_SNAPSHOT), str(pyodide_dir), str(target), str(RUNNER)],
        STEP,
        timeout=300,
        hint="Node.js runs the vendored Pyodide to snapshot a started Python (no network).",
    )
    sizes = output.strip().splitlines()[-1].split() if output.strip() else []
    if len(sizes) != 2 or not target.is_file():
        raise AtlasError(f"making the Python snapshot printed {output[-200:]!r}")
    return {
        "file": target.name,
        "key": key,
        "sha256": _sha256(target),
        "bytes": int(sizes[0]),
        "packed": int(sizes[1]),
    }


def build_atlasgraph(out: Path, source: Path = SOURCE) -> Path:
    """Build the atlasgraph wheel from `source` into `out`; return the wheel's path."""
    version = f"{package_version(source)}+g{source_hash(source)}"
    with tempfile.TemporaryDirectory(prefix="atlasgraph-build-") as tmp:
        stage = Path(tmp)
        (stage / "pyproject.toml").write_text(PYPROJECT.format(version=version))
        shutil.copytree(source, stage / "atlasgraph", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        dist = stage / "dist"
        run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(stage)],
            STEP,
            timeout=300,
            hint="needs the `build` and `setuptools` packages in the venv (requirements.txt).",
        )
        built = sorted(dist.glob("atlasgraph-*.whl"))
        if len(built) != 1:
            raise AtlasError(f"building atlasgraph produced {len(built)} wheels in {dist}, expected 1")
        target = out / built[0].name
        shutil.copy2(built[0], target)
    return target


def read_index(wheels: Path = WHEELS) -> dict:
    """The parsed wheels.json of `wheels` ({} when missing or unreadable)."""
    try:
        return json.loads((wheels / INDEX).read_text())
    except (OSError, ValueError):
        return {}


def is_current(wheels: Path = WHEELS) -> bool:
    """True when wheels.json matches the pinned networkx and the atlasgraph sources, files present."""
    index = read_index(wheels)
    got = index.get("wheels", {})
    if index.get("source_hash") != source_hash():
        return False
    try:
        if index.get("pyodide") != pyodide_folder():
            return False
    except AtlasError:
        return False
    if got.get("networkx", {}).get("version") != pinned_version("networkx"):
        return False
    if "precompiled" not in got.get("networkx", {}):
        return False
    node = shutil.which("node") is not None
    snapshot = index.get("snapshot", False)
    if snapshot is False or (snapshot is None and node):
        return False  # made before snapshots existed, or without Node which is here now
    if snapshot and (
        snapshot.get("key") != snapshot_key(wheels.parent / index["pyodide"])
        or not (wheels / snapshot.get("file", "")).is_file()
    ):
        return False
    if node and "micropip" not in got:
        return False
    if not {"networkx", "atlasgraph"} <= set(got) or not page_wheels.is_current(index, wheels):
        return False
    return all((wheels / w.get("file", "")).is_file() for w in got.values())


def _page_wheels(stage: Path, pyodide_dir: Path) -> tuple[dict, dict]:
    """The on-demand wheels (page_wheels.py) put into `stage`, byte-compiled when Node.js can (else as
    fetched); return their wheels.json entries and the "imports" map."""
    fetched = page_wheels.fetch_all(state_dir() / "wheels")
    first, *rest = fetched.values()
    try:
        tag: str | None = precompile(first, stage, pyodide_dir, *rest)
    except AtlasError as exc:
        note(f"the on-demand wheels are served as .py only (slower first import): {exc}")
        tag = None
        for wheel in fetched.values():
            shutil.copy2(wheel, stage / wheel.name)
    entries = {
        name: {**page_wheels.entry(name, stage / wheel.name), "precompiled": tag}
        for name, wheel in fetched.items()
    }
    return entries, page_wheels.imports()


def install(wheels: Path = WHEELS, force: bool = False) -> str:
    """Put the networkx and atlasgraph wheels and wheels.json into `wheels`; return a step result."""
    if not force and is_current(wheels):
        return Skipped("wheels.json matches requirements.txt and src/atlasgraph")
    nx_version = pinned_version("networkx")
    pyodide = pyodide_folder()
    wheels.mkdir(parents=True, exist_ok=True)
    nx_wheel = fetch_networkx(nx_version, state_dir() / "wheels")
    with tempfile.TemporaryDirectory(dir=wheels.parent, prefix=".wheels-") as tmp:
        stage = Path(tmp)
        try:
            compiled: str | None = precompile(nx_wheel, stage, wheels.parent / pyodide)
        except AtlasError as exc:
            note(f"networkx is served as .py only (slower first import): {exc}")
            compiled = None
            shutil.copy2(nx_wheel, stage / nx_wheel.name)
        ag_wheel = build_atlasgraph(stage)
        extra, imports = _page_wheels(stage, wheels.parent / pyodide)
        pyodide_dir = wheels.parent / pyodide
        try:
            mp_wheel = vendored_wheel(pyodide_dir, "micropip")
            tag = precompile(mp_wheel, stage, pyodide_dir)
            extra["micropip"] = {
                "file": mp_wheel.name,
                "version": mp_wheel.name.split("-")[1],
                "sha256": _sha256(stage / mp_wheel.name),
                "precompiled": tag,
            }
        except AtlasError as exc:
            note(f"micropip comes from the Pyodide folder as .py only: {exc}")
        try:
            snapshot: dict | None = make_snapshot(pyodide_dir, stage)
        except AtlasError as exc:
            note(f"no Python snapshot (pages start Python the long way): {exc}")
            snapshot = None
        index = {
            "pyodide": pyodide,
            "source_hash": source_hash(),
            "snapshot": snapshot,
            "imports": imports,
            "wheels": {
                **extra,
                "networkx": {
                    "file": nx_wheel.name,
                    "version": nx_version,
                    "sha256": _sha256(stage / nx_wheel.name),
                    "precompiled": compiled,
                },
                "atlasgraph": {
                    "file": ag_wheel.name,
                    "version": ag_wheel.name.split("-")[1],
                    "sha256": _sha256(ag_wheel),
                },
            },
        }
        # Old wheels go first, new files are renamed in, the index last (readers see whole files).
        for old in [*wheels.glob("*.whl"), *wheels.glob("*.snapshot.gz")]:
            old.unlink()
        for path in [*stage.glob("*.whl"), *stage.glob("*.snapshot.gz")]:
            os.replace(path, wheels / path.name)
        write_atomic(wheels / INDEX, json.dumps(index, indent=2, sort_keys=True) + "\n")
    how = f" (byte-compiled for {compiled})" if compiled else ""
    snap = f", Python snapshot {snapshot['packed'] / 1e6:.1f} MB" if snapshot else ""
    mp = ", micropip" if "micropip" in extra else ""
    pages = f", {len(page_wheels.PINS)} on-demand wheels ({', '.join(imports)})"
    return f"networkx {nx_version}{how}, {ag_wheel.name}{mp}{pages}{snap} into {wheels.relative_to(ROOT)}"


def main() -> int:
    """Run the wheels step alone (`python -m atlas.provision.wheels [--force]`)."""
    return run_alone(STEP, "Python wheels for Pyodide", install)


if __name__ == "__main__":
    sys.exit(main())
