"""The SQLite database every service shares: one file in the data directory, the source of truth.

Opening it brings its schema up to date (index.migrations), so no service creates tables. The
folder is private to the bot's user (0700) and the database files are 0600: they hold members'
posts and submissions.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index import migrations

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Create `path` (and parents) for the bot's data; the folder itself ends up 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)


def make_private_file(path: Path) -> None:
    """Ensure an existing file is 0600 (the process umask may have made it 0644)."""
    try:
        if path.stat().st_mode & 0o777 != FILE_MODE:
            path.chmod(FILE_MODE)
    except FileNotFoundError:
        pass


class Database:
    """A connection shared across threads, serialised by a lock.

    Services run their work in worker threads (so Discord's event loop never blocks); one lock
    keeps their transactions from interleaving on the connection.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        memory = str(path) == ":memory:"
        if not memory:
            make_private_dir(self.path.parent)
            # Created 0600 before SQLite opens it, whatever the umask.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # a receipt means the row survives a power cut
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.RLock()
        try:
            self.applied: list[str] = migrations.migrate(self._conn)  # names, for `restore` to report
        except BaseException:
            self._conn.close()
            raise
        if not memory:  # SQLite gives -wal and -shm the database's mode; an older file may be 0644
            for suffix in ("", "-wal", "-shm"):
                make_private_file(Path(f"{self.path}{suffix}"))

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for SQLite's online backup (hold `lock` while using it)."""
        return self._conn

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def schema_version(self) -> int:
        with self._lock:
            return migrations.current_version(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolled back on any exception. Nested use joins the outer one."""
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def checkpoints_every(self, pages: int) -> Iterator[None]:
        """Inside, the write-ahead log is copied back into the database every `pages` pages instead
        of SQLite's 1000 (a bulk ingest): each of its transactions rewrites pages spread over the
        lexicon and the indexes, and a checkpoint after nearly every one copied the same pages
        again and again. A checkpoint only moves what is already committed: nothing changes for
        durability. Afterwards the log is copied back and cut to nothing: SQLite keeps a log file at
        the largest size it reached, tens of MB after a long ingest."""
        with self._lock:
            before = self._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            self._conn.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
        try:
            yield
        finally:
            with self._lock:
                self._conn.execute(f"PRAGMA wal_autocheckpoint={int(before)}")
                # Waits for readers up to the busy timeout, then gives up without an error (it only
                # reports busy): the log is then cut by a later checkpoint.
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def executescript(self, sql: str) -> None:
        with self._lock:
            self._conn.executescript(sql)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
