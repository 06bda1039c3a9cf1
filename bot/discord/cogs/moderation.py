"""/clikc …: moderators' commands. Everyone else is refused politely, in their language."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.bot import send_ephemeral
from bot.discord.translator import T

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
    def fmt(counts: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in counts.items()) or "—"

    return replies.get(
        "stats",
        locale,
        documents=stats.documents,
        by_kind=fmt(stats.by_kind),
        by_lang=fmt(stats.by_lang),
        by_technology=fmt(stats.by_technology),
        pending=stats.pending,
    )


class ModerationCog(commands.Cog):
    clikc = app_commands.Group(
        name=T("clikc", "clikc.name"),
        description=T("Moderators: manage the bot", "clikc.description"),
        guild_only=True,
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
