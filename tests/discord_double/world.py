"""What the double's Discord contains: guilds, channels, roles, members, messages, commands, events.

The world outlives bot instances (a restarted bot finds the same guild, the same messages and the
commands it synced before), which is what lets restart scenarios be tested.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import payloads as p
from .snowflakes import SnowflakeFactory, snowflake_time

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    preferred_locale: str = "en-US"
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    scheduled_events: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class InteractionRecord:
    """One INTERACTION_CREATE the double sent, and everything the bot answered to it."""

    id: str
    token: str
    type: int
    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def responded(self) -> bool:
        return bool(self.callbacks)

    @property
    def callback(self) -> dict[str, Any] | None:
        """The accepted callback body ({"type": ..., "data": ...}), if any."""
        return self.callbacks[0] if self.callbacks else None


class World:
    def __init__(self, snowflakes: SnowflakeFactory, *, token: str, base_url: str = "") -> None:
        self.snowflakes = snowflakes
        self.token = token
        self.base_url = base_url  # set once the server has a port; used for attachment URLs
        self.application_id = snowflakes.next_str()
        self.bot_user = p.bot_user(self.application_id, "clikc-bot")
        self.owner = p.user(snowflakes.next_str(), "secretariat")
        self.users: dict[str, dict[str, Any]] = {
            self.bot_user["id"]: self.bot_user,
            self.owner["id"]: self.owner,
        }
        self.guilds: dict[str, Guild] = {}
        self.dm_channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, dict[str, Any]]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.modals: list[tuple[str, dict[str, Any]]] = []  # (user id, modal data) in the order shown
        self.blobs: dict[str, tuple[bytes, str | None]] = {}

    # ---- building -------------------------------------------------------------------------------

    @classmethod
    def default(cls, snowflakes: SnowflakeFactory, *, token: str) -> World:
        """One guild like the CLiKC! group's: channels to index, a forum, a thread, members, moderators."""
        world = cls(snowflakes, token=token)
        guild = world.add_guild("CLiKC! Americas & Caribbean", owner_id=world.owner["id"])
        world.add_role(
            guild, "Moderator", permissions=p.MEMBER_PERMISSIONS | p.MANAGE_MESSAGES | p.MANAGE_GUILD
        )
        world.add_role(guild, "Member", permissions=p.MEMBER_PERMISSIONS)
        for name in ("general", "experiences", "announcements"):
            world.add_text_channel(guild, name)
        world.add_forum_channel(guild, "case-studies")
        world.add_member(guild, world.bot_user, roles=[])
        world.add_member(guild, world.owner, roles=["Moderator"])
        world.add_user(guild, "ana", roles=["Member"])
        world.add_user(guild, "joao", roles=["Member"])
        world.add_user(guild, "pierre", roles=["Member"])
        world.add_user(guild, "moderator", roles=["Moderator"])
        world.add_thread(guild, world.channel("experiences"), "IoT pilots", owner=world.user("ana"))
        return world

    def add_guild(self, name: str, *, owner_id: str) -> Guild:
        guild = Guild(id=self.snowflakes.next_str(), name=name, owner_id=owner_id)
        # @everyone's id is the guild id
        guild.roles[guild.id] = p.role(guild.id, "@everyone", permissions=p.MEMBER_PERMISSIONS, position=0)
        self.guilds[guild.id] = guild
        return guild

    def add_server(self, name: str) -> Guild:
        """Another server the bot is in (add it before the bot connects: GUILD_CREATE is sent at READY)."""
        owner = p.user(self.snowflakes.next_str(), f"owner-of-{len(self.guilds)}")
        self.users[owner["id"]] = owner
        guild = self.add_guild(name, owner_id=owner["id"])
        self.add_member(guild, owner, roles=[])
        self.add_member(guild, self.bot_user, roles=[])
        return guild

    def add_role(self, guild: Guild, name: str, *, permissions: int) -> dict[str, Any]:
        data = p.role(self.snowflakes.next_str(), name, permissions=permissions, position=len(guild.roles))
        guild.roles[data["id"]] = data
        return data

    def add_text_channel(self, guild: Guild, name: str) -> dict[str, Any]:
        data = p.text_channel(self.snowflakes.next_str(), guild.id, name, position=len(guild.channels))
        guild.channels[data["id"]] = data
        self.messages[data["id"]] = {}
        return data

    def add_forum_channel(self, guild: Guild, name: str) -> dict[str, Any]:
        data = p.forum_channel(self.snowflakes.next_str(), guild.id, name, position=len(guild.channels))
        guild.channels[data["id"]] = data
        return data

    def add_thread(
        self,
        guild: Guild,
        parent: dict[str, Any],
        name: str,
        *,
        owner: dict[str, Any],
        thread_id: str | None = None,
    ) -> dict[str, Any]:
        """A thread; ``thread_id`` is the starter message's id for one started from a message."""
        thread_id = thread_id or self.snowflakes.next_str()
        data = p.thread_channel(
            thread_id, guild.id, parent["id"], owner["id"], name, snowflake_time(int(thread_id))
        )
        guild.threads[thread_id] = data
        self.messages[thread_id] = {}
        return data

    def add_member(self, guild: Guild, user_data: dict[str, Any], *, roles: list[str]) -> dict[str, Any]:
        role_ids = [self.role(r, guild)["id"] for r in roles]
        data = p.member(user_data, role_ids, datetime.now(UTC))
        guild.members[user_data["id"]] = data
        self.users[user_data["id"]] = user_data
        return data

    def add_user(self, guild: Guild, username: str, *, roles: list[str]) -> dict[str, Any]:
        """A new human user who is a member of ``guild`` with the named roles; returns the user."""
        user_data = p.user(self.snowflakes.next_str(), username)
        self.add_member(guild, user_data, roles=roles)
        return user_data

    # ---- lookups (by name or id) ----------------------------------------------------------------

    @property
    def guild(self) -> Guild:
        """The first guild (the default world has exactly one)."""
        return next(iter(self.guilds.values()))

    def guild_of(self, channel_id: str) -> Guild | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels or channel_id in guild.threads:
                return guild
        return None

    def channel(self, key: str | int | dict[str, Any]) -> dict[str, Any]:
        """A guild channel, thread or DM by id, by name ("general", "#general") or by its payload."""
        if isinstance(key, dict):
            key = key["id"]
        key = str(key).lstrip("#")
        for guild in self.guilds.values():
            for channel in (*guild.channels.values(), *guild.threads.values()):
                if key in (channel["id"], channel["name"]):
                    return channel
        if key in self.dm_channels:
            return self.dm_channels[key]
        raise KeyError(f"no channel {key!r} in the double")

    def find_channel(self, channel_id: str) -> dict[str, Any] | None:
        try:
            return self.channel(channel_id)
        except KeyError:
            return None

    def user(self, key: str | int | dict[str, Any]) -> dict[str, Any]:
        if isinstance(key, dict):
            key = key["id"] if "id" in key else key["user"]["id"]
        key = str(key)
        for data in self.users.values():
            if key in (data["id"], data["username"]):
                return data
        raise KeyError(f"no user {key!r} in the double")

    def member(self, key: str | int | dict[str, Any], guild: Guild | None = None) -> dict[str, Any]:
        guild = guild or self.guild
        return guild.members[self.user(key)["id"]]

    def role(self, key: str | int | dict[str, Any], guild: Guild | None = None) -> dict[str, Any]:
        guild = guild or self.guild
        if isinstance(key, dict):
            key = key["id"]
        key = str(key)
        for data in guild.roles.values():
            if key in (data["id"], data["name"]):
                return data
        raise KeyError(f"no role {key!r} in guild {guild.name!r}")

    def member_permissions(self, guild: Guild, user_id: str) -> int:
        if user_id == guild.owner_id:
            return (1 << 53) - 1
        perms = int(guild.roles[guild.id]["permissions"])
        for role_id in guild.members[user_id]["roles"]:
            perms |= int(guild.roles[role_id]["permissions"])
        return (1 << 53) - 1 if perms & p.ADMINISTRATOR else perms

    # ---- messages -------------------------------------------------------------------------------

    def create_message(
        self,
        channel_id: str,
        author: dict[str, Any],
        content: str = "",
        *,
        allowed_mentions: dict[str, Any] | None = None,
        at: datetime | None = None,
        store: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store a message as Discord would, with mentions resolved through ``allowed_mentions``.

        ``mentions``/``mention_roles``/``mention_everyone`` say who the message actually pings: with
        ``allowed_mentions={"parse": []}`` they are empty, as on Discord.
        """
        message_id = self.snowflakes.next_str(at)
        message = p.message(message_id, channel_id, author, content, **fields)
        self.resolve_mentions(message, allowed_mentions)
        if store and not message["flags"] & EPHEMERAL:
            self.messages.setdefault(channel_id, {})[message_id] = message
            channel = self.find_channel(channel_id)
            if channel is not None and "last_message_id" in channel:
                channel["last_message_id"] = max(channel["last_message_id"] or "0", message_id, key=int)
        return message

    def resolve_mentions(self, message: dict[str, Any], allowed: dict[str, Any] | None) -> None:
        user_ids, role_ids, everyone = p.mentioned_ids(message["content"])
        if allowed is not None:
            parse = allowed.get("parse", [])
            user_ids = [u for u in user_ids if "users" in parse or u in allowed.get("users", [])]
            role_ids = [r for r in role_ids if "roles" in parse or r in allowed.get("roles", [])]
            everyone = everyone and "everyone" in parse
        message["mentions"] = [self.users[u] for u in user_ids if u in self.users]
        message["mention_roles"] = role_ids
        message["mention_everyone"] = everyone

    def find_message(self, message_id: str) -> dict[str, Any] | None:
        for channel_messages in self.messages.values():
            if message_id in channel_messages:
                return channel_messages[message_id]
        for record in self.interactions.values():
            for message in (record.original, *record.followups):
                if message is not None and message["id"] == message_id:
                    return message
        return None

    def history(
        self,
        channel_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        around: str | None = None,
    ) -> list[dict[str, Any]]:
        """GET /channels/{id}/messages semantics: newest first; ``after`` gives the oldest after it."""
        ordered = sorted(self.messages.get(channel_id, {}).values(), key=lambda m: int(m["id"]))
        limit = max(1, min(int(limit), 100))
        if around is not None:
            pivot = int(around)
            older = [m for m in ordered if int(m["id"]) <= pivot][-((limit + 1) // 2) :]
            newer = [m for m in ordered if int(m["id"]) > pivot][: limit // 2]
            picked = older + newer
        elif after is not None:
            picked = [m for m in ordered if int(m["id"]) > int(after)][:limit]
        else:
            if before is not None:
                ordered = [m for m in ordered if int(m["id"]) < int(before)]
            picked = ordered[-limit:]
        return [copy.deepcopy(m) for m in reversed(picked)]

    # ---- gateway views --------------------------------------------------------------------------

    def gateway_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """The MESSAGE_CREATE/UPDATE form of a stored message: guild_id and the author's member added."""
        data = copy.deepcopy(message)
        guild = self.guild_of(message["channel_id"])
        if guild is not None:
            data["guild_id"] = guild.id
            member = guild.members.get(message["author"]["id"])
            if member is not None and "webhook_id" not in message:
                data["member"] = {k: v for k, v in member.items() if k != "user"}
            for mentioned in data["mentions"]:
                mentioned_member = guild.members.get(mentioned["id"])
                if mentioned_member is not None:
                    mentioned["member"] = {k: v for k, v in mentioned_member.items() if k != "user"}
        return data

    def guild_create(self, guild: Guild) -> dict[str, Any]:
        bot_member = guild.members.get(self.bot_user["id"])
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": guild.owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "preferred_locale": guild.preferred_locale,
            "features": ["COMMUNITY"],
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "soundboard_sounds": [],
            "joined_at": bot_member["joined_at"] if bot_member else p.iso(datetime.now(UTC)),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "voice_states": [],
            "members": list(guild.members.values()),
            "channels": list(guild.channels.values()),
            "threads": list(guild.threads.values()),
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": list(guild.scheduled_events.values()),
            "embedded_activities": [],
        }

    def application(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me."""
        return {
            "id": self.application_id,
            "name": self.bot_user["username"],
            "icon": None,
            "description": "loopback Discord double",
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "bot": self.bot_user,
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "owner": self.owner,
            "team": None,
            "verify_key": "0" * 64,
            "flags": (1 << 19) | (1 << 15),  # GATEWAY_MESSAGE_CONTENT_LIMITED, GATEWAY_GUILD_MEMBERS_LIMITED
            "tags": [],
            "install_params": None,
            "custom_install_url": None,
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }
