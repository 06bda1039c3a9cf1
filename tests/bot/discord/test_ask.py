import unittest.mock as mock
from datetime import UTC, datetime

import discord
import pytest
from discord import app_commands

from bot.discord.cogs.ask import AnswerPages
from bot.search.asking import UnknownChoice
from index.documents import Document
from tests.bot.discord.conftest import BOT_ID
from tests.bot.discord.helpers import MockInteraction, MockMember, MockMessage, sent_kwargs, sent_text


def many_docs(kb, n=8):
    for i in range(n):
        kb.upsert(
            Document(
                id=f"p{i}",
                text=f"Blockchain pilot number {i} for AEO mutual recognition.",
                author="Luis",
                date=datetime(2024, 1, i + 1, tzinfo=UTC),
                technologies=("blockchain",),
            )
        )


async def test_ask_defers_then_answers_with_an_embed(bot, kb):
    interaction = MockInteraction(locale="es-ES")
    cog = bot.get_cog("AskCog")
    await cog.ask.callback(cog, interaction, question="precintos electrónicos")
    interaction.response.defer.assert_awaited_once_with(thinking=True)
    embed = sent_kwargs(interaction)["embed"]
    assert embed.title == "Respuestas para: precintos electrónicos"
    assert "discord-111" not in embed.fields[0].value and "por Ana" in embed.fields[0].value
    view = sent_kwargs(interaction)["view"]  # everything fits on one page: only the vote buttons
    assert not isinstance(view, AnswerPages)
    assert [item.custom_id.rsplit(":", 1)[-1] for item in view.children] == ["1", "0"]
    assert [item.item.label for item in view.children] == ["Útil", "No útil"]
    question, filters, limit, offset = kb.searches[-1]
    assert (question, limit, offset) == ("precintos electrónicos", 5, 0)


async def test_ask_with_filters_and_more_pages(bot, kb):
    many_docs(kb)
    interaction = MockInteraction(locale="fr")
    cog = bot.get_cog("AskCog")
    await cog.ask.callback(
        cog, interaction, question="blockchain", technology="DLT", kind="post", member="Luis"
    )
    filters = kb.searches[-1][1]
    assert (filters.technology, filters.kind, filters.author) == ("blockchain", "post", "Luis")
    kwargs = sent_kwargs(interaction)
    view = kwargs["view"]
    assert isinstance(view, AnswerPages) and kwargs["wait"] is True
    assert view.next_page.label == "Plus" and not view.next_page.disabled and view.previous_page.disabled
    assert kwargs["embed"].footer.text == "1–5 sur 8"

    # the asker turns the page
    click = MockInteraction(user=interaction.user, locale="fr")
    assert await view.interaction_check(click) is True
    await view.next_page.callback(click)
    assert kb.searches[-1][3] == 5
    edited = click.edit_original_response.call_args.kwargs
    assert edited["embed"].fields[0].name.startswith("6.") and edited["embed"].footer.text == "6–8 sur 8"
    assert view.next_page.disabled and not view.previous_page.disabled


async def test_someone_else_cannot_turn_the_pages(bot, kb):
    many_docs(kb)
    interaction = MockInteraction()
    cog = bot.get_cog("AskCog")
    await cog.ask.callback(cog, interaction, question="blockchain")
    view = sent_kwargs(interaction)["view"]
    stranger = MockInteraction(locale="pt-BR")
    stranger.data = {"custom_id": view.next_page.custom_id, "component_type": 2}
    assert await view.interaction_check(stranger) is False
    assert "Somente quem fez a pergunta" in sent_text(stranger)
    voter = MockInteraction(locale="pt-BR")  # the answer's vote buttons are for everyone
    voter.data = {"custom_id": view.children[-1].custom_id, "component_type": 2}
    assert view.children[-1].custom_id.startswith("clikc:vote:")
    assert await view.interaction_check(voter) is True


async def test_cooldown_is_polite_and_localised(bot, kb):
    bot.app.rate_limiter.questions = 1
    cog = bot.get_cog("AskCog")
    user = MockMember()
    await cog.ask.callback(cog, MockInteraction(user=user), question="blockchain")
    second = MockInteraction(user=user, locale="es-ES")
    await cog.ask.callback(cog, second, question="blockchain")
    assert "Está preguntando un poco rápido" in sent_text(second)
    assert sent_kwargs(second)["ephemeral"] is True
    second.response.defer.assert_not_awaited()
    assert len(kb.searches) == 1


async def test_unknown_technology_gets_a_localised_message(bot):
    cog = bot.get_cog("AskCog")
    interaction = MockInteraction(locale="pt-BR")
    with pytest.raises(UnknownChoice) as err:
        await cog.ask.callback(cog, interaction, question="x", technology="quantum")
    await bot.tree.on_error(interaction, app_commands.CommandInvokeError(cog.ask, err.value))
    assert sent_text(interaction).startswith("Tecnologia desconhecida quantum")


async def test_unexpected_error_is_logged_and_apologised(bot, caplog):
    interaction = MockInteraction(locale="fr")
    interaction.command = bot.tree.get_command("ask")
    await interaction.response.defer()
    await bot.tree.on_error(
        interaction, app_commands.CommandInvokeError(interaction.command, RuntimeError("x"))
    )
    assert sent_text(interaction).startswith("Un problème est survenu")
    interaction.followup.send.assert_awaited_once()
    assert "command /ask failed" in caplog.text


async def test_autocomplete_technology_and_member(bot):
    cog = bot.get_cog("AskCog")
    choices = await cog.technology_autocomplete(MockInteraction(locale="es-ES"), "cosas")
    assert [(c.name, c.value) for c in choices] == [("Internet de las cosas", "iot")]
    members = await cog.member_autocomplete(MockInteraction(), "an")
    assert [c.value for c in members] == ["Ana"]


# -- mentions ----------------------------------------------------------------------------------------


async def test_mention_with_a_question_gets_a_reply(bot, kb):
    message = MockMessage(f"<@{BOT_ID}> ¿quién usa precintos electrónicos?")
    await bot.get_cog("AskCog").on_message(message)
    assert kb.searches[-1][0] == "¿quién usa precintos electrónicos?"
    embed = message.reply.call_args.kwargs["embed"]
    assert embed.fields and "allowed_mentions" not in message.reply.call_args.kwargs  # client default: none


async def test_mention_without_question_explains(bot):
    message = MockMessage(f"<@!{BOT_ID}>  ")
    await bot.get_cog("AskCog").on_message(message)
    assert "Ask me a question" in message.reply.call_args.args[0]


async def test_everyone_mention_and_bots_are_not_questions(bot, kb):
    for message in (
        MockMessage("@everyone blockchain?"),
        MockMessage(f"<@{BOT_ID}> hi", author=MockMember(bot=True)),
    ):
        await bot.get_cog("AskCog").on_message(message)
        message.reply.assert_not_awaited()
    assert kb.searches == []


async def test_mention_safety_echoed_pings_reach_nobody(bot, kb):
    """A post containing @everyone, @here and a role mention, echoed in an answer, pings nobody."""
    kb.upsert(
        Document(
            id="x",
            text="Reminder for @everyone @here <@&123> <@456>: the blockchain AEO report",
            author="Eve",
        )
    )
    message = MockMessage(f"<@{BOT_ID}> blockchain report")
    await bot.get_cog("AskCog").on_message(message)
    kwargs = message.reply.call_args.kwargs
    assert any("@everyone" in f.value for f in kwargs["embed"].fields)
    mentions = kwargs.get("allowed_mentions", bot.allowed_mentions)
    assert mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    assert mentions.to_dict()["parse"] == []


async def test_mention_cooldown(bot):
    bot.app.rate_limiter.questions = 1
    author = MockMember()
    await bot.get_cog("AskCog").on_message(MockMessage(f"<@{BOT_ID}> blockchain", author=author))
    message = MockMessage(f"<@{BOT_ID}> blockchain", author=author)
    await bot.get_cog("AskCog").on_message(message)
    assert "a little fast" in message.reply.call_args.args[0]


async def test_mention_search_failure_is_apologised(bot, kb, caplog):
    with mock.patch.object(kb, "search", side_effect=RuntimeError("index broken")):
        message = MockMessage(f"<@{BOT_ID}> blockchain")
        await bot.get_cog("AskCog").on_message(message)
    assert "Something went wrong" in message.reply.call_args.args[0]
    assert "answering a mention failed" in caplog.text
