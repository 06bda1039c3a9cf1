"""Related experiences, offered not imposed: when a member asks a question in a channel where the
moderators turned this on, the bot may offer up to three experience reports on the same subject.

The rules are the ones a polite colleague follows: only for questions (the ingest's own document
classifier decides, in any of the four languages), never for a moderator's announcement, at most once
per thread, and not again to the same member within a quiet time. Only experience reports are
offered — not other questions, not the member's own posts, never an opted-out member's.

An offer is claimed in SQLite before it is sent (so a restart cannot send it twice) and its reply
message recorded after; "Not helpful" removes the reply but keeps the claim, so the bot does not
offer again in that thread. A crash between the claim and the send loses that one offer: for a
suggestion nobody asked for, silence is the right side to err on.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.privacy.member_data import MemberData
from bot.privacy.service import opted_out_among
from bot.search.filters import build_filters
from index.database import Database
from index.doctype import EXPERIENCE, QUESTION, classify
from index.documents import Hit, QueryError
from index.knowledge import KnowledgeBase

MAX_RELATED = 3
OFFER_ID_CHARS = 12  # hex; goes into the "Not helpful" button's custom_id
MIN_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{2,}")
_MENTION = re.compile(r"<[@#][!&]?\d+>|https?://\S+")
SEARCH_DEPTH = 15  # hits read to find MAX_RELATED that are neither the asker's nor an opted-out member's


def is_question(text: str) -> bool:
    """A post that asks something, as the ingest classifies documents (index.doctype), with words
    enough to search by ("ok?" or "what?" is conversation, not a subject)."""
    return len(_WORD.findall(_MENTION.sub(" ", text))) >= MIN_WORDS and classify(text) == QUESTION


def quiet_until(last_offer: datetime | None, quiet: timedelta) -> datetime | None:
    """When a member may be offered related experiences again (None: now)."""
    return None if last_offer is None else last_offer + quiet


def in_quiet_time(last_offer: datetime | None, quiet: timedelta, now: datetime) -> bool:
    until = quiet_until(last_offer, quiet)
    return until is not None and now < until


@dataclass(frozen=True)
class Asked:
    """A post that might get an offer, as the adapter saw it."""

    message_id: str
    thread_id: str  # the thread the offer goes to: the post's own thread, or the one started from it
    channel_id: str  # the configured channel (a thread's parent)
    author_id: str
    text: str
    by_moderator: bool = False
    by_bot: bool = False


@dataclass(frozen=True)
class Offer:
    id: str
    thread_id: str
    asker_id: str
    results: list[Hit]


class RelatedService:
    def __init__(
        self,
        db: Database,
        knowledge: Callable[[], KnowledgeBase],
        clock: Callable[[], datetime],
        *,
        quiet: timedelta,
        limit: int = MAX_RELATED,
    ):
        self._db = db
        self._knowledge = knowledge
        self._clock = clock
        self.channels: set[str] = set()  # ids of the channels where offers are on (the adapter resolves them)
        self.quiet = quiet
        self.limit = max(1, min(limit, MAX_RELATED))

    def why_not(self, asked: Asked) -> str | None:
        """Why no offer is made for this post (a short reason for the log), or None to search."""
        if asked.channel_id not in self.channels:
            return "channel not enabled"
        if asked.by_bot:
            return "a bot"
        if asked.by_moderator:
            return "a moderator"
        if not is_question(asked.text):
            return "not a question"
        with self._db.transaction() as conn:
            if opted_out_among(conn, {asked.author_id}):
                return "member opted out"
            return self._taken(conn, asked, self._clock())

    def _taken(self, conn, asked: Asked, now: datetime) -> str | None:
        """The once-per-thread and quiet-time rules, against what is stored."""
        if conn.execute("SELECT 1 FROM related_offers WHERE thread_id = ?", (asked.thread_id,)).fetchone():
            return "already offered in this thread"
        last = conn.execute(
            "SELECT MAX(offered_at) FROM related_offers WHERE asker_id = ?", (asked.author_id,)
        ).fetchone()[0]
        if in_quiet_time(datetime.fromisoformat(last) if last else None, self.quiet, now):
            return "member's quiet time"
        return None

    def language(self, text: str) -> str:
        """The question's language, for the reply (a message carries no locale)."""
        return self._knowledge().tagger.detector.detect(text)

    def find(self, asked: Asked) -> list[Hit]:
        """Up to `limit` experience reports for the question, none by the asker or an opted-out member."""
        kb = self._knowledge()
        try:
            answer = kb.search(asked.text, build_filters(doc_type=EXPERIENCE), limit=SEARCH_DEPTH)
        except QueryError:
            return []  # nothing searchable in it
        hits = [hit for hit in answer.results if hit.doc_type == EXPERIENCE]
        if not hits:
            return []
        marks = ",".join("?" * len(hits))
        with self._db.transaction() as conn:
            authors = {
                row[0]: row[1]
                for row in conn.execute(
                    f"SELECT id, author_id FROM documents WHERE id IN ({marks})", [h.id for h in hits]
                )
            }
            out = opted_out_among(conn, {a for a in authors.values() if a})
        return [
            hit
            for hit in hits
            if hit.id in authors and authors[hit.id] != asked.author_id and authors[hit.id] not in out
        ][: self.limit]

    def claim(self, asked: Asked, results: Sequence[Hit]) -> Offer | None:
        """Record the offer before it is sent; None if the thread or the member's quiet time was taken
        meanwhile (two posts at once), so at most one is sent."""
        now = self._clock()
        offer_id = secrets.token_hex(OFFER_ID_CHARS // 2)
        with self._db.transaction() as conn:
            if self._taken(conn, asked, now):
                return None
            conn.execute(
                "INSERT INTO related_offers (id, thread_id, message_id, asker_id, result_ids, offered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    offer_id,
                    asked.thread_id,
                    asked.message_id,
                    asked.author_id,
                    json.dumps([h.id for h in results]),
                    now.isoformat(),
                ),
            )
        return Offer(offer_id, asked.thread_id, asked.author_id, list(results))

    def sent(self, offer_id: str, reply_id: str, thread_created: bool) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE related_offers SET reply_id = ?, thread_created = ? WHERE id = ?",
                (reply_id, int(thread_created), offer_id),
            )

    def unclaim(self, offer_id: str) -> None:
        """The send failed: as if it had never been offered (the member saw nothing)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM related_offers WHERE id = ? AND reply_id IS NULL", (offer_id,))

    def get(self, offer_id: str) -> StoredOffer | None:
        rows = self._db.query(
            "SELECT id, thread_id, asker_id, reply_id, thread_created, dismissed_at FROM related_offers "
            "WHERE id = ?",
            (offer_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredOffer(
            r["id"],
            r["thread_id"],
            r["asker_id"] or "",
            r["reply_id"],
            bool(r["thread_created"]),
            r["dismissed_at"] is not None,
        )

    def may_dismiss(self, offer: StoredOffer, member_id: str, is_moderator: bool) -> bool:
        """Only the member who asked, or a moderator, may remove the bot's reply."""
        return is_moderator or (bool(offer.asker_id) and offer.asker_id == str(member_id))

    def dismissed(self, offer_id: str) -> bool:
        """Mark the reply removed (the thread keeps its one offer); False if it already was."""
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE related_offers SET dismissed_at = ? WHERE id = ? AND dismissed_at IS NULL",
                    (self._clock().isoformat(), offer_id),
                ).rowcount
                > 0
            )

    # -- privacy -----------------------------------------------------------------------------------

    def member_data(self) -> MemberData:
        """Offers made to a member (which thread, when, what was offered). Forgetting keeps the thread's
        mark without the member, so the bot still does not offer twice there."""
        return MemberData(
            name="related_offers",
            tables={"related_offers": ("asker_id",)},
            export=self._export,
            forget=self._forget,
        )

    def _export(self, member_id: str) -> list[dict]:
        rows = self._db.query(
            "SELECT thread_id, message_id, result_ids, offered_at, dismissed_at FROM related_offers "
            "WHERE asker_id = ? ORDER BY offered_at",
            (member_id,),
        )
        return [
            {
                "thread_id": r["thread_id"],
                "message_id": r["message_id"],
                "offered": json.loads(r["result_ids"]),
                "offered_at": r["offered_at"],
                "dismissed_at": r["dismissed_at"],
            }
            for r in rows
        ]

    def _forget(self, member_id: str) -> int:
        with self._db.transaction() as conn:
            return conn.execute(
                "UPDATE related_offers SET asker_id = NULL, message_id = NULL WHERE asker_id = ?",
                (member_id,),
            ).rowcount


@dataclass(frozen=True)
class StoredOffer:
    id: str
    thread_id: str
    asker_id: str
    reply_id: str | None
    thread_created: bool
    dismissed: bool
