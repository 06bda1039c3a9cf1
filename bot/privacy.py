"""Members' choice to keep their posts out of the index: committed to SQLite, honoured by the indexer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from index.database import Database
from index.knowledge import KnowledgeBase


@dataclass(frozen=True)
class PrivacyStatus:
    member_id: str
    opted_out: bool
    since: datetime | None = None


class PrivacyService:
    """Opt-out removes a member's indexed posts and stops future indexing; opt-in resumes indexing.

    Opting back in does not bring old posts back by itself: they were deleted on request. New posts
    (and a moderator's reindex/backfill) are indexed again.
    """

    def __init__(self, db: Database, knowledge: Callable[[], KnowledgeBase], clock: Callable[[], datetime]):
        self._db = db
        self._knowledge = knowledge  # a callable, so checking a status never opens the search index
        self._clock = clock

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
