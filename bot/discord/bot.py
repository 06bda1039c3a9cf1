"""ClikcBot: the discord.py client. It owns no logic: cogs translate events into service calls."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord import resolve
from bot.discord.cogs import COGS
from bot.discord.replying import localised_input_error, send_ephemeral
from bot.discord.translator import ClikcTranslator
from bot.discord.writer import WriteQueue
from bot.members import Actor
from bot.responsiveness import freeze_what_is_loaded, keep_event_loop_responsive
from index.errors import InputError

log = logging.getLogger(__name__)


def default_intents(message_content: bool = True) -> discord.Intents:
    """Guilds, guild messages and, unless the settings turn it off, the privileged message-content
    intent (for indexing posts; mentions of the bot carry their text without it)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = message_content
    return intents


class ClikcTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Commands answer in the home server only: another server's members (and roles) are not the
        group's, even when the commands are synced globally."""
        bot: ClikcBot = self.client  # type: ignore[assignment]
        if bot.in_home(interaction):
            return True
        log.info(
            "refused /%s from user %s in server %s (not the home server)",
            interaction.command.qualified_name if interaction.command else "?",
            interaction.user.id,
            interaction.guild_id,
        )
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await send_ephemeral(interaction, bot.app.replies.get("other_server", interaction.locale))
        return False

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Bad input gets its one-line message; anything else is logged and the user gets an apology."""
        if isinstance(error, app_commands.CheckFailure) and interaction.response.is_done():
            return  # a check (a cool-down, another server) refused and already said why
        original = getattr(error, "original", error)
        bot: ClikcBot = interaction.client  # type: ignore[assignment]
        replies = bot.app.replies
        if isinstance(original, InputError):
            text = localised_input_error(original, replies, interaction.locale)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=original)
            text = replies.get("error", interaction.locale)
        await send_ephemeral(interaction, text)


class ClikcBot(commands.Bot):
    """Constructible with any App (tests inject fakes) and without connecting; `start()` connects."""

    def __init__(
        self,
        app: App,
        *,
        intents: discord.Intents | None = None,
        sync_commands: bool = True,
        background_jobs: bool = True,
        **options,
    ):
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or default_intents(app.config.settings.discord.message_content),
            allowed_mentions=discord.AllowedMentions.none(),  # indexed text must never ping anyone
            help_command=None,
            tree_cls=ClikcTree,
            # a server bot: its commands exist in servers only, and only as the server's installation
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            **options,
        )
        self.app = app
        self.settings = app.config.settings.discord
        self.writer = WriteQueue()
        self._sync_commands = sync_commands
        self._background_jobs = background_jobs  # backfill and planner; tests drive them by hand
        self._background: set[asyncio.Task] = set()
        self.index_channel_ids: set[int] = set()
        self.configured = asyncio.Event()  # set once channels are resolved and commands synced

    async def setup_hook(self) -> None:
        keep_event_loop_responsive()
        await self.tree.set_translator(ClikcTranslator(self.app.replies))
        for cog in COGS:
            await self.add_cog(cog(self))
        for command in self.tree.get_commands():
            command.guild_only = True  # also the legacy dm_permission=false, beside contexts=[guild]
        self.writer.start()
        # Open (and seed) the knowledge base and load the language model before the gateway connects:
        # loading it holds the GIL for most of a second, which would stall heartbeats later.
        await asyncio.to_thread(lambda: self.app.knowledge.tagger.detector.warm_up())
        freeze_what_is_loaded()
        self.background(self._when_ready(), "clikc-configure")

    def background(self, coro, name: str) -> asyncio.Task:
        """Run a coroutine beside the gateway; its failure is logged, never silent."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def _when_ready(self) -> None:
        await self.wait_until_ready()
        await self.configure()

    @property
    def home_guild(self) -> discord.Guild | None:
        return resolve.find_guild(self.guilds, self.settings.guild)

    def in_home(self, obj: object) -> bool:
        """An interaction, message or member from the home server."""
        return resolve.in_guild(obj, self.home_guild)

    async def configure(self) -> None:
        """Resolve configured channels, sync slash commands, then let cogs start (backfill, planner)."""
        guild = self.home_guild
        if guild is None and self.settings.guild is None and len(self.guilds) > 1:
            log.warning(
                "discord.guild is not set and the bot is in %d servers: set it; until then no server "
                "is home (nothing indexed, commands refused)",
                len(self.guilds),
            )
        elif guild is None:
            log.warning("configured guild %r not found among the bot's servers", self.settings.guild)
        self._log_moderator_roles(guild)
        self.index_channel_ids = resolve.channel_ids(guild, self.settings.index_channels)
        log.info("indexing %d channel(s) and their threads", len(self.index_channel_ids))
        if self._sync_commands:
            await self.sync_commands(guild)
        self.configured.set()
        if self._background_jobs:
            self.dispatch("clikc_configured")

    async def sync_commands(self, guild: discord.Guild | None) -> None:
        if self.settings.sync_global:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take up to an hour to appear)", len(synced))
        elif guild is not None:
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d slash commands to %s", len(synced), guild.name)

    def channel(self, ref):
        return resolve.find_channel(self.home_guild, ref)

    def _log_moderator_roles(self, guild: discord.Guild | None) -> None:
        """Say what each configured moderator role is in the home server; names are looked up there
        only, and a name can be given to a new role by anyone who manages roles, so ids are safer."""
        for ref, ids in resolve.role_ids(guild, self.settings.moderators.roles).items():
            if not ids:
                log.warning("moderator role %r is not a role of the home server", ref)
            elif not ref.strip().lstrip("@&<>").isdigit():  # given by name
                log.info("moderator role %r is role id %s (give the id to be exact)", ref, ids[0])
            if len(ids) > 1:
                log.warning("moderator role %r names %d roles of the home server: all count", ref, len(ids))

    def is_moderator(self, user: discord.abc.User) -> bool:
        """A moderator of the home server (by user id, role, or Manage Server)."""
        return resolve.is_moderator(user, self.home_guild, self.settings)

    def actor(self, user: discord.abc.User) -> Actor:
        """Who is acting, with roles and permissions from the home server only."""
        return resolve.actor(user, self.home_guild)

    def slow_down(self, action: str, user_id: int, locale: object) -> str | None:
        """Count one member action ("submit", "pages", "privacy"); the refusal if it is one too many."""
        wait = self.app.rate_limits[action].hit(user_id)
        if wait:
            log.info("%s by user %s refused: rate limit (%d s to wait)", action, user_id, wait)
            return self.app.replies.get("slow_down", locale, seconds=wait)
        return None

    def is_indexed(self, channel: object) -> bool:
        """A configured channel, or a thread/forum post inside one."""
        ids = self.index_channel_ids
        return getattr(channel, "id", None) in ids or getattr(channel, "parent_id", None) in ids

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the cogs' listeners handle messages."""

    async def close(self) -> None:
        """Finish pending index writes, stop background tasks, then close the gateway."""
        for task in list(self._background):
            task.cancel()
        await self.writer.drain()
        await super().close()
