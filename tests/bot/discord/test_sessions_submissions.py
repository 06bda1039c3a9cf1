import re
import unittest.mock as mock
from datetime import timedelta

import discord

from bot.casestudies.model import SubmissionForm
from bot.discord.cogs.review_edit import ApproveButton, RejectButton, RejectReasonModal
from bot.discord.cogs.submissions import SubmitModal
from bot.members import Actor as SessionActor
from tests.bot.discord.helpers import MockInteraction, MockMember, MockTextChannel, sent_kwargs, sent_text

WORDS = " ".join(["We put RFID e-seals on transit containers and cut inspection times by a third."] * 6)


def add_session(app, clock, minutes=30):
    start = (clock.now + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
    app.sessions.add(
        {
            "id": "iot-call",
            "title": {"en": "IoT community call", "es": "Llamada IoT"},
            "start": start,
            "duration": "1h",
            "timezone": "UTC",
            "link": "https://example.org/call",
        },
        SessionActor("test", is_moderator=True),
    )


async def test_sessions_lists_with_discord_timestamps_and_ics(bot, clock):
    add_session(bot.app, clock, minutes=60 * 24)
    cog = bot.get_cog("SessionsCog")
    interaction = MockInteraction(locale="es-ES")
    await cog.sessions.callback(cog, interaction)
    embed = sent_kwargs(interaction)["embed"]
    assert embed.title == "Próximas sesiones"
    field = next(f for f in embed.fields if f.name == "Llamada IoT")
    assert re.search(r"<t:\d+:F> \(<t:\d+:R>\)", field.value) and "https://example.org/call" in field.value
    with_ics = MockInteraction()
    await cog.sessions.callback(cog, with_ics, ics=True)
    file = sent_kwargs(with_ics)["file"]
    assert file.filename == "clikc-sessions.ics" and b"BEGIN:VCALENDAR" in file.fp.read()


def announcer_with_a_session_in_30_minutes(bot, clock, guild):
    announce = MockTextChannel(name="anuncios", guild=guild)
    guild.channels.append(announce)
    bot.settings.announce_channel = "anuncios"
    add_session(bot.app, clock, minutes=30)
    return announce, bot.get_cog("AnnouncerCog")


async def test_planner_posts_each_announcement_once(bot, clock, guild):
    announce, cog = announcer_with_a_session_in_30_minutes(bot, clock, guild)
    assert await cog.run_once() == 1
    text = announce.send.call_args.args[0]
    assert text.startswith("📅 **IoT community call** starts <t:") and "<https://example.org/call>" in text
    assert await cog.run_once() == 0  # recorded: never twice


async def test_planner_posts_a_new_end_time_in_each_readers_zone(bot, clock, guild):
    announce, cog = announcer_with_a_session_in_30_minutes(bot, clock, guild)
    assert await cog.run_once() == 1  # the reminder: starts in 30 minutes, for an hour
    bot.app.sessions.edit("iot-call", {"duration": "90m"}, SessionActor("test", is_moderator=True))
    assert await cog.run_once() == 1
    session = bot.app.sessions.get("iot-call")
    start, end = int(session.start.timestamp()), int(session.end.timestamp())
    text = announce.send.call_args.args[0]
    assert text.startswith(
        f"🔁 **IoT community call**, <t:{start}:F> (<t:{start}:R>) — new end time: <t:{end}:F>"
    )
    assert "<https://example.org/call>" in text
    assert await cog.run_once() == 0


async def test_planner_waits_without_an_announce_channel(bot, clock, caplog):
    add_session(bot.app, clock, minutes=30)
    assert await bot.get_cog("AnnouncerCog").run_once() == 0
    assert "announce_channel None not found" in caplog.text
    assert bot.app.sessions.due_announcements()  # still due once the channel exists


async def test_submit_opens_a_modal_with_a_file_upload(bot):
    cog = bot.get_cog("SubmissionsCog")
    interaction = MockInteraction(locale="fr")
    await cog.submit.callback(cog, interaction)
    modal = interaction.response.send_modal.call_args.args[0]
    assert isinstance(modal, SubmitModal) and modal.title == "Partager une étude de cas"
    kinds = [type(child.component).__name__ for child in modal.children]
    assert kinds == ["TextInput"] * 4 + ["FileUpload"]
    assert all(len(child.text) <= 45 for child in modal.children)


async def submit_via_modal(bot, guild, user, attachment=None, defer_error=None):
    review = next((c for c in guild.channels if c.name == "moderacion"), None)
    if review is None:
        review = MockTextChannel(name="moderacion", guild=guild)
        guild.channels.append(review)
    bot.settings.review_channel = "#moderacion"
    modal = SubmitModal(bot, "en-US")
    modal.title_input._value = "E-seals in transit"
    modal.member_input._value = "Aduana de Prueba"
    modal.summary_input._value = WORDS
    modal.results_input._value = "Faster transit."
    if attachment is not None:
        modal.file_input._values = [attachment]
    interaction = MockInteraction(user=user, locale="es-ES")
    interaction.response.defer.side_effect = defer_error
    await modal.on_submit(interaction)
    return interaction, review


async def test_modal_submission_gets_a_receipt_and_reaches_the_review_channel(bot, guild):
    interaction, review = await submit_via_modal(bot, guild, MockMember(id=77))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    receipt = sent_text(interaction)
    assert receipt.startswith("¡Gracias! Su estudio de caso se recibió como **cs-")
    sub_id = re.search(r"cs-[0-9a-f]{6}", receipt).group()
    kwargs = review.send.call_args.kwargs
    assert kwargs["embed"].title == f"{sub_id} · E-seals in transit"
    ids = [item.custom_id for item in kwargs["view"].children]
    assert ids == [f"clikc:approve:{sub_id}", f"clikc:reject:{sub_id}", f"clikc:edit:{sub_id}"]
    again, _ = await submit_via_modal(bot, guild, MockMember(id=77))
    assert "ya se había recibido" in sent_text(again)


async def test_form_is_stored_even_when_discord_refuses_the_acknowledgement(bot, guild):
    from bot.members import Actor

    unavailable = discord.HTTPException(mock.MagicMock(status=503, reason="Unavailable"), "unavailable")
    _, review = await submit_via_modal(bot, guild, MockMember(id=78), defer_error=unavailable)
    [stored] = bot.app.submissions.mine(Actor(id="78", name="member", platform="discord"))
    assert stored.title == "E-seals in transit"
    review.send.assert_awaited_once()


async def test_attachment_is_read_and_too_big_refused(bot, guild):
    attachment = mock.MagicMock(spec_set=discord.Attachment, filename="case.md", size=len(WORDS))
    attachment.read = mock.AsyncMock(return_value=f"# Case\n\n{WORDS}".encode())
    interaction, _ = await submit_via_modal(bot, guild, MockMember(), attachment)
    assert "cs-" in sent_text(interaction)
    huge = mock.MagicMock(spec_set=discord.Attachment, filename="big.pdf", size=500 * 2**20)
    huge.read = mock.AsyncMock()
    interaction, _ = await submit_via_modal(bot, guild, MockMember(), huge)
    assert sent_text(interaction) == "El archivo es demasiado grande (500.0 MB); el límite es 10 MB."
    huge.read.assert_not_awaited()


async def test_too_short_submission_is_explained(bot, guild):
    modal = SubmitModal(bot, "en-US")
    modal.title_input._value = "x"
    modal.member_input._value = "Aduana"
    modal.summary_input._value = "too short"
    interaction = MockInteraction()
    try:
        await modal.on_submit(interaction)
    except Exception as exc:  # discord.py routes modal errors to on_error
        await modal.on_error(interaction, exc)
    assert "words" in sent_text(interaction)


def pending_id(bot):
    receipt = bot.app.submissions.submit(
        SubmissionForm(title="E-seals", member="Aduana", summary=WORDS), SessionlessActor()
    )
    return receipt.id


def SessionlessActor():  # noqa: N802
    from bot.members import Actor

    return Actor(id="77", name="Rosa", platform="discord")


async def test_buttons_survive_a_restart_and_refuse_non_moderators(bot, kb):
    sub_id = pending_id(bot)
    match = re.fullmatch(ApproveButton.__discord_ui_compiled_template__, f"clikc:approve:{sub_id}")
    button = await ApproveButton.from_custom_id(MockInteraction(), discord.ui.Button(label="Aprobar"), match)
    assert button.submission_id == sub_id and button.item.label == "Aprobar"
    stranger = MockInteraction(user=MockMember(), locale="fr")
    stranger.client = bot
    await button.callback(stranger)
    assert sent_text(stranger).startswith("Désolé, seuls les modérateurs")
    assert bot.app.submissions.get(SessionlessActor(), sub_id).status == "pending"


async def test_moderator_approves(bot, kb, moderator_role):
    sub_id = pending_id(bot)
    interaction = MockInteraction(user=MockMember(roles=[moderator_role], display_name="Mod"))
    interaction.client = bot
    await ApproveButton(sub_id).callback(interaction)
    embed = interaction.edit_original_response.call_args.kwargs["embed"]
    assert "Approved by Mod" in embed.fields[-1].value
    view = interaction.edit_original_response.call_args.kwargs["view"]
    # Approve and Reject are gone; Edit and Withdraw stay for an approved case study (issue 13, item 2)
    assert [item.custom_id for item in view.children] == [f"clikc:edit:{sub_id}", f"clikc:withdraw:{sub_id}"]
    assert kb.get(f"case-study:{sub_id}") is not None
    again = MockInteraction(user=MockMember(roles=[moderator_role]))
    again.client = bot
    await ApproveButton(sub_id).callback(again)
    assert "approve" in sent_text(again)  # already approved: told, nothing changes


async def test_reject_asks_for_a_reason(bot, moderator_role):
    sub_id = pending_id(bot)
    interaction = MockInteraction(user=MockMember(roles=[moderator_role]))
    interaction.client = bot
    await RejectButton(sub_id).callback(interaction)
    modal = interaction.response.send_modal.call_args.args[0]
    assert isinstance(modal, RejectReasonModal)
    modal.reason._value = "Please add results."
    submitted = MockInteraction(user=MockMember(roles=[moderator_role], display_name="Mod"))
    await modal.on_submit(submitted)
    embed = submitted.response.edit_message.call_args.kwargs["embed"]
    assert "Rejected by Mod: Please add results." in embed.fields[-1].value


async def test_outbox_announces_and_notifies_the_submitter(bot, guild, moderator_role):
    announce = MockTextChannel(name="anuncios", guild=guild)
    guild.channels.append(announce)
    bot.settings.announce_channel = "anuncios"
    sub_id = pending_id(bot)
    interaction = MockInteraction(user=MockMember(roles=[moderator_role]))
    interaction.client = bot
    await ApproveButton(sub_id).callback(interaction)
    submitter = mock.AsyncMock(spec_set=discord.User)
    with mock.patch.object(bot, "get_user", return_value=submitter):
        assert await bot.get_cog("AnnouncerCog").run_once() == 2
    assert announce.send.call_args.args[0].startswith("📚 New case study: **E-seals** — Aduana.")
    assert f"({sub_id}) was approved" in submitter.send.call_args.args[0]
    assert await bot.get_cog("AnnouncerCog").run_once() == 0


async def test_moderators_manage_sessions_others_are_refused(bot, moderator_role):
    cog = bot.get_cog("ModerationCog")
    member = MockInteraction(user=MockMember(), locale="es-ES")
    await cog.session_add.callback(cog, member, fields="id=x title=X start=2026-01-01T10:00 timezone=UTC")
    assert sent_text(member).startswith("Lo siento, solo los moderadores")
    mod = MockInteraction(user=MockMember(roles=[moderator_role]))
    await cog.session_add.callback(
        cog, mod, fields='id=aeo title="AEO webinar" start=2026-01-01T10:00 duration=1h timezone=UTC'
    )
    assert sent_text(mod).startswith("Session aeo saved: AEO webinar, <t:")
    mod = MockInteraction(user=MockMember(roles=[moderator_role]))
    await cog.session_cancel.callback(cog, mod, session_id="aeo")
    assert sent_text(mod) == "Session aeo cancelled."


async def test_review_lists_pending_for_moderators(bot, moderator_role):
    cog = bot.get_cog("ModerationCog")
    empty = MockInteraction(user=MockMember(roles=[moderator_role]))
    await cog.review.callback(cog, empty)
    assert sent_text(empty) == "Nothing waiting for review."
    sub_id = pending_id(bot)
    listing = MockInteraction(user=MockMember(roles=[moderator_role]))
    await cog.review.callback(cog, listing)
    assert listing.followup.send.call_args.kwargs["embed"].title.startswith(sub_id)
    refused = MockInteraction(user=MockMember())
    await cog.review.callback(cog, refused)
    assert "only the group's moderators" in sent_text(refused)
