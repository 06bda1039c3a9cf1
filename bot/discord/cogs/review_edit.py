"""Review without leaving Discord: the review message (the submission, its file attached) with
Approve, Reject and Edit buttons (title, member, technologies, language in a modal); once approved,
Edit and Withdraw (reason in a modal), whose changes the library channel's post follows.

The buttons are DynamicItems naming the submission, so they work on review messages posted before a
restart; only a moderator of the home server may use them (the service checks again).
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
from bot.discord.replying import localised_input_error, send_ephemeral
from index.errors import InputError

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
LABEL = 45  # Discord's limit for a modal's title and its labels
DEFAULT_UPLOAD_LIMIT = 10 * 2**20  # a server without boosts
ID_PATTERN = r"(?P<id>cs-[0-9a-f]{6})"
CHANGED = "clikc_library_changed"  # dispatched after an approval, an edit or a withdrawal (LibraryCog)


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


async def report_failure(bot: ClikcBot, interaction: discord.Interaction, error: Exception) -> None:

    if isinstance(error, InputError):
        await send_ephemeral(interaction, localised_input_error(error, bot.app.replies, interaction.locale))
    else:
        log.error("submission interaction failed", exc_info=error)
        await send_ephemeral(interaction, bot.app.replies.get("error", interaction.locale))


def review_view(sub_id: str, replies, locale: object) -> discord.ui.View:
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
    locale = bot.home_guild.preferred_locale if bot.home_guild else None
    file = await asyncio.to_thread(review_file, bot, sub)  # moderators read the write-up itself
    await channel.send(
        embed=render.submission_embed(sub, bot.app.replies, locale),
        view=review_view(sub.id, bot.app.replies, locale),
        **({"file": file} if file else {}),
    )


_DynamicButton = discord.ui.DynamicItem[discord.ui.Button]


class _SubmissionButton:
    """What the four review buttons share: a stable custom_id naming the action and the submission
    (so a button posted before a restart still works), and its label kept when it is rebuilt."""

    ACTION = ""
    LABEL = ""
    STYLE = discord.ButtonStyle.secondary
    EMOJI: str | None = None

    def __init__(self, submission_id: str, label: str | None = None):
        button = discord.ui.Button(
            label=label or self.LABEL,
            emoji=self.EMOJI,
            style=self.STYLE,
            custom_id=f"clikc:{self.ACTION}:{submission_id}",
        )
        super().__init__(button)  # DynamicItem's, next in the subclasses' order
        self.submission_id = submission_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["id"], item.label)


async def moderator_only(bot: ClikcBot, interaction: discord.Interaction) -> bool:
    """Checked on every press, whoever can see the button; one private line otherwise."""
    if bot.is_moderator(interaction.user):
        return True
    await send_ephemeral(interaction, bot.app.replies.get("not_moderator", interaction.locale))
    return False


async def reviewer_allowed(bot: ClikcBot, interaction: discord.Interaction, submission_id: str) -> bool:
    """A moderator of the home server, not the submitter, on a pending submission; otherwise one
    private line, answered before anything is deferred or a reason is asked for."""
    if not await moderator_only(bot, interaction):
        return False
    try:
        await asyncio.to_thread(
            bot.app.submissions.check_reviewer, bot.actor(interaction.user), submission_id
        )
    except Exception as exc:  # noqa: BLE001 — reported to the moderator, logged if unexpected
        await report_failure(bot, interaction, exc)
        return False
    return True


class ApproveButton(_SubmissionButton, _DynamicButton, template=rf"clikc:approve:{ID_PATTERN}"):
    ACTION, LABEL, STYLE = "approve", "Approve", discord.ButtonStyle.success

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
            await report_failure(bot, interaction, exc)
            return
        log.info("submission %s approved by moderator %s", sub.id, interaction.user.id)
        bot.dispatch(CHANGED)  # its library post goes out now
        embed = render.submission_embed(sub, bot.app.replies, interaction.locale)
        view = decided_view(sub, bot.app.replies, interaction.locale)  # Edit and Withdraw stay
        await interaction.edit_original_response(embed=embed, view=view)


class RejectButton(_SubmissionButton, _DynamicButton, template=rf"clikc:reject:{ID_PATTERN}"):
    ACTION, LABEL, STYLE = "reject", "Reject", discord.ButtonStyle.danger

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
        await report_failure(self.bot, interaction, error)


class EditButton(_SubmissionButton, _DynamicButton, template=rf"clikc:edit:{ID_PATTERN}"):
    ACTION, LABEL, STYLE = "edit", "Edit", discord.ButtonStyle.secondary
    EMOJI = "✏️"

    async def callback(self, interaction: discord.Interaction) -> None:
        """The form, filled in with what is stored (a quick read: the modal must open within 3 s)."""
        bot = _bot(interaction)
        if not await moderator_only(bot, interaction):
            return
        try:
            sub = await asyncio.to_thread(
                bot.app.submissions.get, bot.actor(interaction.user), self.submission_id
            )
        except Exception as exc:  # noqa: BLE001 — reported to the moderator, logged if unexpected
            await report_failure(bot, interaction, exc)
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
        if not await moderator_only(bot, interaction):
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
        bot.dispatch(CHANGED)  # an approved case study's library post shows the correction
        replies = bot.app.replies
        await send_ephemeral(interaction, replies.get("review_edited", interaction.locale, id=sub.id))
        if self.review is not None:  # in the review channel's language, like the rest of that message
            guild = bot.home_guild
            locale = guild.preferred_locale if guild else None
            view = review_view(sub.id, replies, locale) if sub.status == "pending" else None
            view = view or decided_view(sub, replies, locale)
            with contextlib.suppress(discord.HTTPException):  # the message may have been deleted
                await self.review.edit(embed=render.submission_embed(sub, replies, locale), view=view)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_failure(self.bot, interaction, error)


def decided_view(sub, replies, locale: object) -> discord.ui.View | None:
    """Under a decided review message: an approved case study can still be edited or withdrawn."""
    if sub.status != "approved":
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(EditButton(sub.id, replies.get("edit", locale)))
    view.add_item(WithdrawButton(sub.id, replies.get("withdraw", locale)))
    return view


class WithdrawButton(_SubmissionButton, _DynamicButton, template=rf"clikc:withdraw:{ID_PATTERN}"):
    ACTION, LABEL, STYLE = "withdraw", "Withdraw", discord.ButtonStyle.danger

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if not await moderator_only(bot, interaction):
            return
        modal = WithdrawModal(bot, self.submission_id, interaction.locale, interaction.message)
        await interaction.response.send_modal(modal)


class WithdrawModal(discord.ui.Modal):
    def __init__(self, bot: ClikcBot, submission_id: str, locale: object, review: discord.Message | None):
        replies = bot.app.replies
        super().__init__(title=replies.get("withdraw_title", locale, id=submission_id)[:45])
        self.bot = bot
        self.submission_id = submission_id
        self.review = review
        self.reason = discord.ui.TextInput(style=discord.TextStyle.paragraph, max_length=1000)
        label = replies.get("withdraw_reason", locale)[:45]
        self.add_item(discord.ui.Label(text=label, component=self.reason))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await withdraw(self.bot, interaction, self.submission_id, self.reason.value, self.review)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_failure(self.bot, interaction, error)


async def withdraw(
    bot: ClikcBot,
    interaction: discord.Interaction,
    submission_id: str,
    reason: str,
    review: discord.Message | None = None,
) -> None:
    """Committed (out of the index, post removal queued) before the moderator is told; then the post goes."""
    if not await moderator_only(bot, interaction):
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    who = bot.actor(interaction.user)
    sub = await bot.writer.call(bot.app.submissions.withdraw, who, submission_id, reason)
    log.info("submission %s withdrawn by moderator %s", sub.id, interaction.user.id)
    replies = bot.app.replies
    await send_ephemeral(interaction, replies.get("withdraw_done", interaction.locale, id=sub.id))
    bot.dispatch(CHANGED)
    if review is not None:
        guild = bot.home_guild
        locale = guild.preferred_locale if guild else None
        with contextlib.suppress(discord.HTTPException):  # the review message may have been deleted
            await review.edit(embed=render.submission_embed(sub, replies, locale), view=None)


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
        # review buttons survive restarts
        bot.add_dynamic_items(ApproveButton, RejectButton, EditButton, WithdrawButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ApproveButton, RejectButton, EditButton, WithdrawButton)
