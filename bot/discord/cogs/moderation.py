"""/clikc …: moderators' commands. Everyone else is refused politely, in their language."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.review_edit import review_view, withdraw
from bot.discord.render import submission_embed
from bot.discord.replying import send_ephemeral
from bot.discord.translator import T
from bot.members import Actor
from bot.sessions.fields import parse_assignment_text
from bot.text.stats import stats_fields
from bot.text.timestamps import discord_when

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)


async def refuse_non_moderator(bot: ClikcBot, interaction: discord.Interaction) -> bool:
    """True (and a polite refusal sent) if the user is not a moderator."""
    if bot.is_moderator(interaction.user):
        return False
    await send_ephemeral(interaction, bot.app.replies.get("not_moderator", interaction.locale))
    return True


def stats_text(stats, replies, locale) -> str:
    """Kinds and technologies by their names in the moderator's language ("estudio de caso 5")."""
    return replies.get("stats", locale, **stats_fields(stats, lambda key: replies.get(key, locale)))


class ModerationCog(commands.Cog):
    clikc = app_commands.Group(
        name=T("clikc", "clikc.name"),
        description=T("Moderators: manage the bot", "clikc.description"),
        guild_only=True,
        # hidden from members by default (server admins may grant it to a moderator role under
        # Server Settings → Integrations); refuse_non_moderator still checks every use
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ClikcBot):
        self.bot = bot

    @clikc.command(
        name=T("reindex", "reindex.name"),
        description=T("Rebuild the search index from the database", "reindex.description"),
    )
    async def reindex(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(self.bot, interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        log.info("reindex requested by moderator %s", interaction.user.id)
        app = self.bot.app
        count = await self.bot.writer.call(lambda: app.knowledge.rebuild())
        log.info("reindex done: %d documents", count)
        await interaction.followup.send(
            app.replies.get("reindex_done", interaction.locale, count=count), ephemeral=True
        )

    @clikc.command(
        name=T("stats", "stats.name"), description=T("What the knowledge base holds", "stats.description")
    )
    async def stats(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(self.bot, interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        app = self.bot.app
        stats = await asyncio.to_thread(lambda: app.knowledge.stats())
        await interaction.followup.send(stats_text(stats, app.replies, interaction.locale), ephemeral=True)

    # -- case studies and sessions ---------------------------------------------------------------------

    @clikc.command(
        name=T("review", "review.name"),
        description=T("Case studies waiting for review", "review.description"),
    )
    async def review(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(self.bot, interaction):
            return
        app = self.bot.app
        pending = await asyncio.to_thread(app.submissions.list, self.bot.actor(interaction.user), "pending")
        if not pending:
            await send_ephemeral(interaction, app.replies.get("review_none", interaction.locale))
            return
        await interaction.response.defer(ephemeral=True)
        for sub in pending[:10]:
            await interaction.followup.send(
                embed=submission_embed(sub, app.replies, interaction.locale),
                view=review_view(sub.id, app.replies, interaction.locale),
                ephemeral=True,
            )

    @clikc.command(
        name=T("withdraw", "withdraw.name"),
        description=T("Withdraw an approved case study and its library post", "withdraw.description"),
    )
    @app_commands.describe(
        submission=T("Its id, e.g. cs-7f3a2b", "withdraw.submission"),
        reason=T("Why (kept in its history)", "withdraw.reason"),
    )
    async def withdraw(
        self, interaction: discord.Interaction, submission: str, reason: app_commands.Range[str, 1, 1000]
    ) -> None:
        if await refuse_non_moderator(self.bot, interaction):
            return
        await withdraw(self.bot, interaction, submission, reason)

    session = app_commands.Group(
        name=T("session", "session.name"),
        parent=clikc,
        description=T("Add, edit or cancel a session", "session.description"),
    )

    def _session_actor(self, user):
        return Actor(name=user.display_name, is_moderator=self.bot.is_moderator(user), id=str(user.id))

    async def _session_change(self, interaction: discord.Interaction, change) -> None:
        if await refuse_non_moderator(self.bot, interaction):
            return
        app = self.bot.app
        session = await asyncio.to_thread(change, self._session_actor(interaction.user))
        log.info("session %s changed by moderator %s", session.id, interaction.user.id)
        if session.cancelled:
            text = app.replies.get("session_cancelled", interaction.locale, id=session.id)
        else:
            lang = app.replies.lang(interaction.locale)
            text = app.replies.get(
                "session_saved",
                interaction.locale,
                id=session.id,
                title=session.title(lang),
                when=discord_when(session.start),
            )
        await send_ephemeral(interaction, text)

    @session.command(
        name=T("add", "session.add.name"),
        description=T(
            "Add a session: id=… title=… start=… duration=… timezone=… link=…", "session.add.description"
        ),
    )
    async def session_add(self, interaction: discord.Interaction, fields: str) -> None:
        data = parse_assignment_text(fields)
        await self._session_change(interaction, lambda who: self.bot.app.sessions.add(data, who))

    @session.command(
        name=T("edit", "session.edit.name"),
        description=T("Change fields of a session: start=… link=…", "session.edit.description"),
    )
    async def session_edit(self, interaction: discord.Interaction, session_id: str, fields: str) -> None:
        data = parse_assignment_text(fields)
        await self._session_change(interaction, lambda who: self.bot.app.sessions.edit(session_id, data, who))

    @session.command(
        name=T("cancel", "session.cancel.name"),
        description=T("Cancel a session, or one occurrence of a recurring one", "session.cancel.description"),
    )
    async def session_cancel(
        self, interaction: discord.Interaction, session_id: str, occurrence: str | None = None
    ) -> None:
        await self._session_change(
            interaction, lambda who: self.bot.app.sessions.cancel(session_id, who, occurrence)
        )
