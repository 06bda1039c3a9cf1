"""The originals members attach, kept private and durable beside the database.

A file is written to a temp name and fsynced before its row is inserted; the rename happens inside
the row's transaction (see `SubmissionService._store`), so a crash leaves both or neither. Anything
left over is found here at start.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from index.database import FILE_MODE

ORPHAN_TEMP_AGE_SECONDS = 3600  # a temp file this old belongs to no submission still in flight
TEMP_PREFIX = ".tmp-"


def stray_files(folder: Path, known: Iterable[str], now: float) -> list[Path]:
    """Files no row names (a crash between rename and commit), and temp files too old to be in flight."""
    known = set(known)
    stray = []
    for path in folder.iterdir():
        if not path.is_file() or path.name in known:
            continue
        if path.name.startswith(TEMP_PREFIX):
            try:
                if now - path.stat().st_mtime < ORPHAN_TEMP_AGE_SECONDS:
                    continue  # may belong to a submission being written right now
            except FileNotFoundError:
                continue
        stray.append(path)
    return stray


def write_synced(path: Path, data: bytes) -> None:
    """Members' files are private to the bot's user (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
