"""Build contexts: read the learner's upload as a stream from disk, check it, write a new plain tar.

`docker build` sends its context as a tar (maybe gzip/bzip2/xz compressed). The gateway never holds
it in memory: the request body is spooled to a temporary file (server.py), read here entry by entry
with bounds (`Bounds`: unpacked bytes, entry count, path depth and length, header size), normalised
(one Dockerfile at the path the build names, no duplicate, absolute or `..` entries, no devices or
fifos, hard links only to earlier files, symlinks that stay inside the context) and copied into a NEW
plain tar on disk. The Dockerfile itself is kept aside: the policy reads it and `Context.finish` adds
the Dockerfile the engine should build (the policy's rendering) as the last entry.

A body that is not an archive is a bare Dockerfile (`curl --data-binary @Dockerfile`), as the engine
accepts it; it becomes a context holding only that Dockerfile.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from .errors import Denied

MiB = 1024 * 1024
DOCKERFILE_MAX = 1 * MiB
CHUNK = 64 * 1024
UNREADABLE = (EOFError, OSError, lzma.LZMAError, zlib.error)  # what a broken compressed stream raises


@dataclass(frozen=True)
class Bounds:
    """What one build context may hold once unpacked."""

    unpacked: int = 256 * MiB  # total bytes of the files
    entries: int = 20_000
    depth: int = 64  # path components
    name: int = 1024  # characters of a path
    component: int = 255  # characters of one path component
    header: int = 1 * MiB  # bytes of tar headers (pax, long names) before one entry

    @classmethod
    def for_upload(cls, limit: int) -> Bounds:
        """Bounds for an upload of at most `limit` bytes: up to 4x unpacked, at least 64 MiB."""
        return cls(unpacked=max(4 * limit, 64 * MiB))


class _Counted(io.RawIOBase):
    """The decompressed stream, counted: tarfile may not read more than `allowed` bytes in all.

    At its end it adds the zero padding and end-of-archive blocks when they are missing, as Go's tar
    reader (the engine's) does not need them: the docker CLI's `-f <file outside the context>` tar
    ends right after its last file's data."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0
        self.allowed = 0
        self.tail = b""
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self.ended:
            data, self.tail = self.tail[: len(b)], self.tail[len(b) :]
        else:
            room = self.allowed - self.count
            if room <= 0:
                raise Denied("the build context has tar headers larger than 1 MiB (long names, pax records)")
            data = self.raw.read(min(len(b), room, CHUNK))
            if not data:
                self.ended = True
                self.tail = bytes(-self.count % 512 + 1024)
                return self.readinto(b)
        b[: len(data)] = data
        self.count += len(data)
        return len(data)


def _decompressed(body: BinaryIO) -> BinaryIO | None:
    """The body as an uncompressed stream (the engine's gzip/bzip2/xz sniffing); None: not compressed."""
    head = body.read(6)
    body.seek(0)
    if head.startswith(b"\x1f\x8b\x08"):
        return gzip.GzipFile(fileobj=body, mode="rb")  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        return bz2.BZ2File(body, "rb")  # type: ignore[return-value]
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(body, "rb")  # type: ignore[return-value]
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        raise Denied("zstd-compressed build contexts are not accepted; send a plain or gzip tar")
    return None


def _is_tar(body: BinaryIO) -> bool:
    block = body.read(512)
    body.seek(0)
    if len(block) < 512:
        return False
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def clean_path(name: str, what: str = "entry") -> str:
    """A context path without `./` and trailing `/`; Denied for absolute, `..` or empty paths."""
    if "\x00" in name:
        raise Denied(f"the build context has a bad {what} name {name[:80]!r}")
    if name.startswith("/"):
        raise Denied(f"the build context has an absolute {what} path {name[:80]!r}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Denied(f"the build context has a {what} path with '..': {name[:80]!r}")
    return "/".join(parts)


class Context:
    """A checked build context: the Dockerfile text, and the new tar (without the Dockerfile yet)."""

    def __init__(self, dockerfile_path: str, dockerfile: str, out: BinaryIO, tar: tarfile.TarFile) -> None:
        self.dockerfile_path = dockerfile_path
        self.dockerfile = dockerfile
        self._out = out
        self._tar = tar

    def finish(self, dockerfile: str) -> BinaryIO:
        """Add the Dockerfile the engine builds; the complete tar, positioned at its start."""
        data = dockerfile.encode()
        info = tarfile.TarInfo(self.dockerfile_path)
        info.size, info.mode, info.mtime = len(data), 0o644, 0
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        self._out.flush()
        self._out.seek(0)
        return self._out

    def close(self) -> None:
        """Drop the new tar (when the build is refused)."""
        self._out.close()


def read_context(body: BinaryIO, dockerfile: str, bounds: Bounds) -> Context:
    """Check the context in `body` (a seekable file) and copy it to a new tar; Denied names the problem.

    `dockerfile` is the path the build names ("" for the engine's default, `Dockerfile`, falling back
    to `dockerfile` as the engine does)."""
    wanted = clean_path(dockerfile or "Dockerfile", "Dockerfile")
    stream = _decompressed(body)
    if stream is None and not _is_tar(body):
        text = body.read(DOCKERFILE_MAX + 1)
        if len(text) > DOCKERFILE_MAX:
            raise Denied(f"the Dockerfile is larger than {DOCKERFILE_MAX // MiB} MiB")
        out = tempfile.TemporaryFile()
        return Context(
            wanted, _text(text), out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)
        )
    counted = _Counted(stream if stream is not None else body)
    reader = io.BufferedReader(counted, CHUNK)
    out = tempfile.TemporaryFile()
    tout = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)
    try:
        found = _copy(reader, counted, tout, wanted, bounds, fallback=not dockerfile)
    except BaseException:
        out.close()
        raise
    path, data = found
    return Context(path, _text(data), out, tout)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Denied("the Dockerfile is not UTF-8 text") from None


def _copy(
    reader: BinaryIO, counted: _Counted, tout: tarfile.TarFile, wanted: str, bounds: Bounds, fallback: bool
) -> tuple[str, bytes]:
    seen: dict[str, str] = {}  # path -> kind ("file", "dir", "link")
    dockerfiles: dict[str, bytes] = {}
    total = entries = 0
    counted.allowed = bounds.header
    try:
        tin = tarfile.open(fileobj=reader, mode="r|")
    except tarfile.TarError as exc:
        raise Denied(f"the build context is not a valid tar archive ({exc})") from None
    except UNREADABLE as exc:
        raise Denied(
            f"the build context could not be read: broken compression or truncated ({exc})"
        ) from None
    try:
        while True:
            member = tin.next()
            if member is None:
                break
            entries += 1
            if entries > bounds.entries:
                raise Denied(f"the build context has more than {bounds.entries} entries")
            name = _check_name(member.name, bounds)
            size = member.size if member.isreg() else 0
            total += size
            if total > bounds.unpacked:
                raise Denied(f"the build context unpacks to more than {bounds.unpacked // MiB} MiB")
            counted.allowed = counted.count + size + 2 * 512 + bounds.header
            if name in seen or (name in dockerfiles):
                raise Denied(f"the build context has {name!r} more than once")
            _check_parents(name, seen)
            is_dockerfile = name == wanted or (fallback and name == "dockerfile")
            info = _sanitised(member, name)
            if member.isreg():
                if is_dockerfile:
                    if size > DOCKERFILE_MAX:
                        raise Denied(f"the Dockerfile is larger than {DOCKERFILE_MAX // MiB} MiB")
                    dockerfiles[name] = tin.extractfile(member).read()  # type: ignore[union-attr]
                    seen[name] = "file"
                    continue
                tout.addfile(info, tin.extractfile(member))
                seen[name] = "file"
            elif is_dockerfile:
                raise Denied(f"the Dockerfile ({name}) must be a regular file, not a link or folder")
            elif member.isdir():
                tout.addfile(info)
                seen[name] = "dir"
            elif member.issym():
                _check_symlink(name, member.linkname)
                tout.addfile(info)
                seen[name] = "link"
            elif member.islnk():
                target = clean_path(member.linkname, "hard link target")
                if seen.get(target) != "file" or target in dockerfiles:
                    raise Denied(
                        f"the build context has a hard link {name!r} to {target!r}, not an earlier file"
                    )
                info.linkname = target
                tout.addfile(info)
                seen[name] = "file"
            else:
                raise Denied(f"the build context has {name!r}, a device, fifo or other special file")
    except tarfile.TarError as exc:
        raise Denied(f"the build context is not a valid tar archive ({exc})") from None
    except UNREADABLE as exc:  # also in the middle of a file: truncated or corrupt
        raise Denied(
            f"the build context could not be read: broken compression or truncated ({exc})"
        ) from None
    finally:
        tin.close()
    if wanted in dockerfiles:
        _check_parents(wanted, seen)  # the Dockerfile the gateway adds last must land where it says
        return wanted, dockerfiles[wanted]
    if fallback and "dockerfile" in dockerfiles:
        return "dockerfile", dockerfiles["dockerfile"]
    raise Denied(f"the build context has no {wanted}")


def _check_name(raw: str, bounds: Bounds) -> str:
    name = clean_path(raw)
    if not name:
        raise Denied(f"the build context has an entry without a name ({raw[:40]!r})")
    parts = name.split("/")
    if len(name) > bounds.name or len(parts) > bounds.depth or max(len(p) for p in parts) > bounds.component:
        raise Denied(
            f"the build context has a path deeper than {bounds.depth} folders or longer than "
            f"{bounds.name} characters: {name[:80]!r}"
        )
    return name


def _check_parents(name: str, seen: dict[str, str]) -> None:
    parts = name.split("/")
    for i in range(1, len(parts)):
        parent = "/".join(parts[:i])
        kind = seen.get(parent)
        if kind == "link":
            raise Denied(f"the build context has {name!r} under the symbolic link {parent!r}")
        if kind == "file":
            raise Denied(f"the build context has {name!r} under the file {parent!r}")


def _check_symlink(name: str, target: str) -> None:
    if "\x00" in target:
        raise Denied(f"the build context has a bad symbolic link {name!r}")
    start = "" if target.startswith("/") else posixpath.dirname(name)
    depth = 0
    for part in posixpath.join(start, target.lstrip("/")).split("/"):
        if part in ("", "."):
            continue
        depth += -1 if part == ".." else 1
        if depth < 0:
            raise Denied(f"the build context has a symbolic link {name!r} -> {target!r} leaving the context")


def _sanitised(member: tarfile.TarInfo, name: str) -> tarfile.TarInfo:
    """A fresh header: name, type, mode, owner, time, size, link target; no pax records (xattrs)."""
    info = tarfile.TarInfo(name + ("/" if member.isdir() else ""))
    info.type = tarfile.REGTYPE if member.isreg() else member.type
    info.mode = member.mode & 0o7777
    info.uid, info.gid = max(member.uid, 0), max(member.gid, 0)
    info.uname, info.gname = member.uname[:32], member.gname[:32]
    info.mtime = member.mtime if 0 <= member.mtime < 2**33 else 0
    info.size = member.size if member.isreg() else 0
    info.linkname = member.linkname if member.issym() else ""
    return info
