"""The digest in the announce channel, once per period (bot.posts.digest decides what and when; this posts).

Exactly once: the period is claimed in SQLite before sending and marked sent after. A claim left
"sending" by a crash is looked up in the channel first (the footer names the period), so it is
recorded if the message went out and sent if it did not.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.discord import render
from bot.posts.digest import OTHER_GROUP, SENDING, Claim, Item, group_by_technology
from bot.text.timestamps import discord_timestamp
from bot.text.truncate import length, truncate

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
LOOKBACK = 200  # messages read after a claim when looking for its digest
ITEM_TITLE = 90


def _line(item: Item, replies, locale: object) -> str:
    plain = truncate(item.title, ITEM_TITLE).replace("[", "(").replace("]", ")")  # no link inside a link
    title = discord.utils.escape_markdown(plain)
    title = title or replies.get(f"kind.{item.kind}", locale)
    url = item.url
    if url.startswith(("http://", "https://")) and " " not in url and ")" not in url:
        title = f"[{title}]({url})"
    by = f" — {discord.utils.escape_markdown(item.author)}" if item.author else ""
    return f"• {title}{by}"


def field_value(items: list[Item], replies, locale: object) -> str:
    """As many lines as fit in a field, then "…and N more" (the count is exact)."""
    lines: list[str] = []
    for i, item in enumerate(items):
        line = _line(item, replies, locale)
        rest = len(items) - i - 1
        more = replies.get("digest_more", locale, count=rest + 1)
        if length("\n".join([*lines, line])) + (length(more) + 1 if rest else 0) > render.FIELD_VALUE:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def digest_embed(claim: Claim, items: list[Item], replies, locale: object) -> discord.Embed:
    embed = discord.Embed(title=replies.get("digest_title", locale), colour=render.COLOUR)
    embed.description = replies.get(
        "digest_intro",
        locale,
        start=discord_timestamp(claim.covered_from, "D"),
        end=discord_timestamp(claim.covered_until - timedelta(seconds=1), "D"),
        count=len(items),
    )
    for tech, group in group_by_technology(items):
        name = (
            replies.get("digest_other", locale)
            if tech == OTHER_GROUP
            else replies.get(f"tech.{tech}", locale)
        )
        embed.add_field(
            name=f"{name} ({len(group)})", value=field_value(group, replies, locale), inline=False
        )
    embed.set_footer(text=replies.get("digest_footer", locale, period=claim.period))
    return render.fit(embed)


class DigestCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self._warned = False

    async def cog_unload(self) -> None:
        self.poster.cancel()

    @commands.Cog.listener()
    async def on_clikc_configured(self) -> None:
        if self.bot.app.config.settings.digest.enabled and not self.poster.is_running():
            self.poster.start()

    @tasks.loop(minutes=1)
    async def poster(self) -> None:
        await self.run_once()

    @poster.error
    async def poster_error(self, error: BaseException) -> None:  # keep going after a bad minute
        log.error("digest failed", exc_info=error)

    @property
    def locale(self) -> object:
        guild = self.bot.home_guild
        return guild.preferred_locale if guild else None

    def channel(self):
        channel = self.bot.channel(self.bot.settings.announce_channel)
        if channel is None and not self._warned:
            log.warning(
                "digest: announce_channel %r not found, the digest waits", self.bot.settings.announce_channel
            )
            self._warned = True
        return channel

    async def run_once(self) -> int:
        """Finish any digest a crash left claimed, then post this period's if it is due; how many sent."""
        channel = self.channel()
        if channel is None:
            return 0
        digests = self.bot.app.digests
        sent = 0
        for claim in await asyncio.to_thread(digests.unsent):
            try:
                found = await self._find(channel, claim)
            except discord.HTTPException as exc:  # cannot tell whether it went out: try again later
                log.warning("digest %s: cannot read #%s to check it was sent: %s", claim.period, channel, exc)
                continue
            if found is not None:
                await asyncio.to_thread(digests.mark_sent, claim.period, str(found.id))
                log.info("digest %s was already posted (message %s): recorded", claim.period, found.id)
            else:
                sent += await self._send(channel, claim)
        claim = await asyncio.to_thread(digests.claim_due)
        if claim is not None and claim.state == SENDING:
            sent += await self._send(channel, claim)
        elif claim is not None:
            log.info("digest %s: nothing was shared, nothing posted", claim.period)
        return sent

    async def _find(self, channel, claim: Claim) -> discord.Message | None:
        """The digest of this period among the bot's messages since it was claimed."""
        me = self.bot.user
        after = claim.claimed_at - timedelta(minutes=1)
        async for message in channel.history(limit=LOOKBACK, after=after):
            if (
                me is not None
                and message.author.id == me.id
                and any(claim.period in (embed.footer.text or "") for embed in message.embeds)
            ):
                return message
        return None

    async def _send(self, channel, claim: Claim) -> int:
        digests = self.bot.app.digests
        items = await asyncio.to_thread(digests.items, claim)
        if not items:  # all removed or opted out since the claim
            await asyncio.to_thread(digests.mark_sent, claim.period, None)
            return 0
        message = await channel.send(embed=digest_embed(claim, items, self.bot.app.replies, self.locale))
        await asyncio.to_thread(digests.mark_sent, claim.period, str(message.id))
        log.info("digest %s posted: %d item(s)", claim.period, len(items))
        return 1
