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
from bot.discord import render
from bot.discord.bot import send_ephemeral
from bot.discord.translator import T
from index.extract import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
ID_PATTERN = r"(?P<id>cs-[0-9a-f]{6})"


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
        await _report(self.bot, interaction, error)


async def _report(bot: ClikcBot, interaction: discord.Interaction, error: Exception) -> None:
    from bot.discord.bot import localised_input_error
    from index.errors import InputError

    if isinstance(error, InputError):
        await send_ephemeral(interaction, localised_input_error(error, bot.app.replies, interaction.locale))
    else:
        log.error("submission interaction failed", exc_info=error)
        await send_ephemeral(interaction, bot.app.replies.get("error", interaction.locale))


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


def review_view(sub_id: str, replies, locale: object) -> discord.ui.View:
    from bot.discord.cogs.review_edit import EditButton  # beside its form (that module imports this one)

    view = discord.ui.View(timeout=None)
    view.add_item(ApproveButton(sub_id, replies.get("approve", locale)))
    view.add_item(RejectButton(sub_id, replies.get("reject", locale)))
    view.add_item(EditButton(sub_id, replies.get("edit", locale)))
    return view


async def post_for_review(bot: ClikcBot, sub) -> None:
    channel = bot.channel(bot.settings.review_channel)
    if channel is None:
        log.warning(
            "review_channel %r not found: %s waits in /clikc review", bot.settings.review_channel, sub.id
        )
        return
    from bot.discord.cogs.review_edit import review_file

    locale = bot.home_guild.preferred_locale if bot.home_guild else None
    file = await asyncio.to_thread(review_file, bot, sub)  # moderators read the write-up itself
    await channel.send(
        embed=render.submission_embed(sub, bot.app.replies, locale),
        view=review_view(sub.id, bot.app.replies, locale),
        **({"file": file} if file else {}),
    )


async def reviewer_allowed(bot: ClikcBot, interaction: discord.Interaction, submission_id: str) -> bool:
    """A moderator of the home server, not the submitter, on a pending submission; otherwise one
    private line, answered before anything is deferred or a reason is asked for."""
    if not bot.is_moderator(interaction.user):
        await send_ephemeral(interaction, bot.app.replies.get("not_moderator", interaction.locale))
        return False
    try:
        await asyncio.to_thread(
            bot.app.submissions.check_reviewer, bot.actor(interaction.user), submission_id
        )
    except Exception as exc:  # noqa: BLE001 — reported to the moderator, logged if unexpected
        await _report(bot, interaction, exc)
        return False
    return True


class ApproveButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"clikc:approve:{ID_PATTERN}"):
    def __init__(self, submission_id: str, label: str = "Approve"):
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.success, custom_id=f"clikc:approve:{submission_id}"
            )
        )
        self.submission_id = submission_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["id"], item.label or "Approve")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if not await reviewer_allowed(bot, interaction, self.submission_id):
            return
        await interaction.response.defer()
        try:
            sub = await bot.writer.call(
                bot.app.submissions.approve, bot.actor(interaction.user), self.submission_id
            )
        except Exception as exc:  # noqa: BLE001 — reported to the moderator, logged if unexpected
            await _report(bot, interaction, exc)
            return
        log.info("submission %s approved by moderator %s", sub.id, interaction.user.id)
        embed = render.submission_embed(sub, bot.app.replies, interaction.locale)
        await interaction.edit_original_response(embed=embed, view=None)


class RejectButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"clikc:reject:{ID_PATTERN}"):
    def __init__(self, submission_id: str, label: str = "Reject"):
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.danger, custom_id=f"clikc:reject:{submission_id}"
            )
        )
        self.submission_id = submission_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["id"], item.label or "Reject")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if not await reviewer_allowed(bot, interaction, self.submission_id):
            return
        await interaction.response.send_modal(RejectReasonModal(bot, self.submission_id, interaction.locale))


class RejectReasonModal(discord.ui.Modal):
    def __init__(self, bot: ClikcBot, submission_id: str, locale: object):
        replies = bot.app.replies
        super().__init__(title=replies.get("review_reason_title", locale, id=submission_id)[:45])
        self.bot = bot
        self.submission_id = submission_id
        self.reason = discord.ui.TextInput(style=discord.TextStyle.paragraph, max_length=1000)
        label = replies.get("review_reason_label", locale)[:45]
        self.add_item(discord.ui.Label(text=label, component=self.reason))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = self.bot
        sub = await asyncio.to_thread(
            bot.app.submissions.reject, bot.actor(interaction.user), self.submission_id, self.reason.value
        )
        log.info("submission %s rejected by moderator %s", sub.id, interaction.user.id)
        embed = render.submission_embed(sub, bot.app.replies, interaction.locale)
        await interaction.response.edit_message(embed=embed, view=None)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await _report(self.bot, interaction, error)


class SubmissionsCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        bot.add_dynamic_items(ApproveButton, RejectButton)  # review buttons survive restarts

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ApproveButton, RejectButton)

    @app_commands.command(
        name=T("submit", "submit.name"),
        description=T("Share a case study with the group (form and optional file)", "submit.description"),
    )
    async def submit(self, interaction: discord.Interaction) -> None:
        if refusal := self.bot.slow_down("submit", interaction.user.id, interaction.locale):
            await send_ephemeral(interaction, refusal)
            return
        await interaction.response.send_modal(SubmitModal(self.bot, interaction.locale))
