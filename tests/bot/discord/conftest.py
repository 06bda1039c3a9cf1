from __future__ import annotations

import unittest.mock as mock

import discord
import pytest

from bot.discord.bot import ClikcBot
from tests.bot.discord.helpers import HOME_GUILD_ID, MockGuild, MockRole, MockTextChannel

BOT_ID = 999


@pytest.fixture
def guild(moderator_role):
    return MockGuild(id=HOME_GUILD_ID, name="CLiKC! AMS", roles=[moderator_role])


@pytest.fixture
def channel(guild):
    ch = MockTextChannel(name="experiencias", guild=guild)
    guild.channels = [ch]
    return ch


@pytest.fixture
def moderator_role():
    return MockRole(name="Moderador")


@pytest.fixture
async def bot(app, guild, channel):
    settings = app.config.settings.discord
    settings.guild = "CLiKC! AMS"
    settings.index_channels = ["#experiencias"]
    settings.moderators.roles = ["moderador"]
    settings.moderators.users = [4242]
    settings.scheduled_events = False  # on by default; the scheduled-events tests turn it on with mocks
    client = ClikcBot(app, sync_commands=False, background_jobs=False)
    client._connection.user = mock.MagicMock(spec=discord.ClientUser, id=BOT_ID)
    client._connection._guilds = {guild.id: guild}
    await client._async_setup_hook()  # what `async with client` / login does: binds the event loop
    await client.setup_hook()
    await client.configure()
    yield client
    await client.close()
