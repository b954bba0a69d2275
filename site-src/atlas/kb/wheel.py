"""Package `atlasgraph` as a pure-Python wheel for Pyodide (`micropip.install(url)`).

No build tools and no network: a wheel is a zip with `*.dist-info/{METADATA,WHEEL,RECORD}`.
The file is reproducible (fixed timestamps, sorted members).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import atlasgraph

NAME = "atlasgraph"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_atlasgraph_wheel(out_dir: Path) -> Path:
    """Write `atlasgraph-<version>-py3-none-any.whl` into `out_dir` and return its path."""
    version = atlasgraph.__version__
    source = Path(atlasgraph.__file__).parent
    dist_info = f"{NAME}-{version}.dist-info"
    files: list[tuple[str, bytes]] = [
        (f"{NAME}/{p.name}", p.read_bytes()) for p in sorted(source.glob("*.py"))
    ]
    files.append(
        (
            f"{dist_info}/METADATA",
            (
                f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {version}\n"
                "Summary: Graph queries over the Container Atlas catalog JSON\n"
                "Requires-Python: >=3.10\nRequires-Dist: networkx\n"
            ).encode(),
        )
    )
    files.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: container-atlas\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in files)
    record += f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{NAME}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return wheel
