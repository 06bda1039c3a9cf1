"""/submit (a modal with an optional file) and the moderators' Approve / Reject buttons.

The buttons are DynamicItems whose custom_id carries the submission id, so a review message posted
before a restart still works after it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.casestudies.model import SubmissionForm, Upload
from bot.discord.cogs.review_edit import post_for_review, report_failure
from bot.discord.replying import send_ephemeral
from bot.discord.translator import T
from index.extract import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


class SubmitModal(discord.ui.Modal):
    """Title, administration, summary, results & lessons, and a file — five rows, Discord's maximum."""

    def __init__(self, bot: ClikcBot, locale: object):
        t = lambda key: bot.app.replies.get(key, locale)[:45]  # noqa: E731 — Discord caps labels at 45
        super().__init__(title=t("submit_title"), timeout=30 * 60)
        self.bot = bot
        paragraph = discord.TextStyle.paragraph
        self.title_input = discord.ui.TextInput(max_length=200)
        self.member_input = discord.ui.TextInput(max_length=200)
        self.summary_input = discord.ui.TextInput(style=paragraph, max_length=4000)
        self.results_input = discord.ui.TextInput(style=paragraph, max_length=4000, required=False)
        self.file_input = discord.ui.FileUpload(required=False, max_values=1)
        rows = (
            ("submit_field_title", self.title_input),
            ("submit_field_member", self.member_input),
            ("submit_field_summary", self.summary_input),
            ("submit_field_results", self.results_input),
        )
        for key, item in rows:
            self.add_item(discord.ui.Label(text=t(key), component=item))
        hint = t("submit_field_file_hint")
        self.add_item(
            discord.ui.Label(text=t("submit_field_file"), description=hint, component=self.file_input)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as exc:
            # Discord could not take the acknowledgement; what the member typed is still stored.
            log.warning("could not acknowledge a /submit form (HTTP %s); storing it anyway", exc.status)
        upload = None
        if self.file_input.values:
            upload = await read_attachment(self.bot, interaction, self.file_input.values[0])
            if upload is None:
                return
        form = SubmissionForm(
            title=self.title_input.value,
            member=self.member_input.value,
            summary=self.summary_input.value,
            results=self.results_input.value,
            file=upload,
        )
        await submit(self.bot, interaction, form)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_failure(self.bot, interaction, error)


# What Discord may report for each readable suffix; no type at all is accepted too (older clients).
CONTENT_TYPES = {
    ".md": ("text/", "application/octet-stream"),
    ".markdown": ("text/", "application/octet-stream"),
    ".txt": ("text/", "application/octet-stream"),
    ".pdf": ("application/pdf", "application/octet-stream"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
        "application/octet-stream",
    ),
}


def attachment_refusal(filename: str, content_type: str | None, size: int, max_bytes: int) -> tuple | None:
    """(strings key, values) refusing an attachment by what Discord says about it, else None.

    Decided before a byte is downloaded: the name's suffix, the declared content type and size.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return "file_type", {"name": filename[:100]}
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and not declared.startswith(CONTENT_TYPES[suffix]):
        return "file_type", {"name": filename[:100]}
    if size > max_bytes:
        return "file_too_big", {"size": f"{size / 2**20:.1f}", "limit": f"{max_bytes / 2**20:.0f}"}
    return None


async def read_attachment(bot: ClikcBot, interaction: discord.Interaction, attachment) -> Upload | None:
    """The attachment's bytes, refused by its declared name, type and size before downloading."""
    limit = bot.app.submissions.max_file_bytes
    refusal = attachment_refusal(attachment.filename, attachment.content_type, attachment.size, limit)
    if refusal is not None:
        key, values = refusal
        log.info(
            "attachment %r (%s, %d bytes) refused: %s",
            attachment.filename[:100],
            attachment.content_type,
            attachment.size,
            key,
        )
        await send_ephemeral(interaction, bot.app.replies.get(key, interaction.locale, **values))
        return None
    return Upload(name=attachment.filename, data=await attachment.read())


async def submit(bot: ClikcBot, interaction: discord.Interaction, form: SubmissionForm) -> None:
    """Store the submission (committed before the receipt), then put it before the moderators."""
    replies = bot.app.replies
    who = bot.actor(interaction.user)
    # The file is parsed (in a limited worker process) before the write queue, which only stores.
    extracted = await asyncio.to_thread(bot.app.submissions.extract, form.file) if form.file else None
    receipt = await bot.writer.call(bot.app.submissions.submit, form, who, extracted)
    sub = receipt.submission
    key = "submit_duplicate" if receipt.duplicate else "submit_received"
    await send_ephemeral(interaction, replies.get(key, interaction.locale, id=sub.id, status=sub.status))
    log.info("submission %s received (%s)", sub.id, "duplicate" if receipt.duplicate else "new")
    if not receipt.duplicate:
        await post_for_review(bot, sub)


class SubmissionsCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot

    @app_commands.command(
        name=T("submit", "submit.name"),
        description=T("Share a case study with the group (form and optional file)", "submit.description"),
    )
    async def submit(self, interaction: discord.Interaction) -> None:
        if refusal := self.bot.slow_down("submit", interaction.user.id, interaction.locale):
            await send_ephemeral(interaction, refusal)
            return
        await interaction.response.send_modal(SubmitModal(self.bot, interaction.locale))
