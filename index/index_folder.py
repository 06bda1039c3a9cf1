"""The index folder: generations of the search index, a pointer to the live one, one write lock.

A rebuild writes a whole new generation in a folder beside the live one and then replaces the
`CURRENT` pointer in one rename, so a reader (in this process or another) answers from the old
generation until the moment the new one is complete. Writers of every process take `LOCK` first;
readers never do. After each commit the sizes and CRC-32s of the generation's files are recorded
(`CHECKSUMS`), so flipped bytes are found by a check instead of by a question that fails.

Nothing here knows which search engine wrote the files.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

POINTER, LOCK, CHECKSUMS = "CURRENT", "LOCK", "CHECKSUMS"
_GENERATION = re.compile(r"^gen-(\d{6})$")
_NOT_CHECKSUMMED = {CHECKSUMS, "SCHEMA_VERSION"}
_CHUNK = 1 << 20


class LockTimeout(RuntimeError):
    """The write lock stayed with another process for longer than the caller would wait."""


class IndexFolder:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- which generation is live ------------------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's folder; a folder from before generations existed is its own;
        None when there is no index at all."""
        try:
            name = (self.root / POINTER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return self.root if self.root.is_dir() else None
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        return self.root / name if _GENERATION.match(name) else None

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever the pointer is replaced: one stat, cheap enough for every search."""
        try:
            st = os.stat(self.root / POINTER)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def new_generation(self) -> Path:
        """An empty folder for the next generation (a leftover from an interrupted build is removed)."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _GENERATION.match(p.name))]
        folder = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return folder

    def switch_to(self, generation: Path) -> None:
        """Make `generation` live in one rename, after its files are on disk (a power cut leaves
        either the old pointer or a new one naming complete files)."""
        for path in generation.iterdir():
            if path.is_file():
                _fsync_file(path)
        fsync_dir(generation)
        temp = self.root / f".{POINTER}.tmp"
        with temp.open("w", encoding="ascii") as fh:
            fh.write(generation.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, self.root / POINTER)
        fsync_dir(self.root)

    def remove_others(self, keep: Path) -> None:
        """Delete every generation but `keep`, and the files of a pre-generation index. A reader
        of another process still on an old one keeps its open files; its next search follows the
        pointer."""
        for path in self.root.iterdir():
            if path == keep or path.name in (POINTER, LOCK):
                continue
            if path.is_dir() and _GENERATION.match(path.name):
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_file() and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    # -- the write lock ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout: float, waiting_note: str = "") -> Iterator[None]:
        """Hold the write lock; wait up to `timeout` seconds (logging `waiting_note` once if the wait
        is long enough to notice), then LockTimeout."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            deadline = time.monotonic() + timeout
            told = False
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another process has held the write lock for over {timeout:.0f} s")
                if waiting_note and not told and time.monotonic() > deadline - timeout + 1:
                    log.warning(waiting_note)
                    told = True
                time.sleep(0.1)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)

    # -- checksums ---------------------------------------------------------------------------------

    def record_checksums(self, generation: Path) -> None:
        """Sizes and CRC-32s of the generation's files after a commit. Files are never rewritten in
        place (each commit writes new names), so a name already recorded keeps its checksum."""
        known = self.checksums(generation) or {}
        record = {}
        for path in sorted(generation.iterdir()):
            if not path.is_file() or path.name in _NOT_CHECKSUMMED or path.name.endswith("LOCK"):
                continue
            size = path.stat().st_size
            old = known.get(path.name)
            record[path.name] = old if old and old[0] == size else [size, file_crc(path)]
        temp = generation / f".{CHECKSUMS}.tmp"
        temp.write_text(json.dumps(record, sort_keys=True), encoding="ascii")
        os.replace(temp, generation / CHECKSUMS)

    @staticmethod
    def checksums(generation: Path) -> dict[str, list[int]] | None:
        try:
            data = json.loads((generation / CHECKSUMS).read_text(encoding="ascii"))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def verify(self, generation: Path, *, contents: bool) -> list[str]:
        """Problems with the recorded files: missing, resized, or (`contents`) changed bytes."""
        record = self.checksums(generation)
        if record is None:
            return [f"{generation.name}/{CHECKSUMS} is missing or unreadable: the bytes cannot be verified"]
        problems = []
        for name, entry in sorted(record.items()):
            path = generation / name
            try:
                size, crc = int(entry[0]), int(entry[1])
                actual = path.stat().st_size
            except (OSError, TypeError, ValueError, IndexError):
                problems.append(f"{name}: missing")
                continue
            if actual != size:
                problems.append(f"{name}: {actual:,} bytes, {size:,} were written")
            elif contents and file_crc(path) != crc:
                problems.append(f"{name}: its bytes changed since they were written")
        return problems


def file_crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename in the folder durable (a power cut then keeps it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
