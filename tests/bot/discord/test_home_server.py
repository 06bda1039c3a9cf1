"""Who may do what (issues 11 item 7, 18 items 8 and 10): moderation bound to the home server, Manage
Server, no self-review, hidden moderator commands, member rate limits, attachments refused unread."""

from __future__ import annotations

import unittest.mock as mock

import discord
import pytest
from discord import app_commands

from bot.casestudies.model import SubmissionForm
from bot.discord import resolve
from bot.discord.cogs.ask import AnswerPages
from bot.discord.cogs.review_edit import ApproveButton, RejectButton
from bot.discord.cogs.submissions import attachment_refusal
from tests.bot.discord.helpers import MockGuild, MockInteraction, MockMember, MockRole, sent_text
from tests.bot.discord.test_sessions_submissions import WORDS, submit_via_modal

FOREIGN_GUILD_ID = 2


def foreign_member(**kwargs) -> MockMember:
    """A member of another server the bot is in, holding that server's role named like ours."""
    guild = MockGuild(id=FOREIGN_GUILD_ID, name="Another server")
    return MockMember(roles=[MockRole(name="Moderador")], guild=guild, **kwargs)


def in_foreign_server(user, locale="en-US") -> MockInteraction:
    return MockInteraction(user=user, guild=user.guild, locale=locale)


# -- roles and permissions come from the home server only ------------------------------------------------


async def test_a_role_named_like_ours_on_another_server_is_not_a_moderator(bot, kb):
    intruder = foreign_member(manage_guild=True)
    assert not bot.is_moderator(intruder)
    actor = bot.actor(intruder)
    assert actor.roles == () and actor.permissions == ()  # nothing from another server reaches the services
    cog = bot.get_cog("ModerationCog")
    interaction = in_foreign_server(intruder)
    await cog.reindex.callback(cog, interaction)  # even past the tree's check, the cog refuses
    assert sent_text(interaction) == "Sorry, only the group's moderators can do that."
    assert kb.rebuilt == 0


async def test_a_listed_user_id_counts_only_in_the_home_server(bot):
    assert bot.is_moderator(MockMember(id=4242))
    assert not bot.is_moderator(MockMember(id=4242, guild=MockGuild(id=FOREIGN_GUILD_ID)))


async def test_roles_by_id_or_by_name_within_the_home_server(bot, guild, moderator_role):
    bot.settings.moderators.roles = [moderator_role.id]
    assert bot.is_moderator(MockMember(roles=[moderator_role]))
    assert not bot.is_moderator(MockMember(roles=[MockRole(name="Moderador")]))  # same name, other id
    bot.settings.moderators.roles = ["Moderador"]
    assert bot.is_moderator(MockMember(roles=[MockRole(name="moderador")]))  # a home role by name


async def test_manage_server_counts_unless_the_settings_turn_it_off(bot, kb):
    cog = bot.get_cog("ModerationCog")
    for member in (MockMember(manage_guild=True), MockMember(administrator=True)):
        interaction = MockInteraction(user=member)
        await cog.reindex.callback(cog, interaction)
        assert sent_text(interaction) == "Search index rebuilt from the database: 2 documents."
    bot.settings.moderators.manage_server = False
    interaction = MockInteraction(user=MockMember(manage_guild=True))
    await cog.reindex.callback(cog, interaction)
    assert sent_text(interaction) == "Sorry, only the group's moderators can do that."
    assert kb.rebuilt == 2


def test_no_configured_guild_means_the_only_server_never_a_guess():
    home, other = MockGuild(id=1, name="A"), MockGuild(id=2, name="B")
    assert resolve.find_guild([home], None) is home
    assert resolve.find_guild([home, other], None) is None
    assert resolve.find_guild([home, other], "b") is other
    assert resolve.find_guild([home, other], 1) is home


# -- every command and autocomplete from another server is refused in one line ---------------------------


@pytest.mark.parametrize("guild_id", [FOREIGN_GUILD_ID, None])
async def test_the_tree_refuses_other_servers_and_direct_messages(bot, guild_id):
    interaction = MockInteraction(locale="pt-BR", guild_id=guild_id)
    assert await bot.tree.interaction_check(interaction) is False
    assert sent_text(interaction) == (
        "Desculpe, só funciono no servidor do grupo: este comando não está disponível aqui."
    )
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True
    assert await bot.tree.interaction_check(MockInteraction()) is True  # the home server


async def test_autocomplete_from_another_server_gets_no_choices(bot):
    interaction = MockInteraction(guild_id=FOREIGN_GUILD_ID, type=discord.InteractionType.autocomplete)
    assert await bot.tree.interaction_check(interaction) is False
    interaction.response.autocomplete.assert_awaited_once_with([])


async def test_mentions_on_another_server_are_not_answered(bot):
    from tests.bot.discord.conftest import BOT_ID
    from tests.bot.discord.helpers import MockMessage

    message = MockMessage(f"<@{BOT_ID}> blockchain", guild=MockGuild(id=FOREIGN_GUILD_ID))
    await bot.get_cog("AskCog").on_message(message)
    message.reply.assert_not_called()


# -- what Discord is told about the commands ------------------------------------------------------------


def test_moderator_commands_are_hidden_from_members_and_every_command_is_for_servers_only(bot):
    payload = {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}
    assert int(payload["clikc"]["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    for name, command in payload.items():
        assert command["dm_permission"] is False, name
        assert command["contexts"] == [app_commands.AppCommandContext.GUILD], name  # 0: servers only
        assert command["integration_types"] == [app_commands.AppInstallationType.GUILD], name
        if name != "clikc":
            assert command["default_member_permissions"] is None, f"/{name} is for every member"


# -- no self-review ---------------------------------------------------------------------------------------


def moderators_submission(bot, moderator) -> str:
    form = SubmissionForm(title="E-seals", member="Aduana", summary=WORDS)
    return bot.app.submissions.submit(form, bot.actor(moderator)).id


async def test_a_moderator_cannot_approve_or_reject_their_own_submission(bot, moderator_role):
    moderator = MockMember(id=31, roles=[moderator_role])
    sub_id = moderators_submission(bot, moderator)
    for button in (ApproveButton(sub_id), RejectButton(sub_id)):
        interaction = MockInteraction(user=moderator, locale="es-ES")
        interaction.client = bot
        await button.callback(interaction)
        assert sent_text(interaction) == f"{sub_id} es un envío suyo: otro moderador debe revisarlo."
        interaction.response.send_modal.assert_not_called()  # refused before typing a reason
    assert bot.app.submissions.get(bot.actor(moderator), sub_id).status == "pending"
    other = MockInteraction(user=MockMember(roles=[moderator_role]))
    other.client = bot
    await ApproveButton(sub_id).callback(other)
    assert bot.app.submissions.get(bot.actor(moderator), sub_id).status == "approved"


async def test_self_review_when_the_settings_allow_it(bot, moderator_role):
    bot.settings.moderators.self_review = True
    moderator = MockMember(id=32, roles=[moderator_role])
    sub_id = moderators_submission(bot, moderator)
    interaction = MockInteraction(user=moderator)
    interaction.client = bot
    await ApproveButton(sub_id).callback(interaction)
    assert bot.app.submissions.get(bot.actor(moderator), sub_id).status == "approved"


# -- rate limits on every member action -------------------------------------------------------------------


async def test_submit_forms_are_rate_limited(bot, clock):
    bot.app.rate_limits["submit"].questions = 2
    cog = bot.get_cog("SubmissionsCog")
    member = MockMember()
    shown = []
    for _ in range(3):
        interaction = MockInteraction(user=member, locale="fr")
        await cog.submit.callback(cog, interaction)
        shown.append(interaction)
    assert all(i.response.send_modal.await_count == 1 for i in shown[:2])
    shown[2].response.send_modal.assert_not_called()
    assert sent_text(shown[2]) == "C'est un peu rapide : attendez 3600 secondes et réessayez."
    other = MockInteraction(user=MockMember())
    await cog.submit.callback(cog, other)  # another member is not affected
    other.response.send_modal.assert_awaited_once()
    clock.advance(seconds=3600)
    again = MockInteraction(user=member)
    await cog.submit.callback(cog, again)
    again.response.send_modal.assert_awaited_once()


async def test_privacy_commands_are_rate_limited(bot):
    bot.app.rate_limits["privacy"].questions = 1
    cog = bot.get_cog("PrivacyCog")
    member = MockMember()
    first = MockInteraction(user=member)
    assert await cog.interaction_check(first) is True
    second = MockInteraction(user=member, locale="es-ES")
    assert await cog.interaction_check(second) is False
    assert sent_text(second) == "Va un poco rápido: espere 60 segundos y vuelva a intentarlo."
    assert await cog.interaction_check(MockInteraction()) is True


async def test_answer_pages_are_rate_limited(bot):
    bot.app.rate_limits["pages"].questions = 1
    asker = MockMember()
    answer = mock.MagicMock(total=20, results=[])
    view = AnswerPages(bot.get_cog("AskCog"), asker.id, mock.MagicMock(), answer, "en-US")
    assert await view.interaction_check(MockInteraction(user=asker)) is True
    refused = MockInteraction(user=asker)
    assert await view.interaction_check(refused) is False
    assert sent_text(refused) == "That's a little fast: please wait 60 seconds and try again."
    stranger = MockInteraction(user=MockMember())
    assert await view.interaction_check(stranger) is False  # not theirs: refused before counting
    assert sent_text(stranger) == "Only the person who asked can page through these answers."


# -- attachments: refused by name, type and size before a byte is downloaded ------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type", "size", "key"),
    [
        ("case.md", "text/markdown; charset=utf-8", 900, None),
        ("case.txt", "text/plain; charset=utf-8", 900, None),
        ("case.pdf", "application/pdf", 900, None),
        ("case.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 900, None),
        ("case.PDF", None, 900, None),  # no declared type: the name decides
        ("setup.exe", "application/x-msdownload", 900, "file_type"),
        ("README", None, 10, "file_type"),
        ("photo.pdf", "image/png", 900, "file_type"),  # the name and the declared type disagree
        ("slides.pptx", None, 900, "file_type"),
        ("big.pdf", "application/pdf", 11 * 2**20, "file_too_big"),
    ],
)
def test_attachment_refusal_rule(filename, content_type, size, key):
    refusal = attachment_refusal(filename, content_type, size, 10 * 2**20)
    assert (refusal[0] if refusal else None) == key


async def test_an_unreadable_type_is_refused_without_downloading(bot, guild):
    attachment = mock.MagicMock(
        spec_set=discord.Attachment, filename="virus.exe", size=1000, content_type="application/x-msdownload"
    )
    attachment.read = mock.AsyncMock()
    interaction, _ = await submit_via_modal(bot, guild, MockMember(), attachment)
    assert sent_text(interaction) == (
        "No puedo leer virus.exe: adjunte un archivo PDF, Word (.docx), Markdown o de texto."
    )
    attachment.read.assert_not_awaited()
    assert bot.app.db.query("SELECT COUNT(*) FROM submissions")[0][0] == 0
