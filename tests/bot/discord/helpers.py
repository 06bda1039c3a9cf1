"""Spec'd discord.py mocks, in the style of python-discord's tests/helpers.py.

Each mock takes a discord.py class as `spec_set` (those classes use __slots__, so instance attributes
are known): code under test that touches an attribute or method discord.py does not have fails the
test; coroutine methods become AsyncMocks."""

from __future__ import annotations

import itertools
import unittest.mock as mock
from datetime import UTC, datetime

import discord

_ids = itertools.count(1000)
HOME_GUILD_ID = 1  # the `guild` fixture's id: mocks are members of (and act in) the home server


class SpecMock(mock.MagicMock):
    """MagicMock spec'd on a discord.py class; children are plain (or Async) mocks, not SpecMocks."""

    spec_instance: object = None

    def __init__(self, **kwargs):
        name = kwargs.pop("name", None)
        super().__init__(spec_set=self.spec_instance)
        for key, value in kwargs.items():
            setattr(self, key, value)
        if name is not None:
            self.name = name

    def _get_child_mock(self, **kw):
        new_name = kw.get("_new_name")
        if new_name in self.__dict__.get("_spec_asyncs", ()):
            return mock.AsyncMock(**kw)
        return mock.MagicMock(**kw)


class MockRole(SpecMock):
    spec_instance = discord.Role

    def __init__(self, **kwargs):
        super().__init__(**{"id": next(_ids), "name": "role", **kwargs})


class MockGuild(SpecMock):
    spec_instance = discord.Guild

    def __init__(self, **kwargs):
        defaults = {
            "id": next(_ids),
            "name": "CLiKC! AMS",
            "channels": [],
            "threads": [],
            "preferred_locale": discord.Locale.american_english,
            "filesize_limit": 10 * 2**20,  # a server without boosts
        }
        super().__init__(**{**defaults, **kwargs})


class MockMember(SpecMock):
    spec_instance = discord.Member

    def __init__(self, roles=(), administrator=False, manage_guild=False, **kwargs):
        uid = kwargs.pop("id", next(_ids))
        name = kwargs.pop("name", f"member{uid}")
        # as discord.Member.guild_permissions computes them: an administrator has every permission
        permissions = (
            discord.Permissions.all() if administrator else discord.Permissions(manage_guild=manage_guild)
        )
        defaults = {
            "id": uid,
            "display_name": name.title(),
            "bot": False,
            "roles": list(roles),
            "guild_permissions": permissions,
            "mention": f"<@{uid}>",
            "guild": MockGuild(id=HOME_GUILD_ID),
        }
        super().__init__(name=name, **{**defaults, **kwargs})


class MockTextChannel(SpecMock):
    spec_instance = discord.TextChannel

    def __init__(self, **kwargs):
        defaults = {"id": next(_ids), "name": "experiencias", "threads": [], "guild": None}
        super().__init__(**{**defaults, **kwargs})


class MockThread(SpecMock):
    spec_instance = discord.Thread

    def __init__(self, parent, **kwargs):
        defaults = {
            "id": next(_ids),
            "name": "Precintos en tránsito",
            "parent": parent,
            "parent_id": parent.id,
            "guild": parent.guild,
        }
        super().__init__(**{**defaults, **kwargs})


class MockMessage(SpecMock):
    spec_instance = discord.Message

    def __init__(self, content="", author=None, channel=None, guild=None, system=False, **kwargs):
        channel = channel or MockTextChannel()
        mid = kwargs.pop("id", next(_ids))
        gid = guild.id if guild else HOME_GUILD_ID
        defaults = {
            "id": mid,
            "content": content,
            "author": author or MockMember(),
            "channel": channel,
            "guild": guild or MockGuild(id=gid),
            "created_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
            "edited_at": None,
            "jump_url": f"https://discord.com/channels/{gid}/{channel.id}/{mid}",
        }
        super().__init__(**{**defaults, **kwargs})
        self.is_system.return_value = system


class MockResponse(SpecMock):
    spec_instance = discord.InteractionResponse

    def __init__(self):
        super().__init__()
        done = []
        self.is_done.side_effect = lambda: bool(done)

        async def answered(*args, **kwargs):
            done.append(True)

        for method in ("send_message", "defer", "send_modal", "edit_message"):
            getattr(self, method).side_effect = answered


class MockInteraction(SpecMock):
    spec_instance = discord.Interaction

    def __init__(self, user=None, locale="en-US", guild=None, **kwargs):
        guild = guild or MockGuild(id=HOME_GUILD_ID)
        defaults = {
            "user": user or MockMember(guild=guild),
            "locale": discord.Locale(locale),
            "guild": guild,
            "guild_id": guild.id,
            "type": discord.InteractionType.application_command,
            "response": MockResponse(),
            "followup": mock.AsyncMock(spec_set=discord.Webhook),
            "command": None,
        }
        super().__init__(**{**defaults, **kwargs})


def sent_text(interaction: MockInteraction) -> str:
    """The text of whatever the bot answered: a response or a follow-up."""
    for call in (interaction.followup.send.call_args, interaction.response.send_message.call_args):
        if call is not None:
            return call.args[0] if call.args else call.kwargs.get("content", "")
    raise AssertionError("nothing was sent")


def sent_kwargs(interaction: MockInteraction) -> dict:
    call = interaction.followup.send.call_args or interaction.response.send_message.call_args
    assert call is not None, "nothing was sent"
    return call.kwargs
