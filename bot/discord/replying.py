"""Replies every part of the Discord adapter sends the same way: an input error in the member's
language, and a private answer whether or not the interaction was already answered."""

from __future__ import annotations

import discord

from bot.casestudies.model import OwnSubmission
from bot.discord.render import message
from bot.members import NotAllowed
from index.errors import InputError


def localised_input_error(error: InputError, replies, locale) -> str:
    if isinstance(error, OwnSubmission):
        return replies.get("own_submission", locale, id=error.submission_id)
    if isinstance(error, NotAllowed):
        return replies.get("not_moderator", locale)
    what = getattr(error, "what", None)
    if what in {"technology", "kind"}:
        return replies.get(f"unknown_{what}", locale, value=error.value)  # type: ignore[attr-defined]
    return str(error)


async def send_ephemeral(interaction: discord.Interaction, text: str, **kwargs) -> None:
    """Reply privately whether or not the interaction was already answered or deferred."""
    if interaction.response.is_done():
        await interaction.followup.send(message(text), ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(message(text), ephemeral=True, **kwargs)
