"""backup → restore gives the same answers, even when taken during an ingest; hostile archives refused."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import tarfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from index.database import Database
from index.documents import Document
from index.store import DocumentStore
from index.tagger import Tags
from tests.bot.privacy.test_privacy_contract import config_file  # noqa: F401  (fixture: shipped config, no samples)
from tests.conftest import CONFIG_DIR, RELEASE_1

QUESTIONS = ["drones frontera", "risk engine cargo", "blockchain certificates", "escáner contenedores"]


@pytest.fixture
def cli(capsys):
    def run(data: Path, *args: str, config: Path = CONFIG_DIR / "clikc.yaml") -> tuple[int, str, str]:
        status = main(["--config", str(config), "--data-dir", str(data), *args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


@pytest.fixture
def populated(tmp_path: Path) -> Path:
    """A data directory with documents, submissions in every state, their files, opt-outs, sessions."""
    import shutil

    data = tmp_path / "live"
    shutil.copytree(RELEASE_1, data)
    return data


def answers(cli, data: Path) -> list[list[str]]:
    found = []
    for question in QUESTIONS:
        status, out, _ = cli(data, "ask", question, "--json")
        assert status == 0
        found.append([r["id"] for r in json.loads(out)["results"]])
    return found


def test_backup_then_restore_gives_the_same_answers_and_data(cli, populated: Path, tmp_path: Path):
    before = answers(cli, populated)
    export_before = cli(populated, "privacy", "export", "333")[1]
    reviews_before = cli(populated, "review", "list", "--json")[1]
    archive = tmp_path / "clikc.tar.gz"

    status, out, err = cli(populated, "backup", str(archive))
    assert (status, err) == (0, "") and out.startswith("backed up 5 documents, 3 submissions and 3 files")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    restored = tmp_path / "restored"
    status, out, err = cli(restored, "restore", str(archive))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "  search index rebuilt: 5 documents"
    assert answers(cli, restored) == before and any(before)
    assert cli(restored, "privacy", "export", "333")[1] == export_before
    assert cli(restored, "review", "list", "--json")[1] == reviews_before
    for path in (populated / "files" / "submissions").iterdir():
        assert (restored / "files" / "submissions" / path.name).read_bytes() == path.read_bytes()
    assert cli(restored, "privacy", "status", "222")[1].startswith("member 222: opted out since")
    assert stat.S_IMODE(restored.stat().st_mode) == 0o700


def _doc(n: int) -> tuple[Document, Tags]:
    text = f"Concurrent ingest record token{n:05d} about container scanners."
    return Document(id=f"bulk-{n:05d}", text=text, date=datetime(2024, 1, 1, tzinfo=UTC)), Tags(langs=("en",))


def test_a_backup_taken_during_an_ingest_restores_a_consistent_state(cli, populated: Path, tmp_path: Path):
    """Another connection (as another process would) commits batches of 25 while the backup runs."""
    batch, committed, stop = 25, [], threading.Event()

    def ingest() -> None:
        db = Database(populated / "clikc.db")
        store = DocumentStore(db)
        n = 0
        while not stop.is_set() and n < 20_000:
            store.upsert([_doc(n + i) for i in range(batch)], datetime.now(UTC))
            n += batch
            committed.append(n)
        db.close()

    writer = threading.Thread(target=ingest)
    writer.start()
    try:
        while len(committed) < 2 and writer.is_alive():  # back up once the ingest is under way
            stop.wait(0.01)
        assert writer.is_alive(), "the ingest stopped before the backup began"
        status, _, err = cli(populated, "backup", str(tmp_path / "during.tar.gz"))
        running_after = len(committed)
    finally:
        stop.set()
        writer.join()
    assert (status, err) == (0, "")

    restored = tmp_path / "restored"
    assert cli(restored, "restore", str(tmp_path / "during.tar.gz"))[0] == 0
    conn = sqlite3.connect(restored / "clikc.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    bulk = [row[0] for row in conn.execute("SELECT id FROM documents WHERE id LIKE 'bulk-%' ORDER BY id")]
    conn.close()
    assert len(bulk) % batch == 0 and len(bulk) >= 2 * batch  # whole batches only, none torn
    assert bulk == [f"bulk-{n:05d}" for n in range(len(bulk))]  # a prefix of what was committed
    assert len(bulk) <= running_after * batch
    status, out, _ = cli(restored, "ask", f"token{len(bulk) - 1:05d}", "--json")
    assert [r["id"] for r in json.loads(out)["results"]] == [bulk[-1]]  # the index answers for it
    status, out, _ = cli(restored, "index", "stats", "--json")
    assert json.loads(out)["documents"] == len(bulk) + 5 and json.loads(out)["pending"] == 0


# -- refusals: one line, exit 2, nothing written ------------------------------------------------------


def _archive(path: Path, members: list[tuple[str, bytes | None, bytes]], manifest: dict | None) -> Path:
    """members: (name, data or None for a symlink, tar type)."""
    with tarfile.open(path, "w:gz") as tar:
        if manifest is not None:
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(members: dict[str, bytes]) -> dict:
    import hashlib

    return {
        "format": "clikc-bot-backup",
        "format_version": 1,
        "members": {
            n: {"bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()
        },
    }


def _db_bytes(tmp_path: Path) -> bytes:
    Database(tmp_path / "src.db").close()
    return (tmp_path / "src.db").read_bytes()


@pytest.mark.parametrize(
    "case",
    [
        "traversal",
        "absolute",
        "unlisted",
        "symlink",
        "checksum",
        "no-manifest",
        "not-an-archive",
        "truncated",
    ],
)
def test_a_hostile_or_damaged_archive_is_refused_in_one_line(cli, tmp_path: Path, case: str):
    db = _db_bytes(tmp_path)
    evil = b"pwned"
    archive = tmp_path / "bad.tar.gz"
    reg = tarfile.REGTYPE
    if case == "traversal":
        _archive(archive, [("clikc.db", db, reg), ("files/../../evil.txt", evil, reg)],
                 _manifest({"clikc.db": db, "files/../../evil.txt": evil}))  # fmt: skip
    elif case == "absolute":
        target = str(tmp_path / "evil.txt")
        _archive(archive, [("clikc.db", db, reg), (target, evil, reg)], _manifest({"clikc.db": db}))
    elif case == "unlisted":
        _archive(archive, [("clikc.db", db, reg), ("../evil.txt", evil, reg)], _manifest({"clikc.db": db}))
    elif case == "symlink":
        _archive(archive, [("clikc.db", db, reg), ("files/link", None, tarfile.SYMTYPE)],
                 _manifest({"clikc.db": db, "files/link": b""}))  # fmt: skip
    elif case == "checksum":
        _archive(archive, [("clikc.db", db[:-1] + b"\x01", reg)], _manifest({"clikc.db": db}))
    elif case == "no-manifest":
        _archive(archive, [("clikc.db", db, reg)], None)
    elif case == "not-an-archive":
        archive.write_bytes(os.urandom(4096))
    else:
        _archive(archive, [("clikc.db", db, reg)], _manifest({"clikc.db": db}))
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    data = tmp_path / "restored"
    status, out, err = cli(data, "restore", str(archive))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"clikc-bot: {archive}: ")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()
    assert not data.exists() or not any(data.iterdir())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_restore_refuses_a_data_directory_that_is_not_empty(cli, populated: Path, tmp_path: Path):
    archive = tmp_path / "b.tar.gz"
    assert cli(populated, "backup", str(archive))[0] == 0
    status, out, err = cli(populated, "restore", str(archive))
    assert status == 2 and out == ""
    expected = "not empty; restore only into an empty data directory (move this one aside first)"
    assert err == f"clikc-bot: {populated}: {expected}\n"


def test_missing_archive_and_bad_backup_target_are_one_line(cli, tmp_path: Path):
    status, _, err = cli(tmp_path / "d", "restore", str(tmp_path / "nope.tar.gz"))
    assert status == 2 and err == f"clikc-bot: {tmp_path / 'nope.tar.gz'}: no such file\n"
    status, _, err = cli(tmp_path / "d", "backup", str(tmp_path / "no" / "dir" / "b.tar.gz"))
    assert status == 2 and err == f"clikc-bot: {tmp_path / 'no' / 'dir'}: no such folder\n"
    status, _, err = cli(tmp_path / "d", "backup", str(tmp_path / "d" / "b.tar.gz"))
    assert status == 2 and err.endswith("b.tar.gz: put the archive outside the data directory it backs up\n")
