"""The project's JavaScript tools (ESLint), from the npm registry into `node_modules/`.

`package.json` pins the tools and `package-lock.json` every package they need, with its integrity
hash; `npm ci` installs exactly that into `<repo>/node_modules/` (gitignored, like `.venv`), with
npm's cache in `<state>/npm/_cacache`, so a reinstall needs no network. Nothing from a CDN. The
step is skipped when `node_modules/` was installed from the same package.json and lock file (a
stamp holds their hash). A step of the set-up (setup.py); `./atlas test` then runs ESLint
(atlas/testing/jslint.py).

Run alone: `.venv/bin/python -m atlas.provision.jstools [--force]`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from atlas import ROOT
from atlas.errors import MissingPrerequisite
from atlas.provision.state import state_dir, write_atomic
from atlas.provision.steps import Skipped, run, run_alone

STEP = "eslint"
TITLE = "JavaScript linter (npm)"
MANIFESTS = ("package.json", "package-lock.json")
NODE_MODULES = ROOT / "node_modules"
STAMP = ".atlas-installed"
ESLINT = Path("eslint") / "bin" / "eslint.js"


def lock_hash(root: Path = ROOT) -> str:
    """A sha256 over package.json and package-lock.json (what an install of node_modules/ follows)."""
    digest = hashlib.sha256()
    for name in MANIFESTS:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def eslint_script(root: Path = ROOT) -> Path | None:
    """The installed ESLint's entry script, or None when node_modules/ is missing or outdated."""
    modules = root / "node_modules"
    try:
        current = (modules / STAMP).read_text().strip() == lock_hash(root)
    except OSError:
        return None
    return modules / ESLINT if current and (modules / ESLINT).is_file() else None


def install(root: Path = ROOT, force: bool = False) -> str:
    """`npm ci` in `root` unless node_modules/ matches package-lock.json; return a step result.

    Raises MissingPrerequisite when npm or node is not installed, SetupError when npm fails.
    """
    if not force and eslint_script(root):
        return Skipped("node_modules/ matches package-lock.json")
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise MissingPrerequisite(
            "npm and Node.js are needed for the JavaScript linter (ESLint, from the npm registry).\n"
            "  Debian/Ubuntu: apt-get install npm"
        )
    cache = state_dir() / "npm" / "_cacache"
    cache.mkdir(parents=True, exist_ok=True)
    run(
        [npm, "ci", "--cache", str(cache), "--prefer-offline", "--no-audit", "--no-fund"],
        STEP,
        cwd=root,
        timeout=600,
        hint="npm must reach the npm registry (https://registry.npmjs.org/ or your npm config).",
    )
    write_atomic(root / "node_modules" / STAMP, lock_hash(root) + "\n")
    return f"{', '.join(_pinned(root))} into node_modules/"


def _pinned(root: Path) -> list[str]:
    """`name@version` of each tool package.json pins."""
    dev = json.loads((root / "package.json").read_text()).get("devDependencies", {})
    return [f"{name}@{version}" for name, version in sorted(dev.items())]


def main() -> int:
    """Run the step alone (`python -m atlas.provision.jstools [--force]`)."""
    return run_alone(STEP, TITLE, lambda force=False: install(force=force))


if __name__ == "__main__":
    sys.exit(main())
