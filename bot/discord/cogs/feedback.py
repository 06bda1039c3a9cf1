"""Buttons under an answer: "Helpful" / "Not helpful" votes and a clickable "did you mean".

All are DynamicItems whose custom_id names a stored answer, so they keep working after a restart.
Anyone in the server may vote (one vote each, kept by the service); a did-you-mean press answers
only the member who pressed it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord import render
from bot.discord.checks import home_member
from bot.discord.replying import send_ephemeral
from bot.search.asking import AskRequest
from bot.search.feedback import UnknownAnswer
from bot.text.truncate import truncate
from index.documents import Answer

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
ANSWER = r"(?P<answer>[0-9a-f]{12})"
LABEL = 80  # Discord's button label limit


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=rf"clikc:vote:{ANSWER}:(?P<helpful>[01])"
):
    def __init__(self, answer_id: str, helpful: bool, label: str = ""):
        super().__init__(
            discord.ui.Button(
                label=label or ("Helpful" if helpful else "Not helpful"),
                emoji="👍" if helpful else "👎",
                row=1,  # under the answer's paging buttons
                style=discord.ButtonStyle.secondary,
                custom_id=f"clikc:vote:{answer_id}:{int(helpful)}",
            )
        )
        self.answer_id = answer_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["answer"], match["helpful"] == "1", item.label or "")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await home_member(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        replies = bot.app.replies
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            vote = await asyncio.to_thread(
                bot.app.feedback.vote, self.answer_id, interaction.user.id, self.helpful
            )
        except UnknownAnswer:
            await send_ephemeral(interaction, replies.get("expired", interaction.locale))
            return
        key = "vote_again" if vote.repeated else "vote_helpful" if self.helpful else "vote_not_helpful"
        log.info("answer %s voted %s", self.answer_id, "helpful" if self.helpful else "not helpful")
        await send_ephemeral(interaction, replies.get(key, interaction.locale))


class DidYouMeanButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"clikc:dym:{ANSWER}"):
    def __init__(self, answer_id: str, label: str = ""):
        super().__init__(
            discord.ui.Button(
                label=label or "?",
                emoji="🔎",
                row=1,  # under the answer's paging buttons
                style=discord.ButtonStyle.primary,
                custom_id=f"clikc:dym:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["answer"], item.label or "")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await home_member(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        """The corrected question, answered privately to whoever pressed (a search may be slow: defer)."""
        bot = _bot(interaction)
        app = bot.app
        if refusal := bot.slow_down("pages", interaction.user.id, interaction.locale):
            await send_ephemeral(interaction, refusal)  # each press is a search
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            suggestion, filters = await asyncio.to_thread(app.feedback.suggested, self.answer_id)
        except UnknownAnswer:
            suggestion, filters = None, {}
        if not suggestion:
            await send_ephemeral(interaction, app.replies.get("expired", interaction.locale))
            return
        cog = bot.get_cog("AskCog")
        request = AskRequest(suggestion, **filters).validated()  # the question's filters still apply
        answer = await cog.run_search(request)  # type: ignore[union-attr]
        embed = render.answer_embed(answer, app.replies, interaction.locale)
        view = await answer_view(bot, request, answer, interaction.locale)
        await interaction.followup.send(embed=embed, view=view, ephemeral=True)


async def answer_view(
    bot: ClikcBot,
    request: AskRequest,
    answer: Answer,
    locale: object,
    view: discord.ui.View | None = None,
) -> discord.ui.View:
    """`view` (or a new one) with the did-you-mean and vote buttons added; the answer is stored first."""
    app = bot.app
    replies = app.replies
    ids = [hit.id for hit in answer.results]
    suggestion = answer.did_you_mean
    answer_id = await asyncio.to_thread(
        app.feedback.record_answer,
        request.question,
        ids,
        replies.lang(locale),
        suggestion,
        request_filters(request),
    )
    view = view or discord.ui.View(timeout=None)
    if suggestion:
        label = truncate(replies.get("did_you_mean_button", locale, suggestion=suggestion), LABEL)
        view.add_item(DidYouMeanButton(answer_id, label))
    if answer.results:
        view.add_item(VoteButton(answer_id, True, replies.get("helpful", locale)[:LABEL]))
        view.add_item(VoteButton(answer_id, False, replies.get("not_helpful", locale)[:LABEL]))
    return view


def request_filters(request: AskRequest) -> dict[str, str | None]:
    """The options a question was asked with, by AskRequest's field names (stored with the answer)."""
    return {
        "technology": request.technology,
        "kind": request.kind,
        "member": request.member,
        "lang": request.lang,
        "country": request.country,
        "doc_type": request.doc_type,
    }


def feedback_items(view: discord.ui.View) -> list[discord.ui.Item]:
    """The persistent items of an answer's view (kept when its paging buttons time out)."""
    return [item for item in view.children if isinstance(item, VoteButton | DidYouMeanButton)]


class FeedbackCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        bot.add_dynamic_items(VoteButton, DidYouMeanButton)  # answers' buttons survive restarts

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(VoteButton, DidYouMeanButton)
