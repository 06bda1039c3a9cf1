"""/ask and "@bot question": search off the event loop, answer as an embed with "more" pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.cogs.feedback import answer_view, feedback_items
from bot.discord.replying import localised_input_error
from bot.discord.translator import T
from bot.help import help_request
from bot.search.asking import AskRequest, search, technology_choices
from index.documents import DOC_TYPES, KINDS, TECHNOLOGIES, Answer, Document
from index.errors import InputError

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
PAGE_TIMEOUT = 15 * 60


def page_size(default_limit: int) -> int:
    return max(3, min(5, default_limit))


class AnswerPages(discord.ui.View):
    """Back / More buttons under an answer; only the member who asked can turn the pages."""

    def __init__(
        self, cog: AskCog, asker_id: int, request: AskRequest, answer: Answer, locale: object, offset: int = 0
    ):
        super().__init__(timeout=PAGE_TIMEOUT)
        self.cog = cog
        self.asker_id = asker_id
        self.request = request
        self.locale = locale
        self.offset = offset
        self.total = answer.total
        self.message: discord.Message | None = None
        replies = cog.bot.app.replies
        self.previous_page.label = replies.get("previous", locale)
        self.next_page.label = replies.get("more", locale)
        self._refresh()

    def _refresh(self) -> None:
        size = self.cog.size
        self.previous_page.disabled = self.offset <= 0
        self.next_page.disabled = self.offset + size >= self.total

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        everyones = {item.item.custom_id for item in feedback_items(self)}
        if (interaction.data or {}).get("custom_id") in everyones:
            return True  # the answer's vote and did-you-mean buttons: they check their presser themselves
        if interaction.user.id != self.asker_id:
            text = self.cog.bot.app.replies.get("only_asker", interaction.locale)
            await interaction.response.send_message(text, ephemeral=True)
            return False
        if refusal := self.cog.bot.slow_down("pages", interaction.user.id, interaction.locale):
            await interaction.response.send_message(refusal, ephemeral=True)  # each page is a search
            return False
        return True

    async def _turn(self, interaction: discord.Interaction, offset: int) -> None:
        await interaction.response.defer()
        answer = await self.cog.run_search(self.request, offset)
        self.offset = offset
        self.total = answer.total
        self._refresh()
        embed = render.answer_embed(answer, self.cog.bot.app.replies, self.locale, offset)
        await interaction.edit_original_response(embed=embed, view=self)

    @discord.ui.button(style=discord.ButtonStyle.secondary, emoji="◀️")
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, max(0, self.offset - self.cog.size))

    @discord.ui.button(style=discord.ButtonStyle.primary, emoji="▶️")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, self.offset + self.cog.size)

    async def on_timeout(self) -> None:
        if self.message is not None:
            kept = feedback_items(self)  # votes and did-you-mean outlive the paging buttons
            view = discord.ui.View(timeout=None) if kept else None
            for item in kept:
                view.add_item(item)  # type: ignore[union-attr]
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=view)


class AskCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self.size = page_size(bot.app.config.settings.search.default_limit)

    async def run_search(self, request: AskRequest, offset: int = 0) -> Answer:
        """Search in a worker thread: a slow query never stalls the gateway heartbeat. Published case
        studies link to their web page when the web library is on."""
        app = self.bot.app
        return await asyncio.to_thread(
            lambda: app.library.with_pages(search(app.knowledge, request, self.size, offset))
        )

    @staticmethod
    def paged(answer: Answer) -> bool:
        return answer.total > len(answer.results)

    def cooldown(self, user_id: int, locale: object) -> str | None:
        wait = self.bot.app.rate_limiter.hit(user_id)
        return self.bot.app.replies.get("cooldown", locale, seconds=wait) if wait else None

    @app_commands.command(
        name=T("ask", "ask.name"),
        description=T("Search what members shared (blockchain, IoT, data analytics)", "ask.description"),
    )
    @app_commands.describe(
        question=T("Your question, in any language", "ask.question"),
        technology=T("Only this technology", "ask.technology"),
        kind=T("Only this kind of content", "ask.kind"),
        doc_type=T("Only this type: reports, questions, events, resources", "ask.type"),
        member=T("Only what this member shared", "ask.member"),
    )
    @app_commands.rename(doc_type="type")
    @app_commands.choices(
        kind=[app_commands.Choice(name=T(k, f"kind.{k}"), value=k) for k in KINDS],
        doc_type=[app_commands.Choice(name=T(t, f"type.{t}"), value=t) for t in DOC_TYPES],
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        technology: str | None = None,
        kind: str | None = None,
        member: str | None = None,
        doc_type: str | None = None,
    ) -> None:
        replies = self.bot.app.replies
        locale = interaction.locale
        if refusal := self.cooldown(interaction.user.id, locale):
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        request = AskRequest(question, technology, kind, member, doc_type=doc_type).validated()
        await interaction.response.defer(thinking=True)
        answer = await self.run_search(request)
        embed = render.answer_embed(answer, replies, locale)
        pages = (
            AnswerPages(self, interaction.user.id, request, answer, locale) if self.paged(answer) else None
        )
        view = await answer_view(self.bot, request, answer, locale, pages)
        sent = await interaction.followup.send(embed=embed, view=view, wait=True)
        if pages is not None:
            pages.message = sent

    @ask.autocomplete("technology")
    async def technology_autocomplete(self, interaction: discord.Interaction, current: str):
        labels = {t: self.bot.app.replies.get(f"tech.{t}", interaction.locale) for t in TECHNOLOGIES}
        return [
            app_commands.Choice(name=name, value=value) for name, value in technology_choices(current, labels)
        ]

    @ask.autocomplete("member")
    async def member_autocomplete(self, interaction: discord.Interaction, current: str):
        app = self.bot.app
        names = await asyncio.to_thread(lambda: app.knowledge.authors(current, 25))
        return [app_commands.Choice(name=name[:100], value=name[:100]) for name in names]

    # -- "@clikc who uses e-seals?" ------------------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question if the message explicitly mentions the bot (not @everyone, not a reply ping)."""
        me = self.bot.user
        if me is None or message.author.bot or not self.bot.in_home(message):
            return None  # another server's members do not read the group's posts
        pattern = re.compile(rf"<@!?{me.id}>")
        if not pattern.search(message.content):
            return None
        return " ".join(pattern.sub(" ", message.content).split())

    def detect_language(self, text: str) -> str:
        doc = self.bot.app.knowledge.analyse(Document(id="question", text=text))
        return doc.lang or "en"

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        asks_help, help_lang = help_request(question)
        if asks_help:  # "@bot help" is not a question to search: HelpCog answers it
            self.bot.dispatch("clikc_help_request", message, help_lang)
            return
        replies = self.bot.app.replies
        if not question:
            await message.reply(replies.get("ask_empty", message.guild.preferred_locale))
            return
        locale = await asyncio.to_thread(self.detect_language, question)
        if refusal := self.cooldown(message.author.id, locale):
            await message.reply(refusal)
            return
        try:
            request = AskRequest(question).validated()
            async with message.channel.typing():
                answer = await self.run_search(request)
        except InputError as exc:
            await message.reply(render.message(localised_input_error(exc, replies, locale)))
            return
        except Exception:
            log.exception("answering a mention failed")
            await message.reply(replies.get("error", locale))
            return
        embed = render.answer_embed(answer, replies, locale)
        pages = AnswerPages(self, message.author.id, request, answer, locale) if self.paged(answer) else None
        view = await answer_view(self.bot, request, answer, locale, pages)
        sent = await message.reply(embed=embed, view=view)
        if pages is not None:
            pages.message = sent
