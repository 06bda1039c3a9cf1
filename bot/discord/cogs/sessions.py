"""/sessions, and the announcement planner: every minute, post what is due, exactly once each, and
(with discord.scheduled_events) keep the guild's scheduled events in step with the sessions."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.casestudies.model import ANNOUNCEMENT, APPROVED_NOTICE, REJECTED_NOTICE
from bot.discord import render
from bot.discord.cogs.reminders import announcement_extras
from bot.discord.translator import T
from bot.sessions.event_mirror import Action, EventSpec

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
        if feed := app.calendar_feed_url(lang):
            subscribe = replies.get("calendar_subscribe", interaction.locale, url=feed)
            embed.description = f"{embed.description or ''}\n\n{subscribe}".strip()
            embed = render.fit(embed)
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
        self._events_warned = False

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
                text = render.announcement_text(item, replies, self.locale)
                if feed := app.calendar_feed_url(replies.lang(self.locale)):
                    text = f"{text}\n{replies.get('calendar_subscribe', self.locale, url=feed)}"
                extras = await announcement_extras(self.bot, item, self.locale)  # Interested, calendar
                await channel.send(render.message(text), **extras)
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
                doc_id = note.payload.get("doc_id", "")
                pages = await asyncio.to_thread(app.library.page_urls, [doc_id]) if doc_id else {}
                if doc_id in pages:
                    text = f"{text}\n{replies.get('read_on_web', self.locale, url=pages[doc_id])}"
                await channel.send(render.message(text))
            elif note.kind in (APPROVED_NOTICE, REJECTED_NOTICE) and note.platform == "discord":
                await self.notify_submitter(note)
            else:
                continue  # a notice for another adapter (CLI, console) stays queued for it
            await asyncio.to_thread(app.submissions.mark_sent, note.id)
            log.info("delivered %s for %s", note.kind, note.submission_id)
            posted += 1
        await self.mirror_events()
        return posted

    async def mirror_events(self) -> int:
        """Create, update and delete the guild's scheduled events so they follow the upcoming sessions;
        returns how many Discord changes were made. Off unless discord.scheduled_events is true."""
        guild = self.bot.home_guild
        if not self.bot.settings.scheduled_events or guild is None:
            return 0
        if not can_manage_events(guild):  # on by default: used only where the server allows it
            if not self._events_warned:
                log.warning(
                    "scheduled events are off in %s: the bot lacks the Create Events and Manage Events "
                    "permissions (set discord.scheduled_events: false to silence this)",
                    guild.name,
                )
                self._events_warned = True
            return 0
        app = self.bot.app
        mirror = app.event_mirror
        calendar = str(guild.id)
        fallback = app.replies.get("event_location", self.locale)
        lang = app.replies.lang(self.locale)
        changed = 0
        for action in await asyncio.to_thread(mirror.plan, calendar, lang, fallback):
            try:
                if action.kind == "forget":
                    await asyncio.to_thread(mirror.forget, calendar, [action.key])
                    continue
                await self._apply(guild, calendar, action)
            except discord.NotFound:  # a moderator deleted the event in Discord: leave it deleted
                if action.kind == "update":
                    await asyncio.to_thread(mirror.record_removed_on_platform, calendar, action)
                else:
                    await asyncio.to_thread(mirror.forget, calendar, [action.key])
                log.info("scheduled event for %s was deleted in Discord; not recreated", action.key)
                continue
            except discord.Forbidden as exc:
                if not self._events_warned:
                    log.warning(
                        "cannot manage scheduled events in %s (%s): the bot needs the Create Events and "
                        "Manage Events permissions; retrying every minute",
                        guild.name,
                        exc.text or exc.status,
                    )
                    self._events_warned = True
                return changed
            except discord.HTTPException as exc:
                log.warning(
                    "scheduled event %s for %s failed, retried next run: %s", action.kind, action.key, exc
                )
                continue
            log.info("scheduled event %s: %s", action.kind, action.key)
            changed += 1
        self._events_warned = False
        return changed

    async def _apply(self, guild: discord.Guild, calendar: str, action: Action) -> None:
        """One create, update or delete on Discord, recorded right after Discord accepted it."""
        mirror = self.bot.app.event_mirror
        if action.kind == "create":
            event = await guild.create_scheduled_event(**_event_fields(action.spec))
            await asyncio.to_thread(mirror.record, calendar, action.spec, str(event.id))
            return
        # The bot does not subscribe to scheduled-event gateway events, so nothing is cached: fetch.
        event = await guild.fetch_scheduled_event(int(action.event_id), with_counts=False)
        if action.kind == "update":
            await event.edit(**_event_fields(action.spec))
            await asyncio.to_thread(mirror.record, calendar, action.spec, action.event_id)
        else:
            await event.delete()
            await asyncio.to_thread(mirror.forget, calendar, [action.key])

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


def can_manage_events(guild: discord.Guild) -> bool:
    """The bot's own server-wide permissions allow creating and editing scheduled events."""
    me = guild.me
    if me is None:
        return False
    perms = me.guild_permissions
    return bool(perms.create_events and perms.manage_events)


def _event_fields(spec: EventSpec) -> dict:
    """An external, members-only event (Discord requires a location and an end for external events)."""
    fields = {
        "name": spec.name,
        "start_time": spec.start,
        "end_time": spec.end,
        "entity_type": discord.EntityType.external,
        "privacy_level": discord.PrivacyLevel.guild_only,
        "location": spec.location,
    }
    if spec.description:  # Discord refuses an empty description
        fields["description"] = spec.description
    return fields
