"""How a session's disk is added up (sandbox/gateway/disk.py): image chains count once, shared bases
not at all, `du` counts what a folder really holds, and which requests make a session grow."""

from __future__ import annotations

import os

from sandbox.gateway import disk

MB = 1_000_000


def _img(id_: str, size: int, parent: str = "", tags: list[str] | None = None) -> dict:
    return {"Id": id_, "Size": size, "ParentId": parent, "RepoTags": tags or ["<none>:<none>"]}


BASE = _img("base", 5 * MB, tags=["busybox:latest", "atlas-s1.mine:latest"])  # shared, also named by s1


def test_a_build_chain_counts_its_layers_once():
    step1 = _img("s1", 5 * MB + 100 * MB, "base")  # RUN writes 100 MB
    step2 = _img("s2", 5 * MB + 100 * MB, "s1")  # LABEL: no bytes
    final = _img("fin", 5 * MB + 150 * MB, "s2", ["atlas-s1.app:latest"])  # RUN writes 50 MB
    everything = [BASE, step1, step2, final]
    assert disk.image_bytes(None, [final], everything) == 150 * MB  # ancestors found by ParentId
    assert disk.image_bytes(None, [final, step1, step2], everything) == 150 * MB


def test_shared_images_cost_the_session_nothing_even_under_its_own_name():
    assert disk.image_bytes(None, [BASE], [BASE]) == 0


def test_du_counts_allocated_bytes_and_does_not_follow_links(tmp_path):
    (tmp_path / "a").write_bytes(os.urandom(300_000))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(os.urandom(200_000))
    (tmp_path / "link").symlink_to("/usr")  # would be huge if followed
    total = disk.du(str(tmp_path))
    assert 500_000 <= total < 600_000
    assert disk.du(str(tmp_path / "missing")) == 0


def test_which_requests_grow_a_session():
    assert disk.grows("container_create", "/containers/create", "POST")
    assert disk.grows("image_build", "/build", "POST")
    assert disk.grows("container", "/containers/x/archive", "PUT")
    assert disk.grows("container", "/containers/x/restart", "POST")
    assert not disk.grows("container", "/containers/x/archive", "GET")
    assert not disk.grows("container_delete", "/containers/x", "DELETE")
    assert not disk.grows("containers_list", "/containers/json", "GET")


def test_the_refusal_names_what_uses_the_disk():
    usage = disk.DiskUsage(layers=300 * 2**20, volumes=2**20, images=12 * 2**20)
    text = usage.describe(200 * 2**20)
    assert text == "313 MiB of 200 MiB (container layers 300 MiB, volumes 1 MiB, images 12 MiB)"
