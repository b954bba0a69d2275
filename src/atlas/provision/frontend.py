"""Front-end packages from the npm registry, pinned, copied into `site-src/assets/vendor/`.

`npm pack <name>@<version>` fetches each package tarball into `<state>/npm/` (a cache: a tarball
already there is not fetched again); the files the site needs are copied with their version in the
file name, and `vendor/manifest.json` maps package name -> {version, files} so no page hard-codes a
version. Pyodide's npm package lacks the micropip/packaging wheels its lock file names; the same
versions come from PyPI (`pip download`) and the lock's sha256 for them is updated to match.

Run alone: `.venv/bin/python -m atlas.provision.frontend`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError, MissingPrerequisite
from atlas.provision.state import state_dir, write_atomic
from atlas.provision.steps import Skipped, run, run_alone

STEP = "frontend"
VENDOR = ROOT / "site-src" / "assets" / "vendor"
PYODIDE_VERSION = "314.0.7"

#: npm package -> (version, [(path inside the package, file name under vendor/)]).
PACKAGES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "@xterm/xterm": ("6.0.0", [("lib/xterm.js", "xterm-{v}.js"), ("css/xterm.css", "xterm-{v}.css")]),
    "@xterm/addon-fit": ("0.11.0", [("lib/addon-fit.js", "addon-fit-{v}.js")]),
    "cytoscape": ("3.34.4", [("dist/cytoscape.min.js", "cytoscape-{v}.min.js")]),
    "axe-core": ("4.14.1", [("axe.min.js", "axe-core-{v}.min.js")]),
    "pyodide": (
        PYODIDE_VERSION,
        [
            (name, "pyodide-{v}/" + name)
            for name in (
                "pyodide.js",
                "pyodide.mjs",
                "pyodide.asm.mjs",
                "pyodide.asm.js",
                "pyodide.asm.wasm",
                "python_stdlib.zip",
                "pyodide-lock.json",
                "package.json",
            )
        ],
    ),
}
#: Files that exist only in some Pyodide releases (pyodide.asm.js became pyodide.asm.mjs).
OPTIONAL = {"pyodide.asm.js", "pyodide.asm.mjs", "pyodide.mjs"}
#: Wheels Pyodide's lock file names but its npm package does not ship; fetched from PyPI.
PYODIDE_WHEELS = ("micropip", "packaging")


def _tarball_name(name: str, version: str) -> str:
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch(name: str, version: str, cache: Path) -> Path:
    """Return the cached npm tarball of name@version, running `npm pack` when it is not cached."""
    tgz = cache / _tarball_name(name, version)
    if tgz.is_file() and tarfile.is_tarfile(tgz):
        return tgz
    npm = shutil.which("npm")
    if not npm:
        raise MissingPrerequisite(
            "npm is not installed; it fetches the front-end packages from the npm registry.\n"
            "  Debian/Ubuntu: apt-get install npm   (or install Node.js 18+ from nodejs.org)"
        )
    with tempfile.TemporaryDirectory(dir=cache, prefix=".pack-") as tmp:
        run(
            [npm, "pack", f"{name}@{version}", "--pack-destination", tmp, "--cache", str(cache / "_cacache")],
            STEP,
            timeout=600,
            hint="npm must reach the npm registry (https://registry.npmjs.org/ or your npm config).",
        )
        packed = Path(tmp) / _tarball_name(name, version)
        if not packed.is_file():
            raise AtlasError(f"npm pack {name}@{version} did not produce {packed.name}")
        os.replace(packed, tgz)
    return tgz


def _pyodide_wheels(out: Path, cache: Path) -> list[str]:
    """Add the micropip/packaging wheels named by pyodide-lock.json (from PyPI); return the new files."""
    lock_path = out / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    python = ".".join(str(lock.get("info", {}).get("python", "3.13")).split(".")[:2])
    wheel_cache = cache / "wheels"
    wheel_cache.mkdir(exist_ok=True)
    added = []
    for pkg in PYODIDE_WHEELS:
        entry = lock.get("packages", {}).get(pkg)
        if not entry:
            continue
        file_name = entry["file_name"]
        cached = wheel_cache / file_name
        if not cached.is_file():
            run(
                [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "-q"]
                + ["--only-binary=:all:", "--python-version", python, "-d", str(wheel_cache)]
                + [f"{pkg}=={entry['version']}"],
                STEP,
                timeout=300,
            )
        shutil.copy2(cached, out / file_name)
        entry["sha256"] = hashlib.sha256(cached.read_bytes()).hexdigest()
        added.append(file_name)
    lock_path.write_text(json.dumps(lock, separators=(",", ":")))
    return added


def wanted_manifest() -> dict[str, dict]:
    """Return {package: {version}} for the pinned packages (what a complete vendor/ must hold)."""
    return {name: {"version": version} for name, (version, _) in PACKAGES.items()}


def is_current(vendor: Path = VENDOR) -> bool:
    """True when vendor/manifest.json lists the pinned versions and every file it names exists."""
    try:
        manifest = json.loads((vendor / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    for name, (version, _) in PACKAGES.items():
        got = manifest.get(name) or {}
        if got.get("version") != version:
            return False
        if not all((vendor / f).is_file() for f in got.get("files", [])):
            return False
    return True


def install(vendor: Path = VENDOR, force: bool = False) -> str:
    """Fetch the pinned npm packages and copy their files into `vendor`; return a step result."""
    if not force and is_current(vendor):
        return Skipped("vendor/manifest.json matches the pinned versions")
    cache = state_dir() / "npm"
    cache.mkdir(parents=True, exist_ok=True)
    vendor.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(dir=vendor.parent, prefix=".vendor-") as tmp:
        stage = Path(tmp)
        for name, (version, files) in PACKAGES.items():
            tgz = fetch(name, version, cache)
            copied = []
            with tarfile.open(tgz) as tar:
                members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
                for src, dest in files:
                    base = src.rsplit("/", 1)[-1]
                    if src not in members:
                        if base in OPTIONAL or base == "package.json":
                            continue
                        raise AtlasError(f"{name}@{version}: file {src} is not in the npm package")
                    target = stage / dest.format(v=version)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(members[src]) as fh, open(target, "wb") as out:  # type: ignore[union-attr]
                        shutil.copyfileobj(fh, out)
                    copied.append(dest.format(v=version))
            entry: dict = {"version": version, "files": copied}
            if name == "pyodide":
                folder = f"pyodide-{version}"
                wheels = _pyodide_wheels(stage / folder, cache)
                entry["files"] += [f"{folder}/{w}" for w in wheels]
                entry["index_url"] = f"{folder}/"
            manifest[name] = entry
        write_atomic(stage / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        # Swap in: replace our files one by one (vendor/ may hold files others put there).
        # manifest.json goes last: an interrupted swap leaves a stale manifest, so the next run redoes it.
        for path in sorted(stage.iterdir(), key=lambda p: (p.name == "manifest.json", p.name)):
            dest = vendor / path.name
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            os.replace(path, dest)
    return f"{len(manifest)} packages into {vendor.relative_to(ROOT)}"


def main() -> int:
    """Run the frontend step alone (`python -m atlas.provision.frontend [--force]`)."""
    return run_alone(STEP, "front-end packages (npm)", install)


if __name__ == "__main__":
    sys.exit(main())
