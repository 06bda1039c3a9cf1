"""Who may press the buttons every member may press (votes, did-you-mean, Interested)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.discord.replying import send_ephemeral

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot


async def home_member(interaction: discord.Interaction) -> bool:
    """A person in the home server; a bot is ignored, another server's member told once, politely."""
    if interaction.user.bot:
        return False
    bot: ClikcBot = interaction.client  # type: ignore[assignment]
    if bot.in_home(interaction):
        return True
    await send_ephemeral(interaction, bot.app.replies.get("other_server", interaction.locale))
    return False
