"""A chat message as a document: the one mapping used by export imports and live indexing.

Callers hand over plain data (`ChatMessage`): the DiscordChatExporter import reads it from JSON,
the Discord adapter from a `discord.Message`. The document id scheme, kind and metadata keys are
decided here only, so a message imported from an export and the same message seen live are the
same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from index.documents import Document


@dataclass(frozen=True)
class ChatMessage:
    message_id: str
    channel_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime | None
    guild_id: str | None = None  # None: unknown (left out of the metadata)
    parent_id: str | None = None  # the channel a thread belongs to
    edited_at: datetime | None = None
    title: str = ""  # a forum post's or thread's name
    url: str = ""  # the message's jump link
    source: str = ""  # where it was posted, as people reading stats see it


def message_document_id(message_id: int | str) -> str:
    return f"discord-{message_id}"


def message_document(message: ChatMessage) -> Document:
    meta = {"author_id": message.author_id, "channel_id": message.channel_id}
    if message.guild_id is not None:
        meta["guild_id"] = message.guild_id
    meta["message_id"] = message.message_id
    if message.parent_id is not None:
        meta["parent_id"] = message.parent_id
    if message.edited_at is not None:
        meta["edited_at"] = message.edited_at.isoformat()
    return Document(
        id=message_document_id(message.message_id),
        text=message.text,
        kind="post",
        title=message.title,
        author=message.author_name,
        date=message.created_at,
        url=message.url,
        source=message.source,
        meta=meta,
    )
