"""Members' privacy, as one contract: opt-outs, and everything stored about a member.

An opt-out is committed to SQLite and honoured inside every document write (`opted_out_among`
is checked in the same transaction, whichever path the document came by: live message, edit,
backfill, DiscordChatExporter or JSON-lines import). `export` and `forget` run every service's
`MemberData` (bot.privacy.member_data), so a data-protection request covers the whole database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.privacy.member_data import MemberData
from index.database import Database
from index.errors import InputError
from index.knowledge import KnowledgeBase

MAX_MEMBER_ID = 100


@dataclass(frozen=True)
class PrivacyStatus:
    member_id: str
    opted_out: bool
    since: datetime | None = None


def opted_out_among(conn: sqlite3.Connection, member_ids: set[str]) -> set[str]:
    """Which of these members opted out; run inside the document write's own transaction."""
    found: set[str] = set()
    ids = sorted(member_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT member_id FROM privacy_optouts WHERE member_id IN ({marks})", chunk)
        found.update(row[0] for row in rows)
    return found


def member_id(value: str | int) -> str:
    """A member id as given by an operator: one token, not empty, not absurdly long."""
    text = str(value).strip()
    if not text or len(text) > MAX_MEMBER_ID or any(ch.isspace() for ch in text):
        raise InputError(f"member id {str(value)[:40]!r}: give one id without spaces (a Discord user id)")
    return text


class PrivacyService:
    """Opt-out removes a member's indexed posts and stops future indexing; opt-in resumes indexing.

    Opting back in does not bring old posts back by itself: they were deleted on request. New posts
    (and a moderator's reindex/backfill) are indexed again.
    """

    def __init__(
        self,
        db: Database,
        knowledge: Callable[[], KnowledgeBase],
        clock: Callable[[], datetime],
        parts: Callable[[], Iterable[MemberData]] = tuple,
    ):
        self._db = db
        self._knowledge = knowledge  # a callable, so checking a status never opens the search index
        self._clock = clock
        self._parts = parts  # the other services' MemberData, built only for export/forget

    def opt_out(self, member_id: str | int, platform: str = "discord") -> int:
        """Record the opt-out first (so no new post slips in), then delete what is indexed.

        Returns how many documents were removed.
        """
        member = str(member_id)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO privacy_optouts (member_id, platform, opted_out_at) VALUES (?, ?, ?)",
                (member, platform, self._clock().isoformat()),
            )
        return self._knowledge().delete_where(author_id=member)

    def opt_in(self, member_id: str | int) -> bool:
        """Returns True if the member had opted out."""
        with self._db.transaction() as conn:
            cur = conn.execute("DELETE FROM privacy_optouts WHERE member_id = ?", (str(member_id),))
            return cur.rowcount > 0

    def is_opted_out(self, member_id: str | int) -> bool:
        rows = self._db.query("SELECT 1 FROM privacy_optouts WHERE member_id = ?", (str(member_id),))
        return bool(rows)

    def status(self, member_id: str | int) -> PrivacyStatus:
        rows = self._db.query(
            "SELECT opted_out_at FROM privacy_optouts WHERE member_id = ?", (str(member_id),)
        )
        if not rows:
            return PrivacyStatus(str(member_id), False)
        return PrivacyStatus(str(member_id), True, datetime.fromisoformat(rows[0]["opted_out_at"]))

    # -- the whole contract ------------------------------------------------------------------------

    def member_data(self) -> MemberData:
        return MemberData(
            name="opt_out",
            tables={"privacy_optouts": ("member_id",)},
            export=self._export_optout,
            forget=lambda member: 0,  # kept on purpose, see forget(); `opt_in` removes it
        )

    def parts(self) -> list[MemberData]:
        return [self.member_data(), *self._parts()]

    def export(self, member_id: str | int) -> dict:
        """Everything stored about the member, service by service."""
        member = str(member_id)
        return {"member_id": member, **{part.name: part.export(member) for part in self.parts()}}

    def forget(self, member_id: str | int) -> dict[str, int]:
        """Erase everything stored about the member (submitted files included); records other
        members need (a moderator's decisions, session edits) keep the act but lose the name.

        An opt-out is recorded first and kept: otherwise the next backfill or import of the
        channel would index their old messages again. It holds only the id; `opt_in` lifts it.
        """
        member = str(member_id)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO privacy_optouts (member_id, platform, opted_out_at) VALUES (?, ?, ?)",
                (member, "forget", self._clock().isoformat()),
            )
        return {part.name: part.forget(member) for part in self.parts()}

    def _export_optout(self, member: str) -> dict | None:
        rows = self._db.query(
            "SELECT platform, opted_out_at FROM privacy_optouts WHERE member_id = ?", (member,)
        )
        return dict(rows[0]) if rows else None
