"""Channels and roles named in the config by id or by name, matched against what Discord reports."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot import members
from bot.config import DiscordSettings
from bot.members import Actor

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
    """The configured server; unset, the bot's only server (with several, none: which one would be
    a guess, and moderation must never be)."""
    guilds = list(guilds)
    if ref is None:
        return guilds[0] if len(guilds) == 1 else None
    return next((guild for guild in guilds if matches(ref, guild.id, guild.name)), None)


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


def in_guild(obj: object, guild: discord.Guild | None) -> bool:
    """An interaction, message or member from `guild` (never true without one)."""
    if isinstance(obj, discord.Interaction):
        where = obj.guild_id  # None in direct messages, whatever `guild` a cache might offer
    else:
        where = getattr(getattr(obj, "guild", None), "id", None)
    return guild is not None and where == guild.id


def actor(user: discord.abc.User, home: discord.Guild | None) -> Actor:
    """The platform-neutral Actor the services check permissions on.

    Roles and permissions count only when `user` is a member of the home server: a role named
    "Moderador" on another server is another server's business.
    """
    roles: list[str] = []
    permissions: list[str] = []
    if isinstance(user, discord.Member) and in_guild(user, home):
        for role in user.roles:
            roles += [str(role.id), role.name]
        if user.guild_permissions.manage_guild:
            permissions.append(members.MANAGE_SERVER)
    return Actor(
        id=str(user.id),
        name=user.display_name,
        roles=tuple(roles),
        platform="discord",
        permissions=tuple(permissions),
    )


def is_moderator(user: discord.abc.User, home: discord.Guild | None, settings: DiscordSettings) -> bool:
    """A member of the home server, listed by user id or holding a listed role (id, or name within
    the home server) or Manage Server: the same rule the services apply."""
    return in_guild(user, home) and members.is_moderator(actor(user, home), settings.moderators)


def role_ids(guild: discord.Guild | None, refs: Iterable[Ref]) -> dict[str, list[int]]:
    """Each configured role and the home server's roles it names (to log what a name resolved to)."""
    found: dict[str, list[int]] = {}
    for ref in refs:
        roles = list(guild.roles) if guild is not None else []
        found[str(ref)] = [role.id for role in roles if matches(ref, role.id, role.name)]
    return found
