"""The library channel: one post per published document (summary card + original file), kept in step
with the ledger in bot.search.library_posts; and the moderators' Withdraw button and /clikc withdraw.

Posting runs every minute, at start (whatever was approved or queued by `clikc-bot index add
--publish` while the bot was down), and at once after an approval, edit or withdrawal. A lock keeps
two runs from posting the same document twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.discord import render
from bot.discord.cogs.review_edit import CHANGED
from bot.search.library_posts import EDIT, POST, REMOVE, PostContent, PostTask
from bot.text.truncate import truncate

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)
THREAD_NAME = 100  # Discord's limit for a thread (forum post) name


def post_embed(content: PostContent, replies, locale: object) -> discord.Embed:
    """The summary card: title, summary, who, technologies, language and the document's own link."""
    embed = discord.Embed(title=content.title, description=content.summary or "—", colour=render.COLOUR)
    facts = [f"*{replies.get(f'kind.{content.kind}', locale)}*"]
    if content.author:
        facts.append(f"**{replies.get('administration', locale)}:** {content.author}")
    if content.technologies:
        facts.append(", ".join(replies.get(f"tech.{t}", locale) for t in content.technologies))
    if content.lang:
        facts.append(replies.get(f"language.{content.lang}", locale))
    if content.link.startswith(("http://", "https://")):
        facts.append(f"{replies.get('library_link', locale)}: {content.link}")
    embed.add_field(name="\u200b", value="\n".join(facts), inline=False)
    if content.submission_id:
        embed.set_footer(text=replies.get("library_footer", locale, id=content.submission_id))
    return render.fit(embed)


class LibraryCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot
        self._lock = asyncio.Lock()
        self._warned = False

    async def cog_unload(self) -> None:
        self.publisher.cancel()

    @commands.Cog.listener()
    async def on_clikc_configured(self) -> None:
        if not self.publisher.is_running():
            self.publisher.start()  # its first run is now: what was queued while the bot was down

    @commands.Cog.listener(name=f"on_{CHANGED}")
    async def on_library_changed(self) -> None:
        if self.bot.configured.is_set():
            await self.run_once()

    @tasks.loop(minutes=1)
    async def publisher(self) -> None:
        await self.run_once()

    @publisher.error
    async def publisher_error(self, error: BaseException) -> None:  # keep publishing after a bad minute
        log.error("library publisher failed", exc_info=error)

    @property
    def locale(self) -> object:
        guild = self.bot.home_guild
        return guild.preferred_locale if guild else None

    def channel(self):
        ref = self.bot.settings.library_channel
        channel = self.bot.channel(ref) if ref is not None else None
        ok = isinstance(channel, discord.ForumChannel | discord.TextChannel)
        if not ok and not self._warned:
            if ref is None:
                log.info("library_channel is not set: approved case studies wait unpublished")
            else:
                log.warning("library_channel %r is not a forum or text channel here: posts wait", ref)
            self._warned = True
        return channel if ok else None

    async def run_once(self) -> int:
        """Post, edit and remove until the channel matches the ledger; returns how many were done.
        Each is recorded right after Discord accepted it."""
        async with self._lock:
            channel = self.channel()
            if channel is None:
                return 0
            ledger = self.bot.app.library_posts
            done = 0
            for task in await asyncio.to_thread(ledger.due):
                try:
                    if task.action == REMOVE:
                        await self._remove(task)
                        await self.bot.writer.call(ledger.record_removed, task)
                    else:
                        where, thread, message = await self._post(channel, task)
                        await self.bot.writer.call(
                            ledger.record_posted, task, where, thread, str(message.id), message.jump_url
                        )
                except discord.Forbidden as exc:
                    log.warning("library channel: cannot %s %s (%s); retried next run", task.action,
                                task.doc_id, exc.text or exc.status)  # fmt: skip
                    return done
                except discord.HTTPException as exc:
                    log.warning("library channel: %s %s failed, retried next run: %s", task.action,
                                task.doc_id, exc)  # fmt: skip
                    continue
                log.info("library post %s: %s", task.action, task.doc_id)
                done += 1
            return done

    async def _post(self, channel, task: PostTask) -> tuple[str, str | None, discord.Message]:
        """A new post, or the existing one edited (re-posted if a moderator deleted it)."""
        assert task.content is not None
        embed = post_embed(task.content, self.bot.app.replies, self.locale)
        name = truncate(task.content.title, THREAD_NAME) or task.doc_id
        if task.action == EDIT and task.message_id:
            try:
                return await self._edit(task, embed, name)
            except discord.NotFound:
                log.info("library post of %s was deleted in Discord: posting it again", task.doc_id)
        assert task.action in (POST, EDIT)
        file = await asyncio.to_thread(self._file, task.content)
        extra = {"file": file} if file else {}
        if isinstance(channel, discord.ForumChannel):
            created = await channel.create_thread(name=name, embed=embed, **extra)
            return str(channel.id), str(created.thread.id), created.message
        message = await channel.send(embed=embed, **extra)
        return str(channel.id), None, message

    async def _edit(self, task: PostTask, embed: discord.Embed, name: str):
        guild = self.bot.home_guild
        where = int(task.thread_id or task.channel_id)
        target = self.bot.get_partial_messageable(where, guild_id=guild.id if guild else None)
        message = await target.get_partial_message(int(task.message_id)).edit(embed=embed)
        if task.thread_id:
            thread = guild.get_thread(where) if guild else None
            thread = thread or await self.bot.fetch_channel(where)
            if isinstance(thread, discord.Thread) and thread.name != name:
                await thread.edit(name=name)
        return task.channel_id, task.thread_id, message

    async def _remove(self, task: PostTask) -> None:
        """The forum post (its thread) or the message; already gone counts as removed."""
        with contextlib.suppress(discord.NotFound):
            if task.thread_id:
                guild = self.bot.home_guild
                thread = guild.get_thread(int(task.thread_id)) if guild else None
                thread = thread or await self.bot.fetch_channel(int(task.thread_id))
                await thread.delete()
            elif task.message_id and task.channel_id:
                target = self.bot.get_partial_messageable(int(task.channel_id))
                await target.get_partial_message(int(task.message_id)).delete()

    def _file(self, content: PostContent) -> discord.File | None:
        path = content.file_path
        if path is None or not path.is_file():
            return None
        guild = self.bot.home_guild
        limit = guild.filesize_limit if guild else 10 * 2**20
        if path.stat().st_size > limit:
            log.info("the file of %s is larger than the server's upload limit: not attached", content.doc_id)
            return None
        return discord.File(path, filename=(content.file_name or path.name)[-100:])
