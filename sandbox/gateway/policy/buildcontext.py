"""The rules of a build context (`docker build`'s upload), entry by entry.

gateway/buildcontext.py streams the upload from disk and copies it into a new plain tar; for each
header it reads it asks these rules, which decide what a context may hold: bounded size, entries,
depth and headers; one Dockerfile at the path the build names, as a plain UTF-8 file; no absolute
or `..` paths, duplicates, devices or fifos; hard links only to earlier files; symbolic links that
stay inside the context.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import NoReturn

from ..errors import Denied
from .rules import rule

MiB = 1024 * 1024
DOCKERFILE_MAX = 1 * MiB
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


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


@rule("context.compression")
def check_compression(head: bytes) -> None:
    """Contexts are plain, gzip, bzip2 or xz tars (as the engine sniffs them); zstd is refused."""
    if head.startswith(ZSTD_MAGIC):
        raise Denied("zstd-compressed build contexts are not accepted; send a plain or gzip tar")


@rule("context.archive")
def refuse_unreadable(exc: BaseException, broken_stream: bool) -> NoReturn:
    """A context that is not a tar archive, or whose compression is broken or truncated, is refused
    with the reader's reason (`broken_stream`: the decompression failed, not the tar format)."""
    if broken_stream:
        raise Denied(f"the build context could not be read: broken compression or truncated ({exc})")
    raise Denied(f"the build context is not a valid tar archive ({exc})")


@rule("context.headers")
def check_header_room(room: int) -> None:
    """The tar headers before one entry (long names, pax records) may take at most Bounds.header."""
    if room <= 0:
        raise Denied("the build context has tar headers larger than 1 MiB (long names, pax records)")


@rule("context.path")
def clean_path(name: str, what: str = "entry") -> str:
    """A context path without `./` and trailing `/`; absolute paths, `..` and NUL are refused."""
    if "\x00" in name:
        raise Denied(f"the build context has a bad {what} name {name[:80]!r}")
    if name.startswith("/"):
        raise Denied(f"the build context has an absolute {what} path {name[:80]!r}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Denied(f"the build context has a {what} path with '..': {name[:80]!r}")
    return "/".join(parts)


@rule("context.name")
def check_name(raw: str, bounds: Bounds) -> str:
    """An entry's clean path: not empty, at most Bounds.depth folders deep, Bounds.name characters
    long and Bounds.component characters a component."""
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


@rule("context.size")
def check_size(entries: int, unpacked: int, bounds: Bounds) -> None:
    """A context holds at most Bounds.entries entries and Bounds.unpacked bytes of files."""
    if entries > bounds.entries:
        raise Denied(f"the build context has more than {bounds.entries} entries")
    if unpacked > bounds.unpacked:
        raise Denied(f"the build context unpacks to more than {bounds.unpacked // MiB} MiB")


@rule("context.unique")
def check_unique(name: str, seen: dict[str, str], dockerfiles: dict[str, bytes]) -> None:
    """Each path appears once (`Dockerfile` and `./Dockerfile` are the same path)."""
    if name in seen or name in dockerfiles:
        raise Denied(f"the build context has {name!r} more than once")


@rule("context.parents")
def check_parents(name: str, seen: dict[str, str]) -> None:
    """No entry lies under an earlier symbolic link or file (`seen`: path -> file, dir or link)."""
    parts = name.split("/")
    for i in range(1, len(parts)):
        parent = "/".join(parts[:i])
        kind = seen.get(parent)
        if kind == "link":
            raise Denied(f"the build context has {name!r} under the symbolic link {parent!r}")
        if kind == "file":
            raise Denied(f"the build context has {name!r} under the file {parent!r}")


@rule("context.dockerfile")
def check_dockerfile(name: str, size: int, regular: bool) -> None:
    """The Dockerfile is a regular file of at most DOCKERFILE_MAX bytes, not a link or folder."""
    if not regular:
        raise Denied(f"the Dockerfile ({name}) must be a regular file, not a link or folder")
    if size > DOCKERFILE_MAX:
        raise Denied(f"the Dockerfile is larger than {DOCKERFILE_MAX // MiB} MiB")


@rule("context.dockerfile-text")
def dockerfile_text(data: bytes) -> str:
    """The Dockerfile's text: UTF-8, else refused."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Denied("the Dockerfile is not UTF-8 text") from None


@rule("context.dockerfile-missing")
def refuse_missing_dockerfile(wanted: str) -> NoReturn:
    """A context without the Dockerfile the build names (`-f`, default `Dockerfile`) is refused."""
    raise Denied(f"the build context has no {wanted}")


@rule("context.hard-link")
def check_hard_link(name: str, target: str, seen: dict[str, str], dockerfiles: dict[str, bytes]) -> None:
    """A hard link points to an earlier regular file of the context (not the Dockerfile)."""
    if seen.get(target) != "file" or target in dockerfiles:
        raise Denied(f"the build context has a hard link {name!r} to {target!r}, not an earlier file")


@rule("context.symlink")
def check_symlink(name: str, target: str) -> None:
    """A symbolic link's target, resolved from its folder, stays inside the context."""
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


@rule("context.special")
def refuse_special(name: str) -> NoReturn:
    """Devices, fifos and other special files are refused."""
    raise Denied(f"the build context has {name!r}, a device, fifo or other special file")


@rule("context.nested")
def check_nested(name: str, unpacked: int, entries: int, bounds: Bounds, problem: str = "") -> None:
    """A file of the context that `ADD` would unpack inside the engine (a tar, maybe gzip, bzip2 or xz
    compressed; `unpacked` bytes of files and `entries` so far, all such files together) stays within
    Bounds.unpacked and Bounds.entries; a zstd-compressed or unreadable one (`problem`) is refused."""
    if problem:
        raise Denied(f"the build context's {name} cannot be checked ({problem}); ADD would unpack it")
    if unpacked > bounds.unpacked or entries > bounds.entries:
        raise Denied(
            f"the build context's {name} and its other archives unpack to more than "
            f"{bounds.unpacked // MiB} MiB or {bounds.entries} entries (ADD would unpack them)"
        )


@rule("build.writes")
def check_build_writes(copies: int, adds: int, files: int, archives: int, limit: int) -> None:
    """What the engine writes for COPY and ADD (outside any container, where no disk watcher can stop
    it): each of the `copies` COPY may copy the context's `files` bytes, each of the `adds` ADD those
    and the `archives` it unpacks; in all at most `limit` bytes (limits.session_disk)."""
    most = copies * files + adds * (files + archives)
    if most > limit:
        raise Denied(
            f"this build could write {most // MiB} MiB with COPY and ADD ({copies + adds} instructions "
            f"reading {(files + archives) // MiB} MiB of context), more than the sandbox's "
            f"{limit // MiB} MiB disk budget"
        )
