"""The service's memory stays bounded under hostile build uploads.

The gateway runs in its own process (a GatewayManager with one session, as the service hosts it);
the test uploads a gzip bomb, an xz bomb, a context that unpacks to 240 MiB of files and a real
60 MiB context through the session's socket, and reads the process's peak resident memory (VmHWM in
/proc/<pid>/status) against what it used before the uploads.
"""

from __future__ import annotations

import gzip
import io
import os
import secrets
import subprocess
import sys
import tarfile

import pytest
from gateway_harness import leftovers, require_images
from realparts import ROOT
from test_attack_build import _zeros_tar, tar_of

pytestmark = [pytest.mark.docker]
MiB = 1024 * 1024
GROWTH = 64 * MiB  # the most the gateway process may grow while it handles the uploads

CHILD = r"""
import sys
from sandbox.config import gateway_settings
from sandbox.gateway import GatewayManager
import docker
settings, limits = gateway_settings({"state_dir": sys.argv[1]}, {"build_context": "64m"}, instance="test")
manager = GatewayManager(docker.from_env(), settings, limits)
manager.open(sys.argv[2])
print(manager.state_dir / sys.argv[2] / "docker.sock", flush=True)
sys.stdin.read()
manager.shutdown()
"""


def _status(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {key} in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    """Make VmHWM start from the current RSS (Linux: write 5 to clear_refs)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def _many_files(total: int, each: int = MiB) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as comp, tarfile.open(fileobj=comp, mode="w|") as tar:
        data = bytes(each)
        df = b"FROM busybox\nLABEL many=files\n"
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(df)
        tar.addfile(info, io.BytesIO(df))
        for i in range(total // each):
            info = tarfile.TarInfo(f"d{i % 10}/f{i}")
            info.size = each
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def _post(sock: str, body: bytes) -> tuple[int, str]:
    import docker

    with docker.APIClient(base_url=f"unix://{sock}", version="1.41", timeout=300) as api:
        resp = api._post(
            api._url("/build"), data=body, headers={"Content-Type": "application/x-tar"}, stream=True
        )
        text = b"".join(resp.iter_content(65536)).decode("utf-8", "replace")
        resp.close()
    return resp.status_code, text


def test_hostile_uploads_keep_the_gateway_small(docker_client, tmp_path):
    require_images(docker_client, "busybox")
    sid = "m" + secrets.token_hex(5)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "state"), sid],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        sock = proc.stdout.readline().strip()
        assert sock.endswith("docker.sock"), "the gateway process did not start"
        status, out = _post(sock, tar_of([("Dockerfile", b"FROM busybox\nLABEL warm=up\n")]))
        assert status == 200, out
        uploads = [
            ("gzip bomb", _zeros_tar(400 * MiB, "gz"), 403, "unpacks to more than 256 MiB"),
            ("xz bomb", _zeros_tar(400 * MiB, "xz"), 403, "unpacks to more than 256 MiB"),
            ("240 MiB of files", _many_files(240 * MiB), 200, "Successfully built"),
            (
                "60 MiB context",
                tar_of([("Dockerfile", b"FROM busybox\nCOPY big /big\n"), ("big", os.urandom(60 * MiB))]),
                200,
                "Successfully built",
            ),
        ]
        before = _status(proc.pid, "VmRSS")
        _reset_peak(proc.pid)
        for name, body, want, text in uploads:
            status, out = _post(sock, body)
            assert status == want and text in out, (name, out[-400:])
        peak = _status(proc.pid, "VmHWM")
        print(f"gateway RSS before {before // MiB} MiB, peak during the uploads {peak // MiB} MiB")
        assert peak - before < GROWTH, f"the gateway grew from {before // MiB} MiB to {peak // MiB} MiB"
    finally:
        proc.stdin.close()
        proc.wait(timeout=120)
        proc.stdout.close()
    assert leftovers(docker_client, sid) == []
