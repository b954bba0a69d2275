"""`docker save` archives renamed as they stream (sandbox.gateway.savetar)."""

from __future__ import annotations

import io
import json
import os
import random
import tarfile

import pytest

from sandbox.gateway import savetar


def save_archive(layer: bytes) -> bytes:
    """An archive shaped like the engine's `docker save`: a layer folder, config, manifest, repositories."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add(name: str, data: bytes | None = None, **kw) -> None:
            info = tarfile.TarInfo(name)
            for k, v in kw.items():
                setattr(info, k, v)
            if data is None:
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

        add("abc123", type=tarfile.DIRTYPE, mode=0o755)
        add("abc123/VERSION", b"1.0")
        add("abc123/layer.tar", layer)
        add("def456", type=tarfile.DIRTYPE)
        add("def456/layer.tar", type=tarfile.SYMTYPE, linkname="../abc123/layer.tar")
        add("cfg.json", json.dumps({"config": {}}).encode())
        manifest = [
            {"Config": "cfg.json", "RepoTags": ["atlas-s1.mine:latest"], "Layers": ["abc123/layer.tar"]}
        ]
        add("manifest.json", json.dumps(manifest).encode())
        add("repositories", json.dumps({"atlas-s1.mine": {"latest": "abc123"}}).encode())
    return buf.getvalue()


def pieces(data: bytes, seed: int):
    """`data` cut at random places, as a socket delivers it."""
    rnd = random.Random(seed)
    i = 0
    while i < len(data):
        n = rnd.randint(1, 70_000)
        yield data[i : i + n]
        i += n


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_files_renamed_everything_else_unchanged(seed):
    layer = os.urandom(300_000)
    out = b"".join(savetar.rename(pieces(save_archive(layer), seed), lambda t: t.replace("atlas-s1.", "")))
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        names = tar.getnames()
        assert json.loads(tar.extractfile("manifest.json").read())[0]["RepoTags"] == ["mine:latest"]
        assert json.loads(tar.extractfile("repositories").read()) == {"mine": {"latest": "abc123"}}
        assert tar.extractfile("abc123/layer.tar").read() == layer
        assert tar.getmember("def456/layer.tar").linkname == "../abc123/layer.tar"
        assert tar.getmember("abc123").isdir() and tar.getmember("abc123").mode == 0o755
    assert names == ["abc123", "abc123/VERSION", "abc123/layer.tar", "def456", "def456/layer.tar", "cfg.json",
                     "manifest.json", "repositories"]  # fmt: skip
    assert b"atlas-s1." not in out


def test_a_truncated_archive_is_an_error():
    data = save_archive(os.urandom(100_000))
    with pytest.raises(tarfile.ReadError):
        b"".join(savetar.rename([data[:50_000]], str))


def test_output_streams_without_holding_the_archive():
    """The first pieces come out before the (large) layer has been read to its end."""
    layer = os.urandom(2_000_000)
    seen = []

    def source():
        for piece in pieces(save_archive(layer), 7):
            seen.append(len(piece))
            yield piece

    out = savetar.rename(source(), str)
    first = next(out) + next(out) + next(out)
    assert first and sum(seen) < 1_000_000
