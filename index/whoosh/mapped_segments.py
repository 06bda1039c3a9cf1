"""Read Whoosh's compound segment files through their memory map instead of copying them.

Whoosh 2.7.4 maps a segment file and hands each part of it to a `BufferFile`, which wraps the
part in `BytesIO(memoryview)`: a full copy. Every searcher (one after each commit, and one inside
each writer) therefore copied the whole postings and term index of every segment — on a
100k-post index, 117 MB per searcher, three of them alive during a commit, and most of the
100 ms that a single new post took to index. Here the part is read in place from the mapping.

Installed by `install()` (the engine calls it); Whoosh is pinned to 2.7.4, whose
`whoosh.filedb.compound` this replaces one name in.
"""

from __future__ import annotations

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _ViewReader:
    """A read-only, seekable file over a memoryview: what `BytesIO` offers a reader, no copy."""

    def __init__(self, view: memoryview):
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        data = self._view[self._pos : end].tobytes()
        self._pos = end
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        end = self._pos
        while end < limit and self._view[end] != 0x0A:
            end += 1
        return self.read(min(end + 1, limit) - self._pos)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


class MappedBufferFile(BufferFile):
    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf  # private API: BufferFile keeps its buffer in _buf
        self.file = _ViewReader(memoryview(buf))  # private API: StructFile reads through .file


def install() -> None:
    compound.BufferFile = MappedBufferFile  # private API: the class compound.py builds its parts with
