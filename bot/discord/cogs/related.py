"""Related experiences in a thread under a member's question, and the "Not helpful" button that
removes them. The rules (which posts, how often) are bot.search.related's; this only translates."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord import render, resolve
from bot.discord.checks import home_member
from bot.discord.replying import send_ephemeral
from bot.search.related import Asked, Offer
from bot.text.truncate import truncate

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
THREAD_NAME = 100  # Discord's limit on a thread's name
LABEL = 80


def _bot(interaction: discord.Interaction) -> ClikcBot:
    return interaction.client  # type: ignore[return-value]


def related_embed(offer: Offer, replies, lang: str) -> discord.Embed:
    embed = discord.Embed(title=replies.get("related_title", lang), colour=render.COLOUR)
    embed.description = replies.get("related_intro", lang)
    for i, hit in enumerate(offer.results):
        name, value = render.hit_field(hit, i + 1, replies, lang)
        embed.add_field(name=name, value=value, inline=False)
    return render.fit(embed)


def thread_name(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "?")
    return truncate(" ".join(first.split()), THREAD_NAME) or "?"


class NotHelpfulButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"clikc:related:(?P<offer>[0-9a-f]{12})"
):
    """Removes the bot's offer; only the member who asked or a moderator (checked against the stored
    offer, not the message); the custom_id names the stored offer, so it works after a restart."""

    def __init__(self, offer_id: str, label: str = ""):
        super().__init__(
            discord.ui.Button(
                label=label or "Not helpful",
                emoji="👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"clikc:related:{offer_id}",
            )
        )
        self.offer_id = offer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match):
        return cls(match["offer"], item.label or "")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await home_member(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        related = bot.app.related
        replies = bot.app.replies
        await interaction.response.defer(ephemeral=True, thinking=True)
        offer = await asyncio.to_thread(related.get, self.offer_id)
        if offer is None or offer.dismissed:
            await send_ephemeral(interaction, replies.get("related_gone", interaction.locale))
            return
        if not related.may_dismiss(offer, str(interaction.user.id), bot.is_moderator(interaction.user)):
            log.info("related offer %s: removal refused to user %s", offer.id, interaction.user.id)
            await send_ephemeral(interaction, replies.get("related_only_asker", interaction.locale))
            return
        if not await asyncio.to_thread(related.dismissed, offer.id):
            await send_ephemeral(interaction, replies.get("related_gone", interaction.locale))
            return
        message = interaction.message
        try:
            if offer.thread_created and message is not None and await _only_message(message):
                await message.channel.delete()  # the thread was opened for the offer alone
            elif message is not None:
                await message.delete()
        except discord.NotFound:
            pass  # already gone
        log.info("related offer %s removed by user %s", offer.id, interaction.user.id)
        await send_ephemeral(interaction, replies.get("related_removed", interaction.locale))


async def _only_message(message: discord.Message) -> bool:
    """The offer is all the thread holds (nobody answered in it since)."""
    channel = message.channel
    if not isinstance(channel, discord.Thread):
        return False
    async for other in channel.history(limit=2):
        if other.id != message.id:
            return False
    return True


class RelatedCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self._resolved = False
        bot.add_dynamic_items(NotHelpfulButton)  # offers keep their button after a restart

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotHelpfulButton)

    def channels(self) -> set[str]:
        """The channels where offers are on, resolved once the bot knows its server; only indexed ones
        count (the search is over them)."""
        related = self.bot.app.related
        if self._resolved or not self.bot.configured.is_set():
            return related.channels
        configured = self.bot.settings.related.channels
        ids = resolve.channel_ids(self.bot.home_guild, configured) & self.bot.index_channel_ids
        related.channels = {str(i) for i in ids}
        self._resolved = True
        if configured:
            log.info("related experiences are offered in %d channel(s)", len(ids))
        if len(ids) < len(configured):
            log.warning(
                "discord.related.channels: %d of them are not indexed channels of the server",
                len(configured) - len(ids),
            )
        return related.channels

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        bot = self.bot
        related = bot.app.related
        if not bot.settings.related.channels or message.guild is None or not bot.settings.message_content:
            return
        channel = message.channel
        thread = isinstance(channel, discord.Thread)
        configured = channel.parent_id if thread else channel.id
        if str(configured) not in self.channels() or not bot.in_home(message):
            return
        if message.author == bot.user or message.is_system() or message.webhook_id:
            return
        if self._addressed_to_bot(message):
            return  # a question to the bot itself gets its answer from AskCog
        asked = Asked(
            message_id=str(message.id),
            thread_id=str(channel.id if thread else message.id),  # a thread started from a message has its id
            channel_id=str(configured),
            author_id=str(message.author.id),
            text=message.content,
            by_moderator=not message.author.bot and bot.is_moderator(message.author),
            by_bot=message.author.bot,
        )
        if reason := await asyncio.to_thread(related.why_not, asked):
            log.info("no related offer for message %s: %s", message.id, reason)
            return
        found = await asyncio.to_thread(related.find, asked)
        if not found:
            log.info("no related experiences for message %s", message.id)
            return
        offer = await asyncio.to_thread(related.claim, asked, found)
        if offer is None:
            return
        await self._send(message, offer, thread)

    def _addressed_to_bot(self, message: discord.Message) -> bool:
        user = self.bot.user
        return user is not None and re.search(rf"<@!?{user.id}>", message.content) is not None

    async def _send(self, message: discord.Message, offer: Offer, in_thread: bool) -> None:
        app = self.bot.app
        replies = app.replies
        lang = await asyncio.to_thread(app.related.language, message.content)
        view = discord.ui.View(timeout=None)
        view.add_item(NotHelpfulButton(offer.id, replies.get("not_helpful", lang)[:LABEL]))
        try:
            if in_thread:
                target = message.channel
            else:
                target = await message.create_thread(name=thread_name(message.content))
            reply = await target.send(embed=related_embed(offer, replies, lang), view=view)
        except discord.HTTPException as exc:
            log.warning("could not offer related experiences under message %s: %s", message.id, exc)
            await asyncio.to_thread(app.related.unclaim, offer.id)
            return
        await asyncio.to_thread(app.related.sent, offer.id, str(reply.id), not in_thread)
        log.info("related experiences offered under message %s (%d)", message.id, len(offer.results))
