"""Builders for Discord API v10 objects (users, members, roles, channels, guilds, messages).

Only shapes live here — no state. Field sets follow Discord's documented objects so that discord.py
parses them exactly as it parses Discord's own payloads.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .snowflakes import snowflake_time

# Channel types (Discord "channel types" table)
GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
GUILD_FORUM = 15

# Permission bits used by the default world
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
MANAGE_EVENTS = 1 << 33
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_MESSAGES | MANAGE_EVENTS | CREATE_EVENTS


def iso(moment: datetime) -> str:
    return moment.isoformat()


def user(user_id: str, username: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": username,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def bot_user(user_id: str, username: str) -> dict[str, Any]:
    data = user(user_id, username, bot=True)
    data.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})
    return data


def member(user_data: dict[str, Any], role_ids: list[str], joined_at: datetime) -> dict[str, Any]:
    """A guild member object *with* its user (as in GUILD_CREATE and GET /guilds/{id}/members/{id})."""
    return {
        "user": user_data,
        "nick": None,
        "avatar": None,
        "banner": None,
        "roles": list(role_ids),
        "joined_at": iso(joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def role(role_id: str, name: str, *, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def text_channel(channel_id: str, guild_id: str, name: str, *, position: int) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": GUILD_TEXT,
        "guild_id": guild_id,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def forum_channel(channel_id: str, guild_id: str, name: str, *, position: int) -> dict[str, Any]:
    data = text_channel(channel_id, guild_id, name, position=position)
    data.update(
        {
            "type": GUILD_FORUM,
            "available_tags": [],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "default_thread_rate_limit_per_user": 0,
        }
    )
    return data


def thread_channel(
    thread_id: str, guild_id: str, parent_id: str, owner_id: str, name: str, created: datetime
) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": PUBLIC_THREAD,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "owner_id": owner_id,
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "total_message_sent": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(created),
            "locked": False,
            "create_timestamp": iso(created),
        },
    }


def dm_channel(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": channel_id, "type": DM, "last_message_id": None, "recipients": [recipient], "flags": 0}


def attachment(
    attachment_id: str, filename: str, size: int, url: str, content_type: str | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": attachment_id,
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "flags": 0,
    }
    if content_type:
        data["content_type"] = content_type
    return data


def message(
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    content: str,
    *,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    message_type: int = 0,
) -> dict[str, Any]:
    """A REST-shaped message (no guild_id/member: the gateway adds those for guild channels)."""
    return {
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": iso(snowflake_time(int(message_id))),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": list(attachments or []),
        "embeds": list(embeds or []),
        "components": list(components or []),
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def mentioned_ids(content: str) -> tuple[list[str], list[str], bool]:
    """(user ids, role ids, @everyone/@here) written in a message's content, in order, no repeats."""
    users = list(dict.fromkeys(_USER_MENTION.findall(content)))
    roles = list(dict.fromkeys(_ROLE_MENTION.findall(content)))
    return users, roles, ("@everyone" in content or "@here" in content)
