"""Members' chat posts → knowledge-base documents, independent of the chat platform.

The Discord adapter turns a `discord.Message` into a `Post`; everything that decides what is indexed
(bots, system messages, empty posts, opted-out members) lives here so it is tested without Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.privacy.member_data import MemberData
from bot.privacy.service import PrivacyService
from index.chat import ChatMessage, message_document, message_document_id
from index.database import Database
from index.documents import Document
from index.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    message_id: int
    channel_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    guild_id: int | None = None
    parent_id: int | None = None  # the text/forum channel a thread belongs to
    channel_name: str = ""
    thread_name: str = ""  # a forum post's title, a thread's name
    edited_at: datetime | None = None
    jump_url: str = ""
    is_bot: bool = False
    is_system: bool = False
    addressed_to_bot: bool = False  # a question asked by mentioning the bot, not an experience to share


def document_id(message_id: int | str) -> str:
    return message_document_id(message_id)


def to_document(post: Post) -> Document:
    where = f"#{post.channel_name}" if post.channel_name else f"channel {post.channel_id}"
    return message_document(
        ChatMessage(
            message_id=str(post.message_id),
            channel_id=str(post.channel_id),
            author_id=str(post.author_id),
            author_name=post.author_name,
            text=post.content.strip(),
            created_at=post.created_at,
            guild_id=str(post.guild_id) if post.guild_id is not None else None,
            parent_id=str(post.parent_id) if post.parent_id is not None else None,
            edited_at=post.edited_at,
            title=post.thread_name,
            url=post.jump_url,
            source=f"discord {where}",
        )
    )


def document_json(doc: Document) -> dict:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "text": doc.text,
        "author": doc.author,
        "date": doc.date.isoformat() if doc.date else None,
        "url": doc.url,
        "source": doc.source,
        "meta": doc.meta,
    }


@dataclass
class BatchResult:
    seen: int = 0
    indexed: int = 0  # added or updated
    skipped: int = 0


class PostIndexer:
    """Index, update and remove posts; remember the newest message seen per channel for backfill."""

    def __init__(
        self,
        db: Database,
        knowledge: Callable[[], KnowledgeBase],
        privacy: PrivacyService,
        clock: Callable[[], datetime],
    ):
        self._db = db
        self._knowledge = knowledge
        self._privacy = privacy
        self._clock = clock

    def member_data(self) -> MemberData:
        """Documents by a member (their posts, however they came in: live, backfill, import)."""
        return MemberData(
            name="documents",
            tables={"documents": ("author_id", "author")},
            export=self._export_documents,
            forget=lambda member: self._knowledge().delete_where(author_id=member),
        )

    def _export_documents(self, member: str) -> list[dict]:
        kb = self._knowledge()
        found = kb.store.get_many(kb.store.ids_where(author_id=member))
        return [document_json(doc) for doc, _ in sorted(found.values(), key=lambda pair: pair[0].id)]

    def skip_reason(self, post: Post) -> str | None:
        """Why this post is not indexed, or None if it is."""
        if post.is_bot:
            return "bot"
        if post.is_system:
            return "system"
        if post.addressed_to_bot:
            return "question"
        if not post.content.strip():
            return "empty"
        if self._privacy.is_opted_out(post.author_id):
            return "opted-out"
        return None

    def index(self, post: Post) -> str:
        """'added' | 'updated' | 'unchanged' | 'removed' | 'skipped'.

        A post edited down to nothing (or whose author opted out) is removed if it was indexed.
        """
        reason = self.skip_reason(post)
        if reason is None:
            outcome = self._knowledge().upsert(to_document(post))
        elif reason in {"empty", "opted-out"} and self._knowledge().delete(document_id(post.message_id)):
            outcome = "removed"
        else:
            outcome = "skipped"
        self.mark_seen(post.channel_id, post.message_id)
        return outcome

    def index_batch(self, posts: Iterable[Post]) -> BatchResult:
        """Backfill: one knowledge-base batch, then the channels' high-water marks (so a crash re-reads)."""
        result = BatchResult()
        docs = []
        newest: dict[int, int] = {}
        for post in posts:
            result.seen += 1
            newest[post.channel_id] = max(newest.get(post.channel_id, 0), post.message_id)
            if self.skip_reason(post) is None:
                docs.append(to_document(post))
            else:
                result.skipped += 1
        if docs:
            outcomes = self._knowledge().upsert_many(docs)
            result.indexed = sum(1 for o in outcomes if o in {"added", "updated"})
        for channel_id, message_id in newest.items():
            self.mark_seen(channel_id, message_id)
        return result

    def delete(self, message_id: int) -> bool:
        return self._knowledge().delete(document_id(message_id))

    def delete_many(self, message_ids: Iterable[int]) -> int:
        kb = self._knowledge()
        return sum(1 for message_id in message_ids if kb.delete(document_id(message_id)))

    def delete_channel(self, channel_id: int) -> int:
        """A thread or forum post was deleted: drop every indexed post in it, and its backfill mark."""
        removed = self._knowledge().delete_where(channel_id=str(channel_id))
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM post_channels WHERE channel_id = ?", (int(channel_id),))
        return removed

    def last_seen(self, channel_id: int) -> int | None:
        rows = self._db.query(
            "SELECT last_message_id FROM post_channels WHERE channel_id = ?", (int(channel_id),)
        )
        return rows[0]["last_message_id"] if rows else None

    def mark_seen(self, channel_id: int, message_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO post_channels (channel_id, last_message_id, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(channel_id) DO UPDATE SET "
                "last_message_id = max(last_message_id, excluded.last_message_id), "
                "updated_at = excluded.updated_at",
                (int(channel_id), int(message_id), self._clock().isoformat()),
            )
