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
import tarfile
import tempfile
import zlib
from typing import BinaryIO

from .policy import buildcontext as rules
from .policy import containers as container_rules
from .policy.buildcontext import DOCKERFILE_MAX, Bounds, clean_path  # noqa: F401 - re-exported

CHUNK = 64 * 1024
UNREADABLE = (EOFError, OSError, lzma.LZMAError, zlib.error)  # what a broken compressed stream raises


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
            rules.check_header_room(room)
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
    rules.check_compression(head)
    return None


def _is_tar(body: BinaryIO) -> bool:
    block = body.read(512)
    body.seek(0)  # a decompressing stream rewinds by decompressing again: 512 bytes here
    if len(block) < 512:
        return False
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


class Context:
    """A checked build context: the Dockerfile text, and the new tar (without the Dockerfile yet)."""

    def __init__(self, dockerfile_path: str, dockerfile: str, out: BinaryIO, tar: tarfile.TarFile) -> None:
        self.dockerfile_path = dockerfile_path
        self.dockerfile = dockerfile
        self._out = out
        self._tar = tar
        self.bounds = Bounds()

    def measure(self, archives: bool) -> tuple[int, int]:
        """(bytes of the context's files, bytes ADD would unpack from its archives: only when
        `archives`, i.e. the Dockerfile has an ADD); refused (context.nested) past `bounds`."""
        return measure_archives(self._out, self.bounds, archives)

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
        rules.check_dockerfile(wanted, len(text), regular=True)
        out = tempfile.TemporaryFile()
        return Context(
            wanted,
            rules.dockerfile_text(text),
            out,
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT),
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
    ctx = Context(path, rules.dockerfile_text(data), out, tout)
    ctx.bounds = bounds
    return ctx


def measure_archives(out: BinaryIO, bounds: Bounds, archives: bool = True) -> tuple[int, int]:
    """(bytes of the files, bytes their archives unpack to: 0 unless `archives`) of the new context tar
    `out` (being written: read from its start, then left where it was). An archive is what `ADD`
    unpacks inside the engine: a file that is a tar once decompressed (gzip, bzip2, xz, as the engine
    sniffs it)."""
    where = out.tell()
    files = unpacked = entries = 0
    out.seek(0)
    try:
        with tarfile.open(fileobj=out, mode="r:") as tar:
            for member in tar:
                if member.isreg():
                    files += member.size
                    if not archives:
                        continue
                    size, count = _archive(member.name, tar.extractfile(member), bounds, unpacked, entries)  # type: ignore[arg-type]
                    unpacked, entries = unpacked + size, entries + count
    except tarfile.ReadError:  # an empty tar (only the Dockerfile, added later)
        pass
    finally:
        out.seek(where)
    return files, unpacked


def check_upload(body: BinaryIO, bounds: Bounds) -> None:
    """An archive uploaded into a container (PUT /containers/{id}/archive, `docker cp`), which the
    engine decompresses and unpacks itself: within `bounds` once unpacked (rule containers.archive).
    `body` is left at its start."""
    try:
        _archive("upload", body, bounds, 0, 0, container_rules.check_upload)
    finally:
        body.seek(0)


def _archive(
    name: str, data: BinaryIO, bounds: Bounds, before: int, entries: int, check=rules.check_nested
) -> tuple[int, int]:
    """(bytes of files, entries) the engine would unpack from `name` ((0, 0): not an archive), as ADD
    unpacks a context file; `check` (context.nested) refuses once all archives together pass the
    bounds, or an archive that cannot be measured."""
    head = data.read(6)
    data.seek(0)
    if head.startswith(rules.ZSTD_MAGIC):
        check(name, 0, 0, bounds, "zstd compression")
    try:
        stream = _decompressed(data) or data
        if not _is_tar(stream):
            return 0, 0
        size = count = 0
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:  # sizes as the header says: a sparse file unpacks to its full size
                size, count = size + max(member.size, 0), count + 1
                check(name, before + size, entries + count, bounds)
        return size, count
    except (tarfile.TarError, *UNREADABLE) as exc:
        check(name, 0, 0, bounds, str(exc) or type(exc).__name__)
    return 0, 0


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
        rules.refuse_unreadable(exc, broken_stream=False)
    except UNREADABLE as exc:
        rules.refuse_unreadable(exc, broken_stream=True)
    try:
        while True:
            member = tin.next()
            if member is None:
                break
            entries += 1
            rules.check_size(entries, 0, bounds)
            name = rules.check_name(member.name, bounds)
            size = member.size if member.isreg() else 0
            total += size
            rules.check_size(entries, total, bounds)
            counted.allowed = counted.count + size + 2 * 512 + bounds.header
            rules.check_unique(name, seen, dockerfiles)
            rules.check_parents(name, seen)
            is_dockerfile = name == wanted or (fallback and name == "dockerfile")
            info = _sanitised(member, name)
            if member.isreg():
                if is_dockerfile:
                    rules.check_dockerfile(name, size, regular=True)
                    dockerfiles[name] = tin.extractfile(member).read()  # type: ignore[union-attr]
                    seen[name] = "file"
                    continue
                tout.addfile(info, tin.extractfile(member))
                seen[name] = "file"
            elif is_dockerfile:
                rules.check_dockerfile(name, 0, regular=False)
            elif member.isdir():
                tout.addfile(info)
                seen[name] = "dir"
            elif member.issym():
                rules.check_symlink(name, member.linkname)
                tout.addfile(info)
                seen[name] = "link"
            elif member.islnk():
                target = clean_path(member.linkname, "hard link target")
                rules.check_hard_link(name, target, seen, dockerfiles)
                info.linkname = target
                tout.addfile(info)
                seen[name] = "file"
            else:
                rules.refuse_special(name)
    except tarfile.TarError as exc:
        rules.refuse_unreadable(exc, broken_stream=False)
    except UNREADABLE as exc:  # also in the middle of a file: truncated or corrupt
        rules.refuse_unreadable(exc, broken_stream=True)
    finally:
        tin.close()
    if wanted in dockerfiles:
        rules.check_parents(wanted, seen)  # the Dockerfile the gateway adds last must land where it says
        return wanted, dockerfiles[wanted]
    if fallback and "dockerfile" in dockerfiles:
        return "dockerfile", dockerfiles["dockerfile"]
    rules.refuse_missing_dockerfile(wanted)


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
