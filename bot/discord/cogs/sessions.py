"""/sessions, and the announcement planner: every minute, post what is due, exactly once each."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord import render
from bot.discord.translator import T
from bot.submissions import ANNOUNCEMENT, APPROVED_NOTICE, REJECTED_NOTICE

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)


class SessionsCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot

    @app_commands.command(
        name=T("sessions", "sessions.name"),
        description=T("Upcoming workshops, webinars and community calls", "sessions.description"),
    )
    @app_commands.describe(ics=T("Attach a calendar file (.ics)", "sessions.ics"))
    async def sessions(self, interaction: discord.Interaction, ics: bool = False) -> None:
        app = self.bot.app
        replies = app.replies
        lang = replies.lang(interaction.locale)
        found = await asyncio.to_thread(app.sessions.upcoming, None, False, 10)
        embed = render.sessions_embed(found, replies, interaction.locale)
        if ics:
            data = await asyncio.to_thread(app.sessions.to_ics, None, lang)
            file = discord.File(io.BytesIO(data), filename="clikc-sessions.ics")
            await interaction.response.send_message(
                replies.get("ics_attached", interaction.locale), embed=embed, file=file
            )
        else:
            await interaction.response.send_message(embed=embed)


class AnnouncerCog(commands.Cog):
    """Delivers what the services queued: session announcements and the case-study outbox."""

    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self._warned = False

    async def cog_unload(self) -> None:
        self.planner.cancel()

    @commands.Cog.listener()
    async def on_clikc_configured(self) -> None:
        if not self.planner.is_running():
            self.planner.start()

    @tasks.loop(minutes=1)
    async def planner(self) -> None:
        await self.run_once()

    @planner.error
    async def planner_error(self, error: BaseException) -> None:  # keep planning after a bad minute
        log.error("announcement planner failed", exc_info=error)

    def announce_channel(self):
        channel = self.bot.channel(self.bot.settings.announce_channel)
        if channel is None and not self._warned:
            log.warning(
                "announce_channel %r not found: announcements wait", self.bot.settings.announce_channel
            )
            self._warned = True
        return channel

    @property
    def locale(self) -> object:
        guild = self.bot.home_guild
        return guild.preferred_locale if guild else None

    async def run_once(self) -> int:
        """Post everything due now; each item is recorded as posted right after it is sent."""
        channel = self.announce_channel()
        app = self.bot.app
        replies = app.replies
        posted = 0
        if channel is not None:
            for item in await asyncio.to_thread(app.sessions.due_announcements):
                await channel.send(render.announcement_text(item, replies, self.locale))
                await asyncio.to_thread(app.sessions.mark_announced, item)
                log.info("announced %s (%s)", item.key, item.kind)
                posted += 1
        for note in await asyncio.to_thread(app.submissions.pending_notifications):
            if note.kind == ANNOUNCEMENT:
                if channel is None:
                    continue
                text = replies.get(
                    "case_study_published",
                    self.locale,
                    title=note.payload.get("title", ""),
                    member=note.payload.get("member", ""),
                )
                await channel.send(render.message(text))
            elif note.kind in (APPROVED_NOTICE, REJECTED_NOTICE) and note.platform == "discord":
                await self.notify_submitter(note)
            else:
                continue  # a notice for another adapter (CLI, console) stays queued for it
            await asyncio.to_thread(app.submissions.mark_sent, note.id)
            log.info("delivered %s for %s", note.kind, note.submission_id)
            posted += 1
        return posted

    async def notify_submitter(self, note) -> None:
        key = "notice_approved" if note.kind == APPROVED_NOTICE else "notice_rejected"
        text = self.bot.app.replies.get(key, self.locale, id=note.submission_id, **note.payload)
        try:
            user = self.bot.get_user(int(note.recipient_id)) or await self.bot.fetch_user(
                int(note.recipient_id)
            )
            await user.send(render.message(text))
        except (discord.HTTPException, ValueError) as exc:  # DMs closed: the review channel shows it anyway
            log.warning("could not notify submitter of %s: %s", note.submission_id, exc)
