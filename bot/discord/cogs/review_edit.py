"""Review without leaving Discord: an Edit button on the review message (title, member, technologies,
language in a modal) and the submitted file attached to it.

The button is a DynamicItem naming the submission, so it works on review messages posted before a
restart; only a moderator of the home server may use it (the service checks again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord import render
from bot.discord.bot import send_ephemeral
from bot.discord.cogs.submissions import ID_PATTERN, _report, review_view

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
LABEL = 45  # Discord's limit for a modal's title and its labels
DEFAULT_UPLOAD_LIMIT = 10 * 2**20  # a server without boosts


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


class EditButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"clikc:edit:{ID_PATTERN}"):
    def __init__(self, submission_id: str, label: str = "Edit"):
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="✏️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"clikc:edit:{submission_id}",
            )
        )
        self.submission_id = submission_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["id"], item.label or "Edit")

    async def callback(self, interaction: discord.Interaction) -> None:
        """The form, filled in with what is stored (a quick read: the modal must open within 3 s)."""
        bot = _bot(interaction)
        if not bot.is_moderator(interaction.user):
            await send_ephemeral(interaction, bot.app.replies.get("not_moderator", interaction.locale))
            return
        try:
            sub = await asyncio.to_thread(
                bot.app.submissions.get, bot.actor(interaction.user), self.submission_id
            )
        except Exception as exc:  # noqa: BLE001 — reported to the moderator, logged if unexpected
            await _report(bot, interaction, exc)
            return
        await interaction.response.send_modal(EditModal(bot, sub, interaction.locale, interaction.message))


class EditModal(discord.ui.Modal):
    def __init__(self, bot: ClikcBot, sub, locale: object, review: discord.Message | None = None):
        t = lambda key, **f: bot.app.replies.get(key, locale, **f)[:LABEL]  # noqa: E731
        super().__init__(title=t("edit_title", id=sub.id), timeout=30 * 60)
        self.bot = bot
        self.submission_id = sub.id
        self.review = review  # the review message the Edit button is on: it shows the corrections
        self.title_input = discord.ui.TextInput(max_length=200, default=sub.title[:200])
        self.member_input = discord.ui.TextInput(max_length=200, default=(sub.member or "")[:200])
        self.technologies_input = discord.ui.TextInput(
            max_length=100,
            required=False,
            default=",".join(sub.technologies),
            placeholder="blockchain,iot,analytics",
        )
        self.lang_input = discord.ui.TextInput(
            max_length=2, min_length=2, default=sub.lang or "", placeholder="en, es, fr, pt", required=False
        )
        for key, item in (
            ("submit_field_title", self.title_input),
            ("submit_field_member", self.member_input),
            ("edit_field_technologies", self.technologies_input),
            ("edit_field_lang", self.lang_input),
        ):
            self.add_item(discord.ui.Label(text=t(key), component=item))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Stored (and an approved case study re-indexed) before the review message shows it."""
        bot = self.bot
        if not bot.is_moderator(interaction.user):
            await send_ephemeral(interaction, bot.app.replies.get("not_moderator", interaction.locale))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)  # re-indexing may take a moment
        technologies = [t for t in self.technologies_input.value.replace(" ", "").split(",") if t]
        changes = {
            "title": self.title_input.value,
            "member": self.member_input.value,
            "technologies": technologies,
            "lang": self.lang_input.value.strip().lower() or None,
        }
        who = bot.actor(interaction.user)
        sub = await bot.writer.call(lambda: bot.app.submissions.edit(who, self.submission_id, **changes))
        log.info("submission %s edited by moderator %s", sub.id, interaction.user.id)
        replies = bot.app.replies
        await send_ephemeral(interaction, replies.get("review_edited", interaction.locale, id=sub.id))
        if self.review is not None:  # in the review channel's language, like the rest of that message
            guild = bot.home_guild
            locale = guild.preferred_locale if guild else None
            view = review_view(sub.id, replies, locale) if sub.status == "pending" else None
            with contextlib.suppress(discord.HTTPException):  # the message may have been deleted
                await self.review.edit(embed=render.submission_embed(sub, replies, locale), view=view)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await _report(self.bot, interaction, error)


def review_file(bot: ClikcBot, sub) -> discord.File | None:
    """The submitted file, under the name the member gave it, if Discord will take it here."""
    path: Path | None = bot.app.submissions.original_file(sub)
    if path is None:
        return None
    guild = bot.home_guild
    limit = guild.filesize_limit if guild else DEFAULT_UPLOAD_LIMIT
    if path.stat().st_size > limit:
        log.info("the file of %s is larger than the server's upload limit: not attached", sub.id)
        return None
    return discord.File(path, filename=(sub.file_name or path.name)[-100:])


class ReviewEditCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        bot.add_dynamic_items(EditButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(EditButton)
