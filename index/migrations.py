"""The database's schema, as one ordered list of named migrations: how every release upgrades.

`PRAGMA user_version` holds how many migrations a database has had. `migrate` applies the missing
ones in order, each in its own transaction together with its new version number, so a crash
leaves the database at the previous version or the next, never between. Services never create
tables: the application opens the database through `index.database.Database`, which migrates.

How to add a migration (one function, one line):

    @migration
    def add_documents_language_checked(conn: sqlite3.Connection) -> None:
        \"\"\"Why the change is needed.\"\"\"
        conn.execute("ALTER TABLE documents ADD COLUMN checked_at TEXT")

Append it below the last one (the decorator numbers migrations in file order; never reorder,
rename or edit one that has shipped — write a new one). It runs inside a transaction: use
`conn.execute` (or `run_script`), never `executescript`, which would commit half-way.

Code that still creates its own table (a constant marked `# MIGRATION:` applied with
`executescript`) moves here the same way: its DDL becomes the body of a new migration (without
`IF NOT EXISTS` guards needed, though harmless), and the constant and its call are deleted.

A database made before migrations existed has user_version 0 but already has tables; it is
recognised by them (`_adopt_legacy`): migration 1 is exactly the schema that release created, so
it fills in whatever that database lacked and the database is stamped at version 1.

Over 400 lines on purpose: this is the one ordered history of the schema, every migration kept as
it shipped; splitting it would hide the order that `migrate` depends on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

Migration = Callable[[sqlite3.Connection], None]


class MigrationError(Exception):
    """The database cannot be brought to this release's schema; the message is one line for users."""


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Migration


MIGRATIONS: list[Step] = []


def migration(func: Migration) -> Migration:
    """Register `func` as the next migration, named after the function."""
    MIGRATIONS.append(Step(len(MIGRATIONS) + 1, func.__name__, func))
    return func


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute several statements one by one inside the caller's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]!r}")


# -- the migrations, oldest first -------------------------------------------------------------------

# The schema the last release before migrations created, service by service, verbatim (so that
# sqlite_master of a new database and of an old one read the same).
RELEASE_1_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    date TEXT,
    url TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',            -- as given (front matter, moderator); '' = detect
    technologies TEXT NOT NULL DEFAULT '[]',  -- as given; [] = detect
    meta TEXT NOT NULL DEFAULT '{}',
    author_id TEXT,
    content_hash TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}',          -- derived: index.tagger.Tags
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_author_id ON documents(author_id);
CREATE TABLE IF NOT EXISTS index_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS index_journal_doc ON index_journal(doc_id);
CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lexicon (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS privacy_optouts (
    member_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL DEFAULT 'discord',
    opted_out_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS post_channels (
    channel_id INTEGER PRIMARY KEY,
    last_message_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    title TEXT NOT NULL,
    member TEXT NOT NULL,
    summary TEXT NOT NULL,
    results TEXT NOT NULL,
    contact TEXT NOT NULL,
    url TEXT NOT NULL,
    file_text TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_format TEXT NOT NULL,
    stored_file TEXT NOT NULL,
    file_bytes INTEGER NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    lang TEXT NOT NULL,
    technologies TEXT NOT NULL,
    submitter_id TEXT NOT NULL,
    submitter_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, submitted_at);
CREATE INDEX IF NOT EXISTS submissions_submitter ON submissions (submitter_id);
CREATE TABLE IF NOT EXISTS submission_history (
    id INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    action TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS submission_history_by_id ON submission_history (submission_id, id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, id);

            CREATE TABLE IF NOT EXISTS session_overrides (
                session_id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,              -- added: data is the whole session; override: changed fields
                data TEXT NOT NULL,              -- JSON; in an override, null removes the YAML's field
                updated_by TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS session_cancellations (
                session_id TEXT NOT NULL,
                occurrence_start TEXT NOT NULL,  -- UTC, YYYY-MM-DDTHH:MM:SSZ
                cancelled_by TEXT NOT NULL,
                cancelled_at TEXT NOT NULL,
                PRIMARY KEY (session_id, occurrence_start)
            );
            CREATE TABLE IF NOT EXISTS session_changes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL,
                action TEXT NOT NULL,
                details TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            );

            CREATE TABLE IF NOT EXISTS session_announcements (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL,
                occurrence_start TEXT NOT NULL,     -- UTC, YYYY-MM-DDTHH:MM:SSZ
                occurrence_end TEXT NOT NULL,
                kind TEXT NOT NULL,                 -- reminder | cancelled | moved
                lead TEXT,                          -- e.g. 1d; NULL for notices (and for a moved-in time)
                lead_seconds INTEGER,
                new_start TEXT,
                snapshot TEXT NOT NULL,
                posted_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS session_announcements_start
                ON session_announcements (occurrence_start);

CREATE TABLE IF NOT EXISTS mirrored_events (
    calendar TEXT NOT NULL,          -- where the events live (a Discord guild id)
    occurrence_key TEXT NOT NULL,    -- Occurrence.key: session id @ UTC start
    event_id TEXT NOT NULL,          -- the platform's event id; '' = removed there by someone, left alone
    fingerprint TEXT NOT NULL,       -- of what was last sent, to notice edits
    starts_at TEXT NOT NULL,         -- UTC, as sent (an occurrence over is forgotten, not deleted)
    ends_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (calendar, occurrence_key)
);
"""


@migration
def create_release_1_schema(conn: sqlite3.Connection) -> None:
    """Documents, index journal, lexicon, opt-outs, post channels, submissions, sessions,
    announcements and mirrored events: everything the release before migrations created."""
    run_script(conn, RELEASE_1_SCHEMA)


@migration
def add_documents_doc_type(conn: sqlite3.Connection) -> None:
    """documents.doc_type: what a document is (experience/question/event/resource/other), derived at
    ingest like `tags` and filled again by a rebuild; a column so SQLite can count and filter by it.
    (Guarded: databases made between releases got it from the store itself.)"""
    add_column(conn, "documents", "doc_type", "TEXT NOT NULL DEFAULT ''")


@migration
def add_answer_feedback(conn: sqlite3.Connection) -> None:
    """Answers shown on Discord and members' Helpful / Not helpful votes on them (the member only as a
    salted hash, the salt in feedback_salt), for `feedback report` (issue 13)."""
    run_script(
        conn,
        """
CREATE TABLE IF NOT EXISTS feedback_answers (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    result_ids TEXT NOT NULL,
    lang TEXT,
    suggestion TEXT,
    asked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback_votes (
    answer_id TEXT NOT NULL REFERENCES feedback_answers(id) ON DELETE CASCADE,
    voter TEXT NOT NULL,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, voter)
);
CREATE INDEX IF NOT EXISTS feedback_answers_normalised ON feedback_answers (normalised);
CREATE TABLE IF NOT EXISTS feedback_salt (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    salt TEXT NOT NULL
);
""",
    )


@migration
def add_session_reminders(conn: sqlite3.Connection) -> None:
    """Members' "Interested" in a session's sitting and the personal reminders sent for it (issue 13)."""
    run_script(
        conn,
        """
CREATE TABLE IF NOT EXISTS session_interest (
    session_id TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    member_id TEXT NOT NULL,
    platform TEXT NOT NULL DEFAULT 'discord',
    lang TEXT,
    since TEXT NOT NULL,
    PRIMARY KEY (session_id, start_utc, member_id)
);
CREATE INDEX IF NOT EXISTS session_interest_start ON session_interest (start_utc);
CREATE TABLE IF NOT EXISTS session_reminders (
    session_id TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    member_id TEXT NOT NULL,
    lead TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (session_id, start_utc, member_id, lead)
);
""",
    )


@migration
def add_related_offers_and_digests(conn: sqlite3.Connection) -> None:
    """Related-experience offers made in threads (once per thread, a quiet time per member) and the
    digests posted, one row per period, claimed before sending (issue 13, items 5 and 6)."""
    run_script(
        conn,
        """
CREATE TABLE IF NOT EXISTS related_offers (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL UNIQUE,  -- the thread the offer went to (once per thread)
    message_id TEXT,                 -- the member's question
    asker_id TEXT,                   -- NULL once the member is forgotten (the thread keeps its mark)
    result_ids TEXT NOT NULL,        -- JSON list of the document ids offered
    offered_at TEXT NOT NULL,
    reply_id TEXT,                   -- the bot's reply, once sent
    thread_created INTEGER NOT NULL DEFAULT 0,
    dismissed_at TEXT                -- "Not helpful" removed the reply
);
CREATE INDEX IF NOT EXISTS related_offers_asker ON related_offers (asker_id, offered_at);
CREATE TABLE IF NOT EXISTS digests (
    period TEXT PRIMARY KEY,         -- the period's UTC start, e.g. 2026-03-09T09:00Z
    covered_from TEXT NOT NULL,
    covered_until TEXT NOT NULL,
    doc_ids TEXT NOT NULL,           -- JSON list of the documents it lists, chosen when claimed
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'empty')),
    claimed_at TEXT NOT NULL,
    message_id TEXT,
    sent_at TEXT
);
""",
    )


@migration
def add_library_posts(conn: sqlite3.Connection) -> None:
    """Documents published to the Discord library channel (issue 13, item 2): what should be posted
    (`wanted`, `version` bumped by each change the post must show) beside what was posted, so the
    running bot catches up after a restart; and case-study withdrawals by moderators."""
    run_script(
        conn,
        """
CREATE TABLE IF NOT EXISTS library_posts (
    doc_id TEXT PRIMARY KEY,
    wanted INTEGER NOT NULL CHECK (wanted IN (0, 1)),
    version INTEGER NOT NULL,
    posted_version INTEGER NOT NULL DEFAULT 0,
    channel_id TEXT,
    thread_id TEXT,
    message_id TEXT,
    url TEXT,
    requested_at TEXT NOT NULL,
    posted_at TEXT
);
CREATE TABLE IF NOT EXISTS submission_withdrawals (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
);
""",
    )
    # case studies approved before this release get their post too, once the bot has a library channel
    conn.execute(
        "INSERT OR IGNORE INTO library_posts (doc_id, wanted, version, requested_at)"
        " SELECT 'case-study:' || id, 1, 1, COALESCE(reviewed_at, submitted_at) FROM submissions"
        " WHERE status = 'approved'"
    )


@migration
def add_answer_filters(conn: sqlite3.Connection) -> None:
    """The filters an answer was asked with, so its did-you-mean button asks again with them (issue 13)."""
    add_column(conn, "feedback_answers", "filters", "TEXT NOT NULL DEFAULT '{}'")


def add_column(conn: sqlite3.Connection, table: str, column: str, ddl: str) -> None:
    """ALTER TABLE ADD COLUMN unless the column is already there."""
    if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({_quoted(table)})")}:
        conn.execute(f"ALTER TABLE {_quoted(table)} ADD COLUMN {column} {ddl}")


# -- applying them ------------------------------------------------------------------------------------


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Bring the database to the latest version; returns the names of the migrations applied.

    `conn` must be in autocommit mode (isolation_level=None). Safe when several processes open the
    database at once: each step re-reads the version under the write lock.
    """
    applied: list[str] = []
    if current_version(conn) > latest_version():
        raise MigrationError(_too_new(current_version(conn)))
    if current_version(conn) == latest_version():
        return applied  # the usual case: no write lock taken
    for step in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = current_version(conn)
            if version > latest_version():
                raise MigrationError(_too_new(version))
            if version >= step.version:
                conn.execute("ROLLBACK")
                continue
            if version == 0:
                _adopt_legacy(conn)
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {step.version:d}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(step.name)
    return applied


def _too_new(version: int) -> str:
    return (
        f"the database is at schema version {version}, newer than this release's {latest_version()}:"
        " install the newer release (or restore a backup made by this one)"
    )


def _adopt_legacy(conn: sqlite3.Connection) -> None:
    """A version-0 database with tables is the release before migrations: check it really is."""
    expected = _release_1_columns()
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    for table in sorted(existing & expected.keys()):
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({_quoted(table)})")}
        missing = expected[table] - columns
        if missing:
            raise MigrationError(
                f"the database's table {table} lacks column(s) {', '.join(sorted(missing))}: "
                "it was not made by a release this one can upgrade"
            )


def _release_1_columns() -> dict[str, set[str]]:
    scratch = sqlite3.connect(":memory:")
    try:
        run_script(scratch, RELEASE_1_SCHEMA)
        tables = [r[0] for r in scratch.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {r[1] for r in scratch.execute(f"PRAGMA table_info({_quoted(t)})")} for t in tables}
    finally:
        scratch.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
