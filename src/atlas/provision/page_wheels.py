"""Wheels a page's Python installs only when a block imports them (on demand), served from `assets/wheels/`.

Some KB examples run a real library in the in-browser Python: OpenTelemetry's SDK on the
OpenTelemetry page, the OpenTracing package's reference MockTracer on the OpenTracing page, the
OpenCensus tracer on the OpenCensus page. Those
wheels are pure Python, pinned here with the sha256 of the file PyPI serves, fetched at set-up time
by pip (`pip wheel --no-deps --require-hashes`: a wheel is copied, an sdist-only release such as
opentracing 2.4.0 is built into a py3 wheel) into `<state>/wheels/`, then byte-compiled by wheels.py
like networkx (one Python start for all; served as fetched without Node.js). Nothing is fetched at
run time, and a page loads none of them until one of its blocks imports a module named in IMPORTS
(site-src/assets/py/atlas_runner.py installs them with micropip just before that block runs), so a
page without such a block is unaffected.

wheels.json lists them under "wheels" like the others and maps each module to its wheels under
"imports" (`{"opentelemetry": ["typing-extensions", "opentelemetry-api", ...]}`, install order).
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
from pathlib import Path

from atlas.errors import AtlasError
from atlas.provision.steps import run

STEP = "wheels"

#: PyPI name -> (version, sha256 of the file pip downloads: the wheel, or the sdist it builds one from).
PINS: dict[str, tuple[str, str]] = {
    "typing-extensions": ("4.16.0", "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"),
    "opentelemetry-api": ("1.45.2", "2cbd737377e710ee740d261c94e93fa0f08e6d037c18f17513cc0a2d94479a34"),
    "opentelemetry-semantic-conventions": (
        "0.66b2",
        "4cbe61e5f9275d57ab31708446e7938ef4291ebbe6a7fca6f7a629c5acae87d8",
    ),
    "opentelemetry-sdk": ("1.45.2", "ff974ea70ee4f1d51e2ec152db37c2b626c7bf82bb3f7d86114fd8704e7199c6"),
    "opentracing": ("2.4.0", "a173117e6ef580d55874734d1fa7ecb6f3655160b8b8974a2a1e98e5ec9c840d"),
    "six": ("1.17.0", "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"),
    "opencensus-context": ("0.1.3", "073bb0590007af276853009fac7e4bab1d523c3f03baf4cb4511ca38967c6039"),
    # protobuf: the hash picks its pure-Python wheel (py3-none-any), not a platform build
    "protobuf": ("7.36.2", "bdb3a345d48db958e6ce1f18e508beb0cc981d64f24088427549c866cd039f1e"),
    "googleapis-common-protos": (
        "1.76.0",
        "59e13344a9f3651aa201a03e2bee815a3bf43a4baf1f9ff8a9b62a840ce25fac",
    ),
    "opencensus": ("0.11.4", "a18487ce68bc19900336e0ff4655c5a116daf10c1b3685ece8d971bddad6a864"),
}

#: Top-level module a block imports -> the wheels (PINS names) it needs, dependencies first.
IMPORTS: dict[str, list[str]] = {
    "opentelemetry": [
        "typing-extensions",
        "opentelemetry-api",
        "opentelemetry-semantic-conventions",
        "opentelemetry-sdk",
    ],
    "opentracing": ["opentracing"],
    # opencensus.trace needs google.rpc's status codes (protobuf), not google-api-core (its exporters').
    "opencensus": ["six", "opencensus-context", "protobuf", "googleapis-common-protos", "opencensus"],
}


def wheel_stem(name: str, version: str) -> str:
    """The start of the wheel file name of `name` `version` (`opentelemetry_api-1.45.2-`)."""
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"


def fetch(name: str, cache: Path) -> Path:
    """The cached py3 wheel of the pinned `name`, fetched (and built from an sdist) by pip if needed.

    Raises AtlasError when pip fails (hash mismatch, no network) or makes no pure-Python wheel.
    """
    version, sha256 = PINS[name]
    cache.mkdir(parents=True, exist_ok=True)

    def cached() -> list[Path]:
        found = cache.glob(wheel_stem(name, version) + "*.whl")
        return sorted(p for p in found if p.name.endswith("-none-any.whl"))

    if not cached():
        with tempfile.TemporaryDirectory(prefix="atlas-page-wheel-") as tmp:
            req = Path(tmp) / "requirements.txt"
            req.write_text(f"{name}=={version} --hash=sha256:{sha256}\n")
            run(
                [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps"]
                + ["--no-build-isolation", "--require-hashes", "-r", str(req), "-w", str(cache)],
                STEP,
                timeout=300,
                hint="pip must reach PyPI (or a pip index) at set-up; each file must match its sha256.",
            )
    found = cached()
    if not found:
        raise AtlasError(f"pip wheel {name}=={version} made no pure-Python (py3-none-any) wheel in {cache}")
    return found[0]


def fetch_all(cache: Path) -> dict[str, Path]:
    """Every pinned wheel (PINS order) from `cache`, fetched by pip when missing (see `fetch`)."""
    return {name: fetch(name, cache) for name in PINS}


def entry(name: str, wheel: Path) -> dict:
    """The wheels.json entry of the pinned `name` served as the file `wheel`."""
    return {
        "file": wheel.name,
        "version": PINS[name][0],
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
    }


def imports() -> dict[str, list[str]]:
    """The wheels.json "imports" map (a copy of IMPORTS)."""
    return {module: list(names) for module, names in IMPORTS.items()}


def is_current(index: dict, wheels: Path) -> bool:
    """True when wheels.json `index` has every pinned wheel at its version (file present, "precompiled"
    recorded: a cache tag or null) and IMPORTS."""
    got = index.get("wheels", {})
    for name, (version, _) in PINS.items():
        have = got.get(name, {})
        if have.get("version") != version or "precompiled" not in have:
            return False
        if not (wheels / have.get("file", "")).is_file():
            return False
    return index.get("imports") == IMPORTS
