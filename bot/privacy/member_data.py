"""What each service stores about a member, and how to hand it over or erase it: one contract.

Like Red's `red_delete_data_for_user`, every service that keeps member ids implements
`member_data()` returning a `MemberData`: the tables and columns it covers, an `export` and a
`forget`. `PrivacyService` runs them all for `privacy export|forget`. A table added to the schema
must be claimed by one of them or listed in `NO_MEMBER_DATA` (with why): a test fails otherwise,
so a new table cannot be forgotten by `forget`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from index.database import Database

# Tables that hold no member id, and why. Anything else must be covered by a MemberData.
NO_MEMBER_DATA: Mapping[str, str] = {
    "index_journal": "document ids the search index still owes",
    "kb_meta": "knowledge-base bookkeeping",
    "lexicon": "word counts over all documents",
    "post_channels": "per-channel backfill marks",
    "session_announcements": "announcements posted to a channel",
    "mirrored_events": "sessions mirrored as server events",
    "library_posts": "documents' posts in the library channel (document ids and links, nobody's id)",
    "feedback_answers": "answers shown (question, result ids), not who asked or voted",
    "feedback_salt": "the secret members' vote hashes are made with",
    "digests": "digests posted: periods and the document ids listed (re-read, opt-outs honoured, when sent)",
}

# Column names that look like they hold a member's id or name: each must be covered.
MEMBER_COLUMN = re.compile(r"(member|author|submitter|actor|recipient|user|_by$)")

FORGOTTEN = "forgotten member"  # what replaces a moderator's name in records that must stay


@dataclass(frozen=True)
class MemberData:
    """One service's part of the contract."""

    name: str  # the key of its part in an export
    tables: Mapping[str, tuple[str, ...]]  # table → the columns holding member ids or names
    export: Callable[[str], object]  # JSON-ready data stored about the member
    forget: Callable[[str], int]  # erase (or anonymise) it; returns how many records changed


def uncovered(db: Database, parts: Iterable[MemberData]) -> list[str]:
    """Tables and member-looking columns of the live schema that no part covers (should be [])."""
    covered: dict[str, set[str]] = {}
    for part in parts:
        for table, columns in part.tables.items():
            covered.setdefault(table, set()).update(columns)
    problems = []
    tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    for (table,) in (tuple(row) for row in tables):
        columns = [row["name"] for row in db.query(f'PRAGMA table_info("{table}")')]
        looks_personal = [c for c in columns if MEMBER_COLUMN.search(c)]
        if table in NO_MEMBER_DATA:
            problems += [f"{table}.{c} looks like member data" for c in looks_personal]
        elif table not in covered:
            problems.append(f"{table}: not covered by any service's member_data()")
        else:
            problems += [f"{table}.{c} not covered" for c in looks_personal if c not in covered[table]]
    return problems
