"""The set-up proves itself: pulls are served by the local registry mirror, a second set-up rebuilds nothing.

These run after `./atlas test` has done the set-up (or after `./atlas setup`).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request

import pytest
from atlas import ROOT
from atlas.provision import baseimages, images, registry
from atlas.provision.state import read_pid

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"


def _registry_digest(repo: str, tag: str) -> str:
    req = urllib.request.Request(
        f"{registry.URL}/v2/{repo}/manifests/{tag}", method="HEAD", headers={"Accept": MANIFEST_V2}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers["Docker-Content-Digest"]


@pytest.mark.parametrize(
    ("name", "repo", "tag"), [("busybox", "library/busybox", "latest"), ("httpd", "library/httpd", "latest")]
)
def test_docker_pull_is_served_by_the_local_registry(docker_client, local_registry, name, repo, tag):
    served = _registry_digest(repo, tag)
    log = registry.log_file()
    ours = read_pid(registry.pid_file()) is not None and log.is_file()
    offset = log.stat().st_size if ours else 0

    image = docker_client.images.pull(name, tag=tag)

    assert (
        f"docker.io/{repo}@{served}" in image.attrs["RepoDigests"]
        or f"{name}@{served}" in image.attrs["RepoDigests"]
    ), f"pulled {image.attrs['RepoDigests']}, the local registry serves {served}"
    if ours:
        with open(log, "rb") as fh:
            fh.seek(offset)
            new = fh.read().decode("utf-8", "replace")
        assert re.search(rf'"(GET|HEAD) /v2/{repo}/manifests/{tag} HTTP/1\.1" 200 .*docker/', new), (
            f"no manifest request for {repo}:{tag} from the engine in {log}"
        )


def _image_ids() -> dict[str, str]:
    refs = [baseimages.BUSYBOX, baseimages.DEBIAN] + [t for s in images.discover() for t in s.tags]
    out = {}
    for ref in refs:
        proc = subprocess.run(
            ["docker", "image", "inspect", "-f", "{{.Id}}", ref], capture_output=True, text=True
        )
        out[ref] = proc.stdout.strip()
    return out


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_second_setup_rebuilds_nothing(docker_client, local_registry):
    setup = [str(ROOT / "atlas"), "setup", "--no-install"]
    first = subprocess.run(setup, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _image_ids()
    assert all(before.values()), f"images missing after set-up: {before}"

    proc = subprocess.run(setup, capture_output=True, text=True, timeout=600, cwd=ROOT)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = re.findall(r"^\[([\w.]+)\] .*\.\.\. ok \((.*)\)$", proc.stdout, re.M)
    names = [name for name, _ in steps]
    for expected in (
        "config",
        "packages",
        "daemon.json",
        "engine",
        "registry",
        "images",
        "frontend",
        "eslint",
        "site",
    ):
        assert expected in names, f"step {expected} missing from:\n{proc.stdout}"
    checks = {"config"}  # validated on every run: a check that reads a file, not work that is redone
    not_skipped = [
        f"{name}: {detail}"
        for name, detail in steps
        if not detail.startswith("skipped") and name not in checks
    ]
    assert not not_skipped, f"the second set-up did work:\n{proc.stdout}"
    assert "building " not in proc.stdout and "pushing " not in proc.stdout
    assert _image_ids() == before


@pytest.mark.docker
@pytest.mark.registry
def test_status_reports_the_running_parts(docker_client, local_registry):
    proc = subprocess.run([str(ROOT / "atlas"), "status"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[engine] answers" in proc.stdout
    assert f"[registry] answers on {registry.ADDRESS}" in proc.stdout
    assert "[images] httpd:latest: missing" not in proc.stdout


def test_front_end_packages_are_vendored_with_their_versions():
    from atlas.provision import frontend

    manifest = json.loads((frontend.VENDOR / "manifest.json").read_text())
    for name, (version, _) in frontend.PACKAGES.items():
        entry = manifest[name]
        assert entry["version"] == version
        assert entry["files"], name
        for rel in entry["files"]:
            assert version in rel, f"{name}: {rel} has no version in its path"
            assert (frontend.VENDOR / rel).stat().st_size > 0
    pyodide = {rel.rsplit("/", 1)[-1] for rel in manifest["pyodide"]["files"]}
    assert {"pyodide.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"} <= pyodide
