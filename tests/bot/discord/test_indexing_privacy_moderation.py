import unittest.mock as mock

import discord

from tests.bot.discord.conftest import BOT_ID
from tests.bot.discord.helpers import (
    MockInteraction,
    MockMember,
    MockMessage,
    MockTextChannel,
    MockThread,
    sent_kwargs,
    sent_text,
)


def edit_event(message):
    payload = mock.MagicMock(spec_set=discord.RawMessageUpdateEvent)
    payload.message = message
    return payload


async def test_posts_in_indexed_channels_are_indexed_updated_and_deleted(bot, kb, channel):
    cog = bot.get_cog("IndexingCog")
    author = MockMember(name="rosa", display_name="Rosa (SUNAT)")
    message = MockMessage("Usamos blockchain para el OEA", author=author, channel=channel, id=7001)
    await cog.on_message(message)
    await bot.writer.join()
    doc = kb.get("discord-7001")
    assert doc.author == "Rosa (SUNAT)" and doc.meta["author_id"] == str(author.id)
    assert doc.meta["channel_id"] == str(channel.id) and doc.url.endswith("/7001")
    assert bot.app.posts.last_seen(channel.id) == 7001

    message.content = "Usamos blockchain e IoT para el OEA"
    await cog.on_raw_message_edit(edit_event(message))
    await bot.writer.join()
    assert "IoT" in kb.get("discord-7001").text

    payload = mock.MagicMock(spec_set=discord.RawMessageDeleteEvent, message_id=7001)
    await cog.on_raw_message_delete(payload)
    await bot.writer.join()
    assert kb.get("discord-7001") is None


async def test_threads_and_forum_posts_inside_indexed_channels(bot, kb, channel):
    thread = MockThread(channel, name="Precintos en tránsito")
    message = MockMessage("Precintos GPS en tránsito", channel=thread, id=7002)
    await bot.get_cog("IndexingCog").on_message(message)
    await bot.writer.join()
    doc = kb.get("discord-7002")
    assert doc.title == "Precintos en tránsito" and doc.meta["parent_id"] == str(channel.id)
    assert doc.source == "discord #experiencias"


async def test_other_channels_bots_system_and_mentions_are_not_indexed(bot, kb, channel):
    before = dict(kb.docs)
    cog = bot.get_cog("IndexingCog")
    for message in (
        MockMessage("blockchain", channel=MockTextChannel(name="general")),
        MockMessage("blockchain", channel=channel, author=MockMember(bot=True)),
        MockMessage("joined", channel=channel, system=True),
        MockMessage(f"<@{BOT_ID}> blockchain?", channel=channel),
    ):
        await cog.on_message(message)
    await bot.writer.join()
    assert kb.docs == before


async def test_bulk_delete(bot, kb, channel):
    cog = bot.get_cog("IndexingCog")
    for i in (8001, 8002):
        await cog.on_message(MockMessage("blockchain", channel=channel, id=i))
    payload = mock.MagicMock(spec_set=discord.RawBulkMessageDeleteEvent, message_ids={8001, 8002, 1})
    await cog.on_raw_bulk_message_delete(payload)
    await bot.writer.join()
    assert kb.get("discord-8001") is None and kb.get("discord-8002") is None


async def test_a_deleted_thread_takes_its_posts_out_of_the_index(bot, kb, channel, caplog):
    cog = bot.get_cog("IndexingCog")
    thread = MockThread(channel, name="Precintos en tránsito")
    for i in (8101, 8102):
        await cog.on_message(MockMessage("Precintos GPS en tránsito", channel=thread, id=i))
    await cog.on_message(MockMessage("Precintos en el canal", channel=channel, id=8103))
    await bot.writer.join()
    assert bot.app.posts.last_seen(thread.id) == 8102
    payload = mock.MagicMock(spec_set=discord.RawThreadDeleteEvent, thread_id=thread.id)
    with caplog.at_level("INFO", logger="bot.discord.cogs.indexing"):
        await cog.on_raw_thread_delete(payload)
        await bot.writer.join()
    assert kb.get("discord-8101") is None and kb.get("discord-8102") is None
    assert kb.get("discord-8103") is not None  # the parent channel's own posts stay
    assert bot.app.posts.last_seen(thread.id) is None
    assert f"thread {thread.id} deleted: 2 post(s) removed" in caplog.text
    # a thread that was never indexed (another channel's, or already gone): nothing happens
    await cog.on_raw_thread_delete(mock.MagicMock(spec_set=discord.RawThreadDeleteEvent, thread_id=1))
    await bot.writer.join()
    assert kb.get("discord-8103") is not None


def history_of(messages):
    calls = []

    def history(**kwargs):
        calls.append(kwargs)
        after = kwargs.get("after")

        async def gen():
            for m in messages:
                if after is None or m.id > after.id:
                    yield m

        return gen()

    return history, calls


async def test_backfill_resumes_from_the_last_message_seen(bot, kb, channel):
    messages = [MockMessage(f"IoT post {i}", channel=channel, id=9000 + i) for i in range(250)]
    channel.history.side_effect, calls = history_of(messages)
    channel.archived_threads = mock.MagicMock(side_effect=lambda **kw: _empty())
    with mock.patch.object(bot, "get_channel", return_value=channel):
        cog = bot.get_cog("IndexingCog")
        await cog.backfill()
        assert kb.get("discord-9249") is not None and bot.app.posts.last_seen(channel.id) == 9249
        assert calls[0]["after"] is None and calls[0]["oldest_first"] is True
        messages.append(MockMessage("new while away", channel=channel, id=9500))
        await cog.backfill()
    assert calls[1]["after"].id == 9249
    assert kb.get("discord-9500") is not None


async def _empty():
    return
    yield


async def test_backfill_skips_a_channel_it_cannot_read(bot, channel, caplog):
    channel.history.side_effect = discord.Forbidden(mock.MagicMock(status=403), "no")
    channel.archived_threads = mock.MagicMock(side_effect=lambda **kw: _empty())
    with mock.patch.object(bot, "get_channel", return_value=channel):
        await bot.get_cog("IndexingCog").backfill()
    assert "no permission to read message history" in caplog.text


async def test_shutdown_writes_what_is_pending(bot, kb, channel):
    await bot.get_cog("IndexingCog").on_message(MockMessage("blockchain", channel=channel, id=9900))
    await bot.close()
    assert kb.get("discord-9900") is not None


# -- privacy -------------------------------------------------------------------------------------------


async def test_privacy_optout_status_optin(bot, kb, channel):
    ana = MockMember(id=42)
    cog = bot.get_cog("PrivacyCog")
    out = MockInteraction(user=ana, locale="es-ES")
    await cog.optout.callback(cog, out)
    assert "Se quitaron 1 de sus mensajes" in sent_text(out) and sent_kwargs(out)["ephemeral"]
    assert kb.get("discord-111") is None
    await bot.get_cog("IndexingCog").on_message(
        MockMessage("blockchain", author=ana, channel=channel, id=9901)
    )
    await bot.writer.join()
    assert kb.get("discord-9901") is None

    status = MockInteraction(user=ana, locale="fr")
    await cog.status.callback(cog, status)
    assert sent_text(status).startswith("Vous vous êtes exclu(e) le <t:")

    back = MockInteraction(user=ana, locale="pt-BR")
    await cog.optin.callback(cog, back)
    assert "incluído(a) novamente" in sent_text(back)
    again = MockInteraction(user=ana)
    await cog.optin.callback(cog, again)
    assert "You were not opted out" in sent_text(again)
    status = MockInteraction(user=ana)
    await cog.status.callback(cog, status)
    assert "searchable" in sent_text(status)


# -- moderation ----------------------------------------------------------------------------------------


async def test_non_moderators_are_refused_politely(bot, kb):
    cog = bot.get_cog("ModerationCog")
    for command in (cog.reindex, cog.stats):
        interaction = MockInteraction(user=MockMember(), locale="pt-BR")
        await command.callback(cog, interaction)
        assert sent_text(interaction) == "Desculpe, somente os moderadores do grupo podem fazer isso."
        assert sent_kwargs(interaction)["ephemeral"] is True
    assert kb.rebuilt == 0


async def test_moderators_by_role_name_or_user_id(bot, kb, moderator_role):
    cog = bot.get_cog("ModerationCog")
    for user in (MockMember(roles=[moderator_role]), MockMember(id=4242)):
        interaction = MockInteraction(user=user)
        await cog.reindex.callback(cog, interaction)
        assert sent_text(interaction) == "Search index rebuilt from the database: 2 documents."
    assert kb.rebuilt == 2
    # a display name equal to a moderator's id is not enough
    for user in (MockMember(name="4242"),):
        interaction = MockInteraction(user=user)
        await cog.reindex.callback(cog, interaction)
        assert sent_text(interaction).startswith("Sorry, only the group's moderators")
    stats = MockInteraction(user=MockMember(roles=[moderator_role]))
    await cog.stats.callback(cog, stats)
    assert sent_text(stats).startswith("2 documents — by kind: post 1, workshop summary 1")


async def test_without_the_message_content_intent_nothing_is_indexed_and_deletes_still_work(bot, kb, channel):
    """discord.message_content: false — the bot asks for no privileged intent and indexes no blanks."""
    from bot.discord.bot import ClikcBot

    cog = bot.get_cog("IndexingCog")
    await cog.on_message(MockMessage("Usamos blockchain para el OEA", channel=channel, id=7101))
    await bot.writer.join()
    assert kb.get("discord-7101") is not None

    bot.settings.message_content = False
    assert ClikcBot(bot.app, sync_commands=False).intents.message_content is False
    await cog.on_message(MockMessage("", channel=channel, id=7102))
    await cog.on_raw_message_edit(edit_event(MockMessage("", channel=channel, id=7101)))
    await bot.writer.join()
    assert kb.get("discord-7102") is None and "blockchain" in kb.get("discord-7101").text
    await cog.on_clikc_configured()
    assert cog.backfill_task is None

    payload = mock.MagicMock(spec_set=discord.RawMessageDeleteEvent, message_id=7101)
    await cog.on_raw_message_delete(payload)
    await bot.writer.join()
    assert kb.get("discord-7101") is None
