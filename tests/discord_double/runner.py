"""Starting and stopping real discord.py bots against a DiscordDouble.

discord.py is pointed at the double without changing its code: ``Route.BASE`` (every REST call,
webhooks and interaction callbacks included) and ``DiscordWebSocket.DEFAULT_GATEWAY`` (where a
non-sharded client connects; sharded clients ask ``GET /gateway/bot``, which the double answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import discord
import discord.gateway
import discord.http
import yarl

from .double import DiscordDouble


@contextlib.contextmanager
def discord_pointed_at(double: DiscordDouble) -> Iterator[None]:
    """Within the block, discord.py's REST base and default gateway are the double's; restored after."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = double.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


class _ErrorLog(logging.Handler):
    def __init__(self, on_error) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._on_error = on_error

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._on_error()  # wakes double.recorder.wait() callers, so tests can await an error


class BotRunner:
    """Runs one bot at a time against the double: start, stop, restart (a new instance, same world).

    ``errors`` collects what discord.py logged at ERROR while the runner lived (an exception in a
    command, view, modal or event handler is logged, not raised): the ``bot_runner`` fixture fails a
    test that leaves any; a test that provokes one on purpose checks and clears the list.
    """

    def __init__(self, double: DiscordDouble, *, guild_ready_timeout: float | None = 0.05) -> None:
        self.double = double
        self._error_log = _ErrorLog(double.recorder.changed)
        logging.getLogger("discord").addHandler(self._error_log)
        # discord.py waits guild_ready_timeout (2 s by default) after the last GUILD_CREATE before
        # on_ready; the double sends every GUILD_CREATE at once, so a short wait loses nothing.
        self.guild_ready_timeout = guild_ready_timeout
        self.bot: discord.Client | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, bot: discord.Client, *, timeout: float = 10.0) -> discord.Client:
        """Log ``bot`` in (setup_hook runs), connect, and return once discord.py dispatched on_ready."""
        if self.bot is not None:
            raise RuntimeError("a bot is already running; stop() or restart() it first")
        if self.guild_ready_timeout is not None:
            bot._connection.guild_ready_timeout = self.guild_ready_timeout
        self.bot = bot
        self._task = asyncio.create_task(bot.start(self.double.token), name="discord-double-bot")
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {self._task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not ready.done():
                ready.cancel()
        if self._task in done:
            task, self._task, self.bot = self._task, None, None
            await bot.close()
            task.result()  # raises what made bot.start() fail (e.g. LoginFailure)
            raise RuntimeError("bot.start() returned before the bot was ready")
        if ready not in done:
            await self.stop()
            raise AssertionError(f"discord double: bot not ready within {timeout}s")
        return bot

    async def stop(self, *, timeout: float = 10.0) -> None:
        """Close the bot (as a process shutting down would) and wait until its gateway is gone."""
        bot, task = self.bot, self._task
        self.bot, self._task = None, None
        if bot is None:
            return
        async with asyncio.timeout(timeout):
            await bot.close()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.double.wait_until_disconnected(timeout=timeout)

    @property
    def errors(self) -> list[logging.LogRecord]:
        return self._error_log.records

    def error_report(self) -> str:
        """The logged errors with their tracebacks, for an assertion message."""
        formatter = logging.Formatter("%(name)s: %(message)s")
        return "\n".join(formatter.format(record) for record in self.errors)

    async def close(self) -> None:
        """Stop the bot and stop collecting errors."""
        try:
            await self.stop()
        finally:
            logging.getLogger("discord").removeHandler(self._error_log)

    async def restart(self, bot: discord.Client, *, timeout: float = 10.0) -> discord.Client:
        """Stop the running bot and start ``bot`` (a new instance) against the same double state."""
        await self.stop(timeout=timeout)
        return await self.start(bot, timeout=timeout)
