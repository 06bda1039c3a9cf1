"""Session announcements like an event bot's: an "Interested" button (a personal reminder by direct
message at the configured lead times; press again to opt out), an "add to Google Calendar" link and
the session's .ics file.

The button is a DynamicItem whose custom_id names the sitting (session id and start), so it works on
announcements posted before a restart. It changes only the presser's own reminder.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.discord import render
from bot.discord.checks import home_member
from bot.discord.replying import send_ephemeral
from bot.sessions.announcements import CANCELLED, Announcement
from bot.sessions.event_links import google_calendar_url, session_ics
from bot.sessions.reminders import SessionOver
from bot.text.timestamps import discord_when

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
CUSTOM_ID = 100  # Discord's limit
LABEL = 80


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


class InterestedButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"clikc:interest:(?P<start>\d{1,11}):(?P<session>[^:\s]{1,80})",
):
    def __init__(self, session_id: str, start: datetime, label: str = "Interested"):
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔔",
                style=discord.ButtonStyle.primary,
                custom_id=f"clikc:interest:{int(start.timestamp())}:{session_id}",
            )
        )
        self.session_id = session_id
        self.start = start

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        start = datetime.fromtimestamp(int(match["start"]), UTC)
        return cls(match["session"], start, item.label or "Interested")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await home_member(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        app = bot.app
        replies = app.replies
        locale = interaction.locale
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            lang = replies.lang(locale)  # the reminder will be written in the presser's language
            now_in = await asyncio.to_thread(
                app.reminders.toggle, self.session_id, self.start, interaction.user.id, lang=lang
            )
        except SessionOver:
            await send_ephemeral(interaction, replies.get("interested_over", locale))
            return
        if now_in:
            leads = ", ".join(lead.label for lead in app.sessions.lead_times)
            text = replies.get("interested_on", locale, leads=leads)
        else:
            text = replies.get("interested_off", locale)
        log.info("member %s interest in %s: %s", interaction.user.id, self.session_id, now_in)
        await send_ephemeral(interaction, text)


async def announcement_extras(bot: ClikcBot, item: Announcement, locale: object) -> dict:
    """The view (Interested, add to Google Calendar) and .ics file for a session announcement; nothing
    for a cancellation."""
    if item.kind == CANCELLED:
        return {}
    app = bot.app
    replies = app.replies
    lang = replies.lang(locale)

    def read():  # the database and the calendar file, off the event loop
        occ = app.reminders.occurrence(item.session.id, item.new_start or item.start)
        if occ is None:
            return None, b""
        return occ, session_ics(occ, app.clock(), lang, app.sessions.revisions())

    occ, data = await asyncio.to_thread(read)
    if occ is None:
        return {}
    view = discord.ui.View(timeout=None)
    interested = InterestedButton(occ.session.id, occ.start, replies.get("interested", locale)[:LABEL])
    if len(interested.item.custom_id or "") <= CUSTOM_ID:
        view.add_item(interested)
    view.add_item(
        discord.ui.Button(
            label=replies.get("add_to_google_calendar", locale)[:LABEL],
            emoji="📅",
            url=google_calendar_url(occ, lang),
        )
    )
    file = discord.File(io.BytesIO(data), filename=f"{occ.session.id}.ics"[-100:])
    return {"view": view, "file": file}


class RemindersCog(commands.Cog):
    """Sends the personal reminders members asked for, checking every minute."""

    def __init__(self, bot: ClikcBot):
        self.bot = bot
        bot.add_dynamic_items(InterestedButton)  # the button on past announcements survives restarts

    async def cog_unload(self) -> None:
        self.sender.cancel()
        self.bot.remove_dynamic_items(InterestedButton)

    @commands.Cog.listener()
    async def on_clikc_configured(self) -> None:
        if not self.sender.is_running():
            self.sender.start()

    @tasks.loop(minutes=1)
    async def sender(self) -> None:
        await self.run_once()

    @sender.error
    async def sender_error(self, error: BaseException) -> None:
        log.error("reminder sender failed", exc_info=error)

    async def run_once(self) -> int:
        """DM every reminder due; each is recorded right after it is sent (or found undeliverable)."""
        app = self.bot.app
        replies = app.replies
        sent = 0
        for reminder in await asyncio.to_thread(app.reminders.due):
            occ = reminder.occurrence
            locale = reminder.lang
            text = replies.get(
                "reminder_dm", locale, title=occ.title(replies.lang(locale)), when=discord_when(occ.start)
            )
            if occ.session.link:
                text += f"\n<{occ.session.link}>"
            try:
                user = self.bot.get_user(int(reminder.member_id)) or await self.bot.fetch_user(
                    int(reminder.member_id)
                )
                await user.send(render.message(text))
                sent += 1
            except (discord.HTTPException, ValueError) as exc:  # DMs closed: don't retry every minute
                log.warning("could not send a reminder for %s to a member: %s", occ.key, exc)
            await asyncio.to_thread(app.reminders.mark_sent, reminder)
        return sent
