"""Replies every part of the Discord adapter sends the same way: an input error in the member's
language, and a private answer whether or not the interaction was already answered."""

from __future__ import annotations

import discord

from bot.discord.render import message
from bot.text.input_errors import localised_input_error

__all__ = ["localised_input_error", "send_ephemeral"]


async def send_ephemeral(interaction: discord.Interaction, text: str, **kwargs) -> None:
    """Reply privately whether or not the interaction was already answered or deferred."""
    if interaction.response.is_done():
        await interaction.followup.send(message(text), ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(message(text), ephemeral=True, **kwargs)
