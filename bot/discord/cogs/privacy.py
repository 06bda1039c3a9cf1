"""/privacy optout|optin|status: a member's own choice, answered privately."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.translator import T
from bot.text.timestamps import discord_timestamp

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name=T("privacy", "privacy.name"),
        description=T("Keep your posts out of the bot's index, or back in", "privacy.description"),
    )

    def __init__(self, bot: ClikcBot):
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every /privacy command counts toward the member's cool-down (an opt-out rewrites the index)."""
        if refusal := self.bot.slow_down("privacy", interaction.user.id, interaction.locale):
            await interaction.response.send_message(refusal, ephemeral=True)
            return False
        return True

    @privacy.command(
        name=T("optout", "privacy.optout.name"),
        description=T("Remove my posts from the index and stop indexing them", "privacy.optout.description"),
    )
    async def optout(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Through the writer: the deletion is ordered after any of this member's posts still queued.
        count = await self.bot.writer.call(self.bot.app.privacy.opt_out, interaction.user.id)
        text = self.bot.app.replies.get("optout_done", interaction.locale, count=count)
        await interaction.followup.send(text, ephemeral=True)

    @privacy.command(
        name=T("optin", "privacy.optin.name"),
        description=T("Index my new posts again", "privacy.optin.description"),
    )
    async def optin(self, interaction: discord.Interaction) -> None:
        was_out = self.bot.app.privacy.opt_in(interaction.user.id)
        key = "optin_done" if was_out else "optin_already"
        await interaction.response.send_message(
            self.bot.app.replies.get(key, interaction.locale), ephemeral=True
        )

    @privacy.command(
        name=T("status", "privacy.status.name"),
        description=T("Are my posts indexed?", "privacy.status.description"),
    )
    async def status(self, interaction: discord.Interaction) -> None:
        status = self.bot.app.privacy.status(interaction.user.id)
        replies = self.bot.app.replies
        if status.opted_out and status.since:
            text = replies.get("status_out", interaction.locale, date=discord_timestamp(status.since, "D"))
        else:
            text = replies.get("status_in", interaction.locale)
        await interaction.response.send_message(text, ephemeral=True)
