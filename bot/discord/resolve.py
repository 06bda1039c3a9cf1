"""Channels and roles named in the config by id or by name, matched against what Discord reports."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot import submissions
from bot.config import DiscordSettings
from bot.submissions import Actor

Ref = int | str


def _as_id(ref: Ref) -> int | None:
    if isinstance(ref, int):
        return ref
    text = str(ref).strip().lstrip("#@&<>")
    return int(text) if text.isdigit() else None


def _name(ref: Ref) -> str:
    return str(ref).strip().lstrip("#@").casefold()


def matches(ref: Ref, obj_id: int, obj_name: str) -> bool:
    ident = _as_id(ref)
    return obj_id == ident if ident is not None else obj_name.casefold() == _name(ref)


def find_guild(guilds: Iterable[discord.Guild], ref: Ref | None) -> discord.Guild | None:
    for guild in guilds:
        if ref is None or matches(ref, guild.id, guild.name):
            return guild
    return None


def find_channel(guild: discord.Guild | None, ref: Ref | None):
    """A text, forum or thread channel by id or name ('#name' accepted); None if not found."""
    if guild is None or ref is None:
        return None
    for channel in list(guild.channels) + list(guild.threads):
        if matches(ref, channel.id, channel.name):
            return channel
    return None


def channel_ids(guild: discord.Guild | None, refs: Iterable[Ref]) -> set[int]:
    """Resolved ids; ids given as numbers are kept even when not (yet) visible to the bot."""
    found: set[int] = set()
    for ref in refs:
        channel = find_channel(guild, ref)
        if channel is not None:
            found.add(channel.id)
        elif (ident := _as_id(ref)) is not None:
            found.add(ident)
    return found


def actor(user: discord.abc.User) -> Actor:
    """The platform-neutral Actor the services check permissions on."""
    roles: list[str] = []
    for role in getattr(user, "roles", None) or []:
        roles += [str(role.id), role.name]
    return Actor(id=str(user.id), name=user.display_name, roles=tuple(roles), platform="discord")


def is_moderator(user: discord.abc.User, settings: DiscordSettings) -> bool:
    """Listed by user id, or holding a listed role (id or name): the same rule the services apply."""
    return submissions.is_moderator(actor(user), settings.moderators)
