"""One archive holding everything the bot cannot re-derive: the database and the submitted files.

`backup` runs while the bot is running: SQLite's online backup API copies a consistent snapshot of
the database (writers carry on in the WAL), then the submitted files are added, then a manifest with
every member's size and SHA-256. The search index is left out: it is rebuilt from the database.

`restore` accepts only an empty data directory and trusts nothing in the archive: every member must
be a regular file the manifest lists, under a plain relative name (no `..`, no absolute path, no
link), no bigger than the manifest says and with its checksum. It unpacks beside the data directory
and moves into place only when everything checked out, so a bad archive leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from index.database import FILE_MODE, Database, make_private_dir
from index.errors import InputError

FORMAT = "clikc-bot-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "clikc.db"
FILES = "files"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(InputError):
    """An archive that cannot be restored, or a place it cannot go; one line for users."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    schema_version: int
    documents: int
    submissions: int
    files: int
    bytes: int


def backup(db: Database, files_dir: Path, target: Path, clock: Callable[[], datetime]) -> BackupSummary:
    """Write the archive to `target` (atomically: a temporary name, then a rename)."""
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target}: is a folder; give the archive's file name (e.g. clikc-backup.tar.gz)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    if target.resolve().is_relative_to(db.path.resolve().parent):
        raise BackupError(f"{target}: put the archive outside the data directory it backs up")
    scratch = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    scratch.mkdir(mode=0o700)
    try:
        snapshot = scratch / DATABASE
        dest = sqlite3.connect(snapshot)
        try:
            with db.lock:  # the shared connection is not used by another thread meanwhile
                db.connection.backup(dest)  # one step: a consistent snapshot; writers continue in the WAL
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            schema_version = dest.execute("PRAGMA user_version").fetchone()[0]
            documents = dest.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            submissions = dest.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        finally:
            dest.close()
        entries = [(DATABASE, snapshot)]
        if files_dir.is_dir():
            for path in sorted(files_dir.rglob("*")):
                # temp files are uncommitted uploads; links are not ours to follow
                if path.is_file() and not path.is_symlink() and not path.name.startswith(".tmp-"):
                    entries.append((str(PurePosixPath(FILES, *path.relative_to(files_dir).parts)), path))
        members = {}
        for name, path in entries:
            try:
                members[name] = _measure(path)
            except FileNotFoundError:  # forgotten since the snapshot named it: nothing to keep
                continue
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": clock().isoformat(),
            "schema_version": schema_version,
            "documents": documents,
            "submissions": submissions,
            "members": members,
        }
        partial = scratch / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            # The manifest first: a restore checks each member against it as it streams by.
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), FILE_MODE, int(clock().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in entries:
                if name in members and _add(tar, name, path) != members[name]:
                    raise BackupError(f"{path}: changed during the backup; run the backup again")
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
        return BackupSummary(
            target,
            schema_version,
            documents,
            submissions,
            len(manifest["members"]) - 1,
            target.stat().st_size,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _measure(path: Path) -> dict:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict | None:
    """Add one file as it is now; returns the size and hash of exactly the bytes written."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, FILE_MODE, int(os.fstat(fh.fileno()).st_mtime)
        hashing = _Hashing(fh, size)
        tar.addfile(info, hashing)
        if hashing.left:  # shrank while being read
            return None
        return {"bytes": size, "sha256": hashing.digest.hexdigest()}


class _Hashing(io.RawIOBase):
    """Reads at most `size` bytes of a file, hashing them (a file that grew is cut at its size)."""

    def __init__(self, fh, size: int):
        self.fh, self.left, self.digest = fh, size, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        self.digest.update(data)
        return data


def restore(archive: Path, data_dir: Path) -> dict:
    """Unpack a backup into an empty (or absent) data directory; returns the archive's manifest.

    The caller then opens the database (which migrates an older one) and rebuilds the index.
    """
    archive, data_dir = Path(archive), Path(data_dir)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(
            f"{data_dir}: not empty; restore only into an empty data directory (move this one aside first)"
        )
    make_private_dir(data_dir.parent)
    staging = data_dir.parent / f".{data_dir.name}.restore-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        manifest = _unpack(archive, staging)
        _check_database(archive, staging / DATABASE)
        if data_dir.exists():
            data_dir.rmdir()  # empty, checked above
        os.replace(staging, data_dir)
        data_dir.chmod(0o700)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack(archive: Path, staging: Path) -> dict:
    bad = f"{archive}: not a usable clikc-bot backup"
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise BackupError(f"{bad}: it does not start with {MANIFEST}")
            manifest = _read_manifest(tar, first, bad)
            expected: dict = manifest["members"]
            seen: set[str] = set()
            while (member := tar.next()) is not None:  # streamed, one member at a time
                name = member.name
                if name not in expected or name in seen or not _plain_name(name):
                    raise BackupError(f"{bad}: unexpected member {name[:80]!r}")
                if not member.isreg():
                    raise BackupError(f"{bad}: member {name[:80]!r} is not a regular file")
                want = expected[name]
                if member.size != want["bytes"]:
                    raise BackupError(f"{bad}: member {name[:80]!r} has the wrong size")
                seen.add(name)
                _extract(tar, member, staging / Path(*PurePosixPath(name).parts), want, bad)
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"{bad}: {len(missing)} member(s) missing, e.g. {missing[0][:80]!r}")
            return manifest
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        why = (str(exc).splitlines() or ["damaged"])[0][:120]
        raise BackupError(f"{bad}: {why or 'damaged'}") from None


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, bad: str) -> dict:
    if not member.isreg() or member.size > MAX_MANIFEST_BYTES:
        raise BackupError(f"{bad}: its {MANIFEST} is not a small regular file")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{bad}: its {MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{bad}: its {MANIFEST} is not a clikc-bot manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{bad}: format version {manifest.get('format_version')!r} is not {FORMAT_VERSION}")
    members = manifest.get("members")
    valid = isinstance(members, dict) and DATABASE in members
    for name, want in (members or {}).items() if valid else ():
        valid = valid and _plain_name(name) and isinstance(want, dict)
        valid = valid and isinstance(want.get("bytes"), int) and want["bytes"] >= 0
        valid = valid and isinstance(want.get("sha256"), str)
    if not valid:
        raise BackupError(f"{bad}: its {MANIFEST} does not list the database and files properly")
    return manifest


def _plain_name(name: str) -> bool:
    """`clikc.db` or `files/<relative path>`: nothing absolute, no `..`, no backslash or NUL."""
    if name == DATABASE:
        return True
    if "\\" in name or "\0" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    return len(parts) >= 2 and parts[0] == FILES and all(p not in ("", ".", "..") for p in parts)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, want: dict, bad: str) -> None:
    source = tar.extractfile(member)
    digest = hashlib.sha256()
    written = 0
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > want["bytes"]:
                raise BackupError(f"{bad}: member {member.name[:80]!r} is bigger than its manifest says")
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != want["sha256"]:
        raise BackupError(f"{bad}: member {member.name[:80]!r} fails its checksum (damaged)")


def _check_database(archive: Path, path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{archive}: its database cannot be read: {exc}") from None
    if result != "ok":
        raise BackupError(f"{archive}: its database is damaged: {str(result)[:120]}")
