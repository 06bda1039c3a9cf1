"""The Discord double works with real discord.py: proven with a small bot of the tests' own.

Every wait is on the double's records or on a bot-side asyncio queue, each with a timeout, so a
failure reports what happened instead of hanging.
"""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.discord_double import BotRunner, DiscordDouble

CALLBACK = r"/interactions/\d+/[^/]+/callback"
TIMEOUT = 5.0


class ApproveView(discord.ui.View):
    """Persistent: no timeout, stable custom_id, re-added in setup_hook, so it outlives restarts."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Approve", style=discord.ButtonStyle.success, custom_id="smoke:approve")
    async def approve(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if "Moderator" not in [role.name for role in interaction.user.roles]:
            await interaction.response.send_message("only moderators can approve", ephemeral=True)
            return
        await interaction.response.edit_message(
            content=f"approved by {interaction.user.name}",
            view=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text", style=discord.TextStyle.long
    )
    upload = discord.ui.Label(
        text="A file", component=discord.ui.FileUpload(custom_id="feedback:file", required=False)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        files = self.upload.component.values
        contents = [(await f.read()).decode() for f in files]
        await interaction.response.send_message(
            f"thanks: {self.text.value} files={contents}", allowed_mentions=discord.AllowedMentions.none()
        )


class SmokeBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents)
        self.guild_id = guild_id
        self.events: asyncio.Queue[tuple[str, object]] = asyncio.Queue()

    async def setup_hook(self) -> None:
        self.add_view(ApproveView())
        guild = discord.Object(self.guild_id)

        @app_commands.command(name="hello", description="Say hello")
        @app_commands.describe(who="Who to greet")
        async def hello(interaction: discord.Interaction, who: str) -> None:
            await interaction.response.send_message(
                f"hello {who} ({interaction.locale.value}, guild {interaction.guild_locale.value})",
                view=ApproveView(),
                allowed_mentions=discord.AllowedMentions.none(),
            )

        @app_commands.command(name="slow", description="Takes a while")
        async def slow(interaction: discord.Interaction, topic: str, count: int = 1) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(
                f"done {topic} x{count}", allowed_mentions=discord.AllowedMentions.none()
            )

        @slow.autocomplete("topic")
        async def topic_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            topics = ["blockchain", "iot", "analytics"]
            return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

        @app_commands.command(name="feedback", description="Open the feedback form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(custom_id="feedback"))

        @app_commands.command(name="report", description="Report a file on behalf of a member")
        async def report(
            interaction: discord.Interaction, member: discord.Member, file: discord.Attachment
        ) -> None:
            size = len(await file.read())
            await interaction.response.send_message(
                f"{member.name} ({member.roles[-1].name}): {file.filename} {size} bytes", ephemeral=True
            )

        privacy = app_commands.Group(name="privacy", description="Indexing of your posts")

        @privacy.command(name="optout", description="Stop indexing my posts")
        async def optout(interaction: discord.Interaction, reason: str = "") -> None:
            await interaction.response.send_message(
                f"opted out {interaction.user.name} {reason}", ephemeral=True
            )

        @app_commands.command(name="status", description="Edits and follow-ups")
        async def status(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "working", allowed_mentions=discord.AllowedMentions.none()
            )
            await interaction.edit_original_response(content="working: 50%")
            await interaction.followup.send("part 1", allowed_mentions=discord.AllowedMentions.none())
            part2 = await interaction.followup.send(
                "part 2", wait=True, allowed_mentions=discord.AllowedMentions.none()
            )
            await part2.edit(content="part 2 (edited)")
            await interaction.delete_original_response()

        for command in (hello, slow, feedback, report, privacy, status):
            self.tree.add_command(command, guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        await self.events.put(("message", message))
        if message.author.bot:
            return
        await message.reply(f"heard: {message.content}", allowed_mentions=discord.AllowedMentions.none())

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.events.put(("edit", payload))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.events.put(("delete", payload))

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self.events.put(("bulk_delete", payload))

    async def on_thread_create(self, thread: discord.Thread) -> None:
        await self.events.put(("thread", thread))

    async def next_event(self, kind: str) -> object:
        """The next bot-side event of ``kind`` (others are skipped), within TIMEOUT."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                got, value = await self.events.get()
                if got == kind:
                    return value


def new_bot(double: DiscordDouble) -> SmokeBot:
    return SmokeBot(int(double.world.guild.id))


async def test_connects_identifies_and_syncs_commands(discord_double: DiscordDouble, bot_runner: BotRunner):
    bot = await bot_runner.start(new_bot(discord_double))

    identify = await discord_double.wait_for_gateway(op=2)
    assert identify.d["token"] == discord_double.token
    assert identify.d["intents"] & (1 << 15), "message content intent requested"
    assert bot.user.id == int(discord_double.world.bot_user["id"])
    assert bot.get_guild(int(discord_double.world.guild.id)).get_channel(
        int(discord_double.world.channel("general")["id"])
    )
    forum = bot.get_channel(int(discord_double.world.channel("case-studies")["id"]))
    assert isinstance(forum, discord.ForumChannel)
    thread = bot.get_channel(int(discord_double.world.channel("IoT pilots")["id"]))
    assert isinstance(thread, discord.Thread)
    guild = bot.get_guild(int(discord_double.world.guild.id))
    assert [r.name for r in guild.roles] == ["@everyone", "Moderator", "Member"]
    # no members intent: like Discord, GUILD_CREATE carries only the bot's own member
    assert [m.id for m in guild.members] == [bot.user.id]

    app = discord_double.world.application_id
    sync = discord_double.requests_to("PUT", rf"/applications/{app}/guilds/\d+/commands")
    assert len(sync) == 1 and sync[0].status == 200
    assert sorted(c["name"] for c in sync[0].json) == [
        "feedback",
        "hello",
        "privacy",
        "report",
        "slow",
        "status",
    ]
    assert discord_double.sessions[0].compress == "zlib-stream", "frames are zlib-stream compressed"
    assert discord_double.requests_to("GET", "/users/@me")
    assert discord_double.requests_to("GET", "/oauth2/applications/@me")
    assert discord_double.unknown_requests == []


async def test_message_create_reaches_on_message_and_reply_pings_nobody(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    moderators = discord_double.world.role("Moderator")["id"]
    posted = await discord_double.post_message(
        "general", "ana", f"@everyone <@&{moderators}> who uses e-seals?"
    )

    request = await discord_double.wait_for_request(
        "POST", rf"/channels/{posted['channel_id']}/messages", timeout=TIMEOUT
    )
    assert request.json["allowed_mentions"] == {"parse": []}
    assert str(request.json["message_reference"]["message_id"]) == posted["id"]
    assert request.json["content"] == f"heard: @everyone <@&{moderators}> who uses e-seals?"
    reply = request.response
    assert reply["mention_everyone"] is False and reply["mention_roles"] == [] and reply["mentions"] == []
    # the double echoes the bot's own message over the gateway, as Discord does
    assert any(r.t == "MESSAGE_CREATE" and r.d["id"] == reply["id"] for r in discord_double.recorder.gateway)


async def test_message_update_delete_bulk_and_thread_events_parse(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    bot = await bot_runner.start(new_bot(discord_double))
    first = await discord_double.post_message("experiences", "joao", "RFID seals in Santos", dispatch=False)
    second = await discord_double.post_message("experiences", "joao", "GPS tracking", dispatch=False)

    await discord_double.edit_message(first, "RFID e-seals in Santos port")
    edit = await bot.next_event("edit")
    assert edit.message_id == int(first["id"]) and edit.data["content"] == "RFID e-seals in Santos port"

    await discord_double.delete_message(first)
    delete = await bot.next_event("delete")
    assert delete.message_id == int(first["id"]) and delete.guild_id == int(discord_double.world.guild.id)

    third = await discord_double.post_message("experiences", "joao", "spam", dispatch=False)
    await discord_double.delete_messages([second, third])
    bulk = await bot.next_event("bulk_delete")
    assert bulk.message_ids == {int(second["id"]), int(third["id"])}

    thread = await discord_double.create_thread(
        "case-studies", "Blockchain AEO MRA", owner="pierre", content="Our pilot"
    )
    created = await bot.next_event("thread")
    assert created.id == int(thread["id"]) and isinstance(created.parent, discord.ForumChannel)
    message = await bot.next_event("message")
    assert message.channel.id == int(thread["id"]) and message.content == "Our pilot"
    await discord_double.wait_for_request("POST", rf"/channels/{thread['id']}/messages", timeout=TIMEOUT)


async def test_slash_command_with_option_and_locale(discord_double: DiscordDouble, bot_runner: BotRunner):
    await bot_runner.start(new_bot(discord_double))
    interaction = await discord_double.slash(
        "hello", {"who": "Ana"}, user="ana", locale="es-ES", guild_locale="pt-BR"
    )

    callback = await discord_double.wait_for_callback(interaction, timeout=TIMEOUT)
    assert callback["type"] == 4
    assert callback["data"]["content"] == "hello Ana (es-ES, guild pt-BR)"
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    button = callback["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "smoke:approve"
    assert interaction.original["content"] == "hello Ana (es-ES, guild pt-BR)"


async def test_autocomplete_then_deferred_command_with_follow_up(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    typing = await discord_double.autocomplete("slow", {"topic": "blo"}, focused="topic")
    choices = await discord_double.wait_for_callback(typing, timeout=TIMEOUT)
    assert choices == {"type": 8, "data": {"choices": [{"name": "blockchain", "value": "blockchain"}]}}

    interaction = await discord_double.slash("slow", {"topic": "blockchain", "count": 3})
    deferred = await discord_double.wait_for_callback(interaction, timeout=TIMEOUT)
    assert deferred["type"] == 5
    followup = await discord_double.wait_for_followup(interaction, timeout=TIMEOUT)
    assert followup["content"] == "done blockchain x3"
    request = await discord_double.wait_for_request(
        "POST", rf"/webhooks/\d+/{interaction.token}", timeout=TIMEOUT
    )
    assert request.json["allowed_mentions"] == {"parse": []}
    # the first follow-up after a deferral fills the "thinking" message, as on Discord
    assert followup["id"] == interaction.original["id"] and not followup["flags"] & (1 << 7)


async def test_modal_submit_with_text_and_uploaded_file(discord_double: DiscordDouble, bot_runner: BotRunner):
    await bot_runner.start(new_bot(discord_double))
    opened = await discord_double.slash("feedback", user="pierre", locale="fr")
    modal = await discord_double.wait_for_callback(opened, timeout=TIMEOUT)
    assert modal["type"] == 9 and modal["data"]["custom_id"] == "feedback"

    report = discord_double.attachment("report.txt", b"valeur en douane", "text/plain")
    submitted = await discord_double.submit_modal(
        "feedback",
        {"feedback:text": "très utile"},
        files={"feedback:file": [report]},
        user="pierre",
        locale="fr",
    )
    answer = await discord_double.wait_for_callback(submitted, timeout=TIMEOUT)
    assert answer["data"]["content"] == "thanks: très utile files=['valeur en douane']"


async def test_button_click_after_restart_reaches_persistent_view(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    asked = await discord_double.slash("hello", {"who": "everyone"})
    await discord_double.wait_for_callback(asked, timeout=TIMEOUT)
    message = asked.original

    await bot_runner.restart(new_bot(discord_double))
    assert len(discord_double.requests_to("PUT", r"/applications/\d+/guilds/\d+/commands")) == 2

    refused = await discord_double.click(message, "smoke:approve", user="ana")
    refusal = await discord_double.wait_for_callback(refused, timeout=TIMEOUT)
    assert refusal["type"] == 4 and refusal["data"]["flags"] == 64  # ephemeral: only ana sees it
    assert refused.original["id"] not in discord_double.world.messages[message["channel_id"]]

    click = await discord_double.click(message, "smoke:approve", user="moderator")
    answer = await discord_double.wait_for_callback(click, timeout=TIMEOUT)
    assert answer["type"] == 7  # the clicked message is updated in place
    stored = discord_double.world.messages[message["channel_id"]][message["id"]]
    assert stored["content"] == "approved by moderator" and stored["components"] == []
    update = await discord_double.wait_for_gateway(event="MESSAGE_UPDATE", direction="send", timeout=TIMEOUT)
    assert update.d["id"] == message["id"]


async def test_sub_command_with_member_and_attachment_options(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    optout = await discord_double.slash("privacy optout", {"reason": "personal"}, user="joao")
    answer = await discord_double.wait_for_callback(optout, timeout=TIMEOUT)
    assert answer["data"]["content"] == "opted out joao personal" and answer["data"]["flags"] == 64
    assert optout.payload["data"]["options"] == [
        {"name": "optout", "type": 1, "options": [{"name": "reason", "type": 3, "value": "personal"}]}
    ]

    pdf = discord_double.attachment("case.pdf", b"%PDF-1.4 fake", "application/pdf")
    report = await discord_double.slash("report", {"member": "moderator", "file": pdf}, user="ana")
    answer = await discord_double.wait_for_callback(report, timeout=TIMEOUT)
    assert answer["data"]["content"] == "moderator (Moderator): case.pdf 13 bytes"


async def test_bot_reconnects_after_the_connection_drops(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    await discord_double.wait_for_gateway(op=2, timeout=TIMEOUT)
    await discord_double.drop_connection()
    # posted while the bot is away: replayed when it resumes
    missed = await discord_double.post_message("general", "pierre", "posted during the outage")
    resume = await discord_double.wait_for_gateway(op=6, timeout=TIMEOUT)
    assert resume.d["session_id"] == "double-session-1"
    await discord_double.wait_for_gateway(event="RESUMED", direction="send", timeout=TIMEOUT)
    reply = await discord_double.wait_for_request("POST", rf"/channels/{missed['channel_id']}/messages")
    assert reply.json["content"] == "heard: posted during the outage"
    asked = await discord_double.slash("hello", {"who": "again"})
    assert (await discord_double.wait_for_callback(asked, timeout=TIMEOUT))["type"] == 4


async def test_interaction_callback_survives_500_then_429(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    bot = await bot_runner.start(new_bot(discord_double))
    discord_double.fail_next("POST", CALLBACK, 500)
    discord_double.fail_next("POST", CALLBACK, 429, retry_after=0.01)

    interaction = await discord_double.slash("hello", {"who": "Joao"}, locale="pt-BR")
    await discord_double.wait_for_request("POST", CALLBACK, status=200, timeout=TIMEOUT)
    statuses = [r.status for r in discord_double.requests_to("POST", CALLBACK)]
    assert statuses == [500, 429, 200]
    assert interaction.callback["data"]["content"].startswith("hello Joao (pt-BR")

    # still connected and answering
    assert not bot.is_closed()
    again = await discord_double.slash("hello", {"who": "again"})
    assert (await discord_double.wait_for_callback(again, timeout=TIMEOUT))["type"] == 4


async def test_history_dms_members_scheduled_events_and_unknown_routes(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    bot = await bot_runner.start(new_bot(discord_double))
    posted = [
        await discord_double.post_message("general", "ana", f"post {i}", dispatch=False) for i in range(5)
    ]
    channel = bot.get_channel(int(posted[0]["channel_id"]))

    after = [m.content async for m in channel.history(limit=3, after=discord.Object(int(posted[0]["id"])))]
    assert after == ["post 1", "post 2", "post 3"]
    before = [m.content async for m in channel.history(limit=10, before=discord.Object(int(posted[3]["id"])))]
    assert before == ["post 2", "post 1", "post 0"]

    ana = await bot.fetch_user(int(discord_double.world.user("ana")["id"]))
    await ana.send("your case study was approved", allowed_mentions=discord.AllowedMentions.none())
    dm = await discord_double.wait_for_request("POST", r"/users/@me/channels", timeout=TIMEOUT)
    await discord_double.wait_for_request("POST", rf"/channels/{dm.response['id']}/messages", timeout=TIMEOUT)

    guild = bot.get_guild(int(discord_double.world.guild.id))
    member = await guild.fetch_member(int(discord_double.world.user("moderator")["id"]))
    assert [r.name for r in member.roles] == ["@everyone", "Moderator"]

    start = discord.utils.utcnow().replace(microsecond=0) + __import__("datetime").timedelta(days=7)
    event = await guild.create_scheduled_event(
        name="IoT webinar",
        start_time=start,
        end_time=start + __import__("datetime").timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="https://example.org/webinar",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    created = await discord_double.wait_for_request(
        "POST", rf"/guilds/{guild.id}/scheduled-events", timeout=TIMEOUT
    )
    assert created.json["name"] == "IoT webinar" and event.location == "https://example.org/webinar"
    await event.edit(name="IoT webinar (moved)")
    assert discord_double.world.guild.scheduled_events[str(event.id)]["name"] == "IoT webinar (moved)"
    await event.delete()
    assert discord_double.world.guild.scheduled_events == {}

    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=guild.id))
    assert [r.path for r in discord_double.unknown_requests] == [f"/guilds/{guild.id}/audit-logs"]


async def test_handler_exceptions_are_collected_not_lost(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    bot = await bot_runner.start(new_bot(discord_double))

    @bot.tree.command(name="boom", description="fails", guild=discord.Object(bot.guild_id))
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaput")

    await bot.tree.sync(guild=discord.Object(bot.guild_id))
    await discord_double.slash("boom")
    # nothing answers; the failure shows up in discord.py's error log, which the runner collects
    await discord_double.recorder.wait(
        lambda: bot_runner.errors, timeout=TIMEOUT, describe=lambda: "for the command's error to be logged"
    )
    assert "kaput" in bot_runner.error_report()
    bot_runner.errors.clear()


async def test_original_response_edits_follow_ups_and_deletion(
    discord_double: DiscordDouble, bot_runner: BotRunner
):
    await bot_runner.start(new_bot(discord_double))
    interaction = await discord_double.slash("status")
    app, token = discord_double.world.application_id, interaction.token
    await discord_double.wait_for_request(
        "DELETE", rf"/webhooks/{app}/{token}/messages/@original", timeout=TIMEOUT
    )

    edits = discord_double.requests_to("PATCH", rf"/webhooks/{app}/{token}/messages/.+")
    assert [r.json["content"] for r in edits] == ["working: 50%", "part 2 (edited)"]
    assert [m["content"] for m in interaction.followups] == ["part 1", "part 2 (edited)"]
    channel_messages = discord_double.world.messages[interaction.payload["channel_id"]]
    assert interaction.original is None
    assert sorted(m["content"] for m in channel_messages.values()) == ["part 1", "part 2 (edited)"]
    assert discord_double.unknown_requests == []
