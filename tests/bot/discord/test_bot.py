import unittest.mock as mock

import discord
from discord import app_commands

from bot.discord.bot import ClikcBot, default_intents
from bot.discord.translator import ClikcTranslator


def test_intents_and_no_mentions_ever(app):
    client = ClikcBot(app)
    intents = client.intents
    assert intents.guilds and intents.guild_messages and intents.message_content
    assert not intents.members and not intents.presences  # nothing privileged beyond message content
    none = discord.AllowedMentions.none()
    am = client.allowed_mentions
    assert (am.everyone, am.users, am.roles, am.replied_user) == (
        none.everyone,
        none.users,
        none.roles,
        False,
    )
    assert default_intents().value == intents.value


async def test_commands_registered_and_channels_resolved(bot, channel):
    names = sorted(c.name for c in bot.tree.get_commands())
    assert names == ["ask", "clikc", "help", "privacy", "sessions", "submit"]
    assert bot.index_channel_ids == {channel.id}
    assert bot.configured.is_set()


async def test_syncs_to_the_configured_guild_not_globally(app, guild, channel):
    client = ClikcBot(app)
    await client._async_setup_hook()
    client._connection._guilds = {guild.id: guild}
    app.config.settings.discord.guild = guild.id
    with mock.patch.object(client.tree, "sync", mock.AsyncMock(return_value=[])) as sync:
        await client.configure()
    sync.assert_awaited_once_with(guild=guild)
    app.config.settings.discord.sync_global = True
    with mock.patch.object(client.tree, "sync", mock.AsyncMock(return_value=[])) as sync:
        await client.configure()
    sync.assert_awaited_once_with()
    await client.close()


async def test_translator_localises_names_and_choices(app):
    translator = ClikcTranslator(app.replies)
    ctx = mock.MagicMock()
    name = app_commands.locale_str("ask", key="ask.name")
    assert await translator.translate(name, discord.Locale.spain_spanish, ctx) == "preguntar"
    assert await translator.translate(name, discord.Locale.latin_american_spanish, ctx) == "preguntar"
    assert await translator.translate(name, discord.Locale.french, ctx) == "demander"
    assert await translator.translate(name, discord.Locale.brazil_portuguese, ctx) == "perguntar"
    assert await translator.translate(name, discord.Locale.american_english, ctx) is None
    assert await translator.translate(name, discord.Locale.japanese, ctx) is None  # default English
    kind = app_commands.locale_str("case-study", key="kind.case-study")
    assert await translator.translate(kind, discord.Locale.french, ctx) == "étude de cas"


async def test_every_command_translates_to_valid_payloads(bot):
    """Discord rejects a sync whose localised names are invalid: build each payload for real."""
    for command in bot.tree.get_commands():
        payload = await command.get_translated_payload(bot.tree, bot.tree.translator)
        assert payload["name_localizations"].get("es-ES") or command.name == "clikc"
        for sub in payload.get("options", []):
            for lang, text in (sub.get("description_localizations") or {}).items():
                assert len(text) <= 100, (lang, text)
