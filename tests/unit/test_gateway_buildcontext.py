"""Build contexts: read from a stream with bounds, normalised, re-packed with the policy's Dockerfile."""

from __future__ import annotations

import io
import tarfile

import pytest

from sandbox.gateway.buildcontext import Bounds, read_context
from sandbox.gateway.errors import Denied


def tar_of(*entries: tuple[str, bytes | tarfile.TarInfo], mode: str = "w") -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in entries:
            if isinstance(data, tarfile.TarInfo):
                tar.addfile(data)
            else:
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o4755
                tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def members(fileobj) -> dict[str, bytes | str]:
    with tarfile.open(fileobj=fileobj, mode="r") as tar:
        return {
            m.name: (tar.extractfile(m).read() if m.isreg() else m.linkname or m.type.decode())
            for m in tar.getmembers()
        }


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_the_new_tar_has_the_files_and_the_policys_dockerfile(mode):
    body = tar_of(
        ("./Dockerfile", b"FROM x\n"),
        ("a/f", b"data"),
        ("l", link("l", "a/f")),
        ("h", link("h", "a/f", tarfile.LNKTYPE)),
        mode=mode,
    )
    ctx = read_context(body, "", Bounds())
    assert ctx.dockerfile == "FROM x\n" and ctx.dockerfile_path == "Dockerfile"
    with ctx.finish("FROM sha256:1\n") as out:
        got = members(out)
    assert got == {"a/f": b"data", "l": "a/f", "h": "a/f", "Dockerfile": b"FROM sha256:1\n"}


def test_a_bare_dockerfile_and_the_lowercase_fallback():
    ctx = read_context(io.BytesIO(b"FROM busybox\n"), "", Bounds())
    assert ctx.dockerfile == "FROM busybox\n"
    with ctx.finish("FROM y\n") as out:
        assert members(out) == {"Dockerfile": b"FROM y\n"}
    ctx = read_context(tar_of(("dockerfile", b"FROM z\n")), "", Bounds())
    assert ctx.dockerfile_path == "dockerfile"
    ctx.close()
    with pytest.raises(Denied, match="has no Dockerfile"):
        read_context(tar_of(("dockerfile", b"FROM z\n")), "Dockerfile", Bounds())


@pytest.mark.parametrize(
    ("entries", "dockerfile", "reason"),
    [
        ([("sub", link("sub", "other")), ("sub/Dockerfile", b"FROM x\n")], "sub/Dockerfile", "symbolic link"),
        ([("sub/Dockerfile", b"FROM x\n"), ("sub", link("sub", "other"))], "sub/Dockerfile", "symbolic link"),
        ([("Dockerfile", link("Dockerfile", "evil"))], "", "must be a regular file"),
        ([("Dockerfile", b"FROM x\n")], "../Dockerfile", "'..'"),
        ([("Dockerfile", b"FROM x\n")], "/Dockerfile", "absolute"),
        ([("Dockerfile", b"FROM x\n"), ("f", b"1"), ("f/g", b"2")], "", "under the file"),
    ],
)
def test_refusals(entries, dockerfile, reason):
    with pytest.raises(Denied, match=reason):
        read_context(tar_of(*entries), dockerfile, Bounds())


def test_bounds_are_checked_while_reading():
    many = [("Dockerfile", b"FROM x\n")] + [(f"f{i}", b"") for i in range(11)]
    with pytest.raises(Denied, match="more than 10 entries"):
        read_context(tar_of(*many), "", Bounds(entries=10))
    with pytest.raises(Denied, match="unpacks to more than"):
        read_context(tar_of(("Dockerfile", b"FROM x\n"), ("big", bytes(3000))), "", Bounds(unpacked=2048))
    long = tarfile.TarInfo("x" * 200)
    long.pax_headers = {"comment": "c" * 5000}
    with pytest.raises(Denied, match="tar headers larger than"):
        read_context(tar_of(("Dockerfile", b"FROM x\n"), ("p", long)), "", Bounds(header=4096))


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_truncated_and_corrupt_archives_are_refused(mode):
    data = tar_of(("Dockerfile", b"FROM x\n"), ("big", bytes(range(256)) * 400), mode=mode).getvalue()
    for broken in (data[: len(data) // 2], data[:40] + bytes(len(data) - 40)):
        with pytest.raises(Denied, match="could not be read|not a valid tar"):
            read_context(io.BytesIO(broken), "", Bounds())


def test_a_tar_that_ends_right_after_its_last_file_is_read_like_the_engine_does():
    """The docker CLI's tar for `-f <file outside the context>`: no padding, no end-of-archive blocks."""
    data = tar_of(("Dockerfile", b"FROM x\n"), (".dockerignore", b"a" * 47)).getvalue()
    cut = 512 + 512 + 512 + 47  # two headers and their padded data, the last header, its 47 bytes
    ctx = read_context(io.BytesIO(data[:cut]), "", Bounds())
    with ctx.finish("FROM y\n") as out:
        assert members(out)[".dockerignore"] == b"a" * 47
