"""Posts in the configured channels (threads and forum posts too) → the index, live and by backfill."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.posts.indexer import Post

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
BACKFILL_BATCH = 100


def to_post(message: discord.Message, bot_user_id: int | None) -> Post:
    channel = message.channel
    thread = isinstance(channel, discord.Thread)
    parent = channel.parent if thread else None
    mentions_bot = bot_user_id is not None and re.search(rf"<@!?{bot_user_id}>", message.content) is not None
    return Post(
        message_id=message.id,
        channel_id=channel.id,
        author_id=message.author.id,
        author_name=message.author.display_name,
        content=message.content,
        created_at=message.created_at,
        guild_id=message.guild.id if message.guild else None,
        parent_id=channel.parent_id if thread else None,
        channel_name=(parent.name if parent else getattr(channel, "name", "")) or "",
        thread_name=channel.name if thread else "",
        edited_at=message.edited_at,
        jump_url=message.jump_url,
        is_bot=message.author.bot,
        is_system=message.is_system(),
        addressed_to_bot=mentions_bot,
    )


class IndexingCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self.backfill_task = None

    def _user_id(self) -> int | None:
        return self.bot.user.id if self.bot.user else None

    @property
    def reads_content(self) -> bool:
        """Without the Message Content intent posts arrive empty: index nothing rather than blanks."""
        return self.bot.settings.message_content

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self.reads_content or message.guild is None or not self.bot.is_indexed(message.channel):
            return
        self.bot.writer.submit(self.bot.app.posts.index, to_post(message, self._user_id()))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        message = payload.message
        if not self.reads_content or message.guild is None or not self.bot.is_indexed(message.channel):
            return
        self.bot.writer.submit(self.bot.app.posts.index, to_post(message, self._user_id()))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        # Deleting an id that was never indexed is a no-op, so no channel check is needed (and a
        # thread's parent is not in the payload).
        self.bot.writer.submit(self.bot.app.posts.delete, payload.message_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        ids = sorted(payload.message_ids)
        self.bot.writer.submit(self.bot.app.posts.delete_many, ids)
        log.info("bulk delete: %d message(s) removed from the index", len(ids))

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        # A thread and a forum post are both threads: one event for either. Like a message delete,
        # dropping a thread that was never indexed is a no-op, so no channel check is needed.
        future = self.bot.writer.submit(self.bot.app.posts.delete_channel, payload.thread_id)
        future.add_done_callback(lambda f: self._log_thread_delete(payload.thread_id, f))

    @staticmethod
    def _log_thread_delete(thread_id: int, future) -> None:
        if not future.cancelled() and future.exception() is None and future.result():
            log.info("thread %s deleted: %d post(s) removed from the index", thread_id, future.result())

    @commands.Cog.listener()
    async def on_clikc_configured(self) -> None:
        if not self.reads_content:
            log.info("discord.message_content is false: no passive indexing or backfill")
            return
        self.backfill_task = self.bot.background(self.backfill(), "clikc-backfill")

    # -- backfill ------------------------------------------------------------------------------------

    async def channels_to_read(self) -> list:
        """Each configured channel that has messages, plus its active and archived public threads."""
        result = []
        for channel_id in sorted(self.bot.index_channel_ids):
            channel = self.bot.get_channel(channel_id)
            if channel is None:
                log.warning("indexed channel %s is not visible to the bot", channel_id)
                continue
            if isinstance(channel, discord.TextChannel | discord.Thread):
                result.append(channel)
            threads = list(getattr(channel, "threads", []))
            if isinstance(channel, discord.TextChannel | discord.ForumChannel):
                try:
                    threads += [t async for t in channel.archived_threads(limit=None)]
                except discord.HTTPException as exc:
                    log.warning("cannot list archived threads of #%s: %s", channel.name, exc)
            seen = {c.id for c in result}
            result += [t for t in threads if t.id not in seen and not seen.add(t.id)]
        return result

    async def backfill(self) -> None:
        """Read what was posted while the bot was away, oldest first, from the last message seen."""
        posts = self.bot.app.posts
        total_read = total_indexed = 0
        for channel in await self.channels_to_read():
            last = posts.last_seen(channel.id)
            after = discord.Object(id=last) if last else None
            batch: list[Post] = []
            read = indexed = 0
            try:
                async for message in channel.history(limit=None, after=after, oldest_first=True):
                    batch.append(to_post(message, self._user_id()))
                    if len(batch) >= BACKFILL_BATCH:
                        result = await self.bot.writer.call(posts.index_batch, batch)
                        read, indexed, batch = read + result.seen, indexed + result.indexed, []
                        log.info("backfill #%s: %d read, %d indexed so far", channel.name, read, indexed)
                if batch:
                    result = await self.bot.writer.call(posts.index_batch, batch)
                    read, indexed = read + result.seen, indexed + result.indexed
            except discord.Forbidden:
                log.warning("backfill #%s: no permission to read message history", channel.name)
                continue
            except discord.HTTPException as exc:
                log.warning("backfill #%s stopped: %s", channel.name, exc)
                continue
            if read:
                log.info("backfill #%s: done, %d read, %d indexed", channel.name, read, indexed)
            total_read += read
            total_indexed += indexed
        log.info("backfill finished: %d message(s) read, %d indexed", total_read, total_indexed)
