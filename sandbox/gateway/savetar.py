"""`docker save` output in the learner's names: the engine writes the names it was sent (the session's
engine names, `atlas-<id>.mine:latest`) into the archive's `manifest.json` and `repositories`; this
rewrites those two small files as the archive streams by, and copies every other entry unchanged.

The archive is never whole in memory: entries are read from the engine's answer and written on in
pieces (`PIECE` bytes); only the two index files (a few KiB) are held to be rewritten.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterable, Iterator

PIECE = 64 * 1024
INDEX_FILES = {"manifest.json", "repositories"}
MAX_INDEX = 4 * 2**20  # an index file larger than this is not one the engine wrote


class _Reader:
    """A file object over an iterable of byte pieces (what tarfile's stream mode reads from)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._it = iter(pieces)
        self._buf = bytearray()

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            piece = next(self._it, None)
            if piece is None:
                break
            self._buf += piece
        n = len(self._buf) if n < 0 else min(n, len(self._buf))
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def rename(pieces: Iterable[bytes], rewrite: Callable[[str], str]) -> Iterator[bytes]:
    """The pieces of a `docker save` archive, with `rewrite` applied to the text of its index files."""
    with tarfile.open(fileobj=_Reader(pieces), mode="r|") as src:  # type: ignore[call-overload]
        for member in src:
            data = src.extractfile(member) if member.isfile() else None
            if data is not None and member.name.lstrip("./") in INDEX_FILES and member.size <= MAX_INDEX:
                text = rewrite(data.read().decode("utf-8")).encode("utf-8")
                member.size = len(text)
                yield member.tobuf(tarfile.PAX_FORMAT)
                yield text + _padding(len(text))
                continue
            yield member.tobuf(tarfile.PAX_FORMAT)
            if data is None:
                continue
            while piece := data.read(PIECE):
                yield piece
            yield _padding(member.size)
    yield b"\0" * (2 * tarfile.BLOCKSIZE)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % tarfile.BLOCKSIZE)
