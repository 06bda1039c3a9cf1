"""One schema, upgraded by named migrations; a database from the release before them opens intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import load_config
from index import migrations
from index.database import Database
from index.migrations import MigrationError
from tests.conftest import CONFIG_DIR, RELEASE_1

CONTENT_TABLES = (
    "documents", "submissions", "submission_history", "outbox", "session_announcements",
    "session_overrides", "session_cancellations", "session_changes", "privacy_optouts", "post_channels",
    "mirrored_events",
)  # fmt: skip


def _schema(path: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        conn.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in the previous release's columns (later migrations add some)."""
    old = sqlite3.connect(RELEASE_1 / "clikc.db")
    conn = sqlite3.connect(path)
    try:
        rows = {}
        for table in CONTENT_TABLES:
            columns = ", ".join(row[1] for row in old.execute(f"PRAGMA table_info({table})"))
            rows[table] = sorted(conn.execute(f"SELECT {columns} FROM {table}"), key=repr)
        return rows
    finally:
        conn.close()
        old.close()


@pytest.fixture
def release1(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(RELEASE_1, data)
    return data


def test_migration_1_is_exactly_the_schema_the_previous_release_created(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
    Database(tmp_path / "new.db").close()
    assert _schema(tmp_path / "new.db") == _schema(RELEASE_1 / "clikc.db")


def test_a_database_from_the_previous_release_opens_with_nothing_lost(release1: Path):
    before = _rows(release1 / "clikc.db")
    assert sqlite3.connect(release1 / "clikc.db").execute("PRAGMA user_version").fetchone()[0] == 0
    app = App(load_config(str(CONFIG_DIR / "clikc.yaml"), str(release1)))
    try:
        assert app.db.applied == [step.name for step in migrations.MIGRATIONS]
        assert app.db.applied[:2] == ["create_release_1_schema", "add_documents_doc_type"]
        assert app.db.schema_version() == migrations.latest_version()
        assert _rows(release1 / "clikc.db") == before  # every row of every table, unchanged
        assert len(before["documents"]) == 5 and len(before["privacy_optouts"]) == 2
        assert len(before["session_announcements"]) == 3

        statuses = sorted(s.status for s in app.submissions.list(_local()))
        assert statuses == ["approved", "pending", "rejected"]
        for sub in app.submissions.list(_local()):
            path = app.submissions.file_path(_local(), sub.id)
            assert path is not None and path.read_bytes()  # the submitted files are still there
        assert app.privacy.is_opted_out("222") and app.privacy.is_opted_out("555")
        assert app.posts.last_seen(901) == 5002
        assert [c.action for c in app.sessions.history("community-call")] == ["edit", "cancel"]

        # The search index (not in the fixture) is rebuilt from the database and answers.
        assert app.knowledge.search("drones frontera").results[0].id == "discord-5001"
        assert app.knowledge.search("risk engine cargo").results[0].id.startswith("case-study:")
        hits = app.knowledge.search("IoT seals transit trucks").results
        assert "jl-iot" not in {h.id for h in hits}  # opted out before the upgrade: stays gone
    finally:
        app.close()
    reopened = Database(release1 / "clikc.db")
    assert reopened.applied == []  # stamped: nothing runs twice
    reopened.close()


def test_a_database_made_between_releases_with_doc_type_already_there_is_upgraded(tmp_path: Path):
    shutil.copy(RELEASE_1 / "clikc.db", tmp_path / "clikc.db")
    conn = sqlite3.connect(tmp_path / "clikc.db")
    conn.execute("ALTER TABLE documents ADD COLUMN doc_type TEXT NOT NULL DEFAULT ''")  # as main's store did
    conn.close()
    db = Database(tmp_path / "clikc.db")
    assert "add_documents_doc_type" in db.applied and db.schema_version() == migrations.latest_version()
    db.close()


def test_each_migration_runs_in_its_own_transaction(tmp_path: Path, monkeypatch):
    Database(tmp_path / "clikc.db").close()

    def add_broken_table(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    steps = [*migrations.MIGRATIONS, migrations.Step(len(migrations.MIGRATIONS) + 1, "x", add_broken_table)]
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    with pytest.raises(RuntimeError):
        Database(tmp_path / "clikc.db")
    conn = sqlite3.connect(tmp_path / "clikc.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(steps) - 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchall()
    conn.close()


def test_adding_a_migration_is_one_function(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    Database(tmp_path / "clikc.db").close()

    @migrations.migration
    def add_documents_reviewed_at(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE documents ADD COLUMN reviewed_at TEXT")

    db = Database(tmp_path / "clikc.db")
    assert db.applied == ["add_documents_reviewed_at"]
    assert "reviewed_at" in {row["name"] for row in db.query("PRAGMA table_info(documents)")}
    db.close()


def test_a_database_from_a_newer_release_is_refused_in_one_line(tmp_path: Path, capsys):
    data = tmp_path / "var"
    Database(data / "clikc.db").close()
    conn = sqlite3.connect(data / "clikc.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    status = main(["--config", str(CONFIG_DIR / "clikc.yaml"), "--data-dir", str(data), "index", "stats"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "schema version 99, newer than this release's" in err


def test_an_unknown_version_0_database_is_not_taken_for_the_previous_release(tmp_path: Path):
    conn = sqlite3.connect(tmp_path / "clikc.db")
    conn.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, body TEXT)")
    conn.close()
    with pytest.raises(MigrationError, match="lacks column"):
        Database(tmp_path / "clikc.db")


def _local():
    from bot.members import Actor

    return Actor.local()
