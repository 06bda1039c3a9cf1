"""Starting the long-running adapters: the Discord gateway (with the web pages beside it), the web
pages alone, the console. The command line calls these; this is the one module that knows several
adapters, so none of them has to import another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

import aiohttp
import aiohttp.web
import discord

from bot.app import App
from bot.console import Console
from bot.discord.bot import ClikcBot
from bot.web.server import bound_addresses, start

log = logging.getLogger("bot.run")

REJECTED_TOKEN = (
    "Discord rejected the token in DISCORD_TOKEN: reset it in the developer portal (Bot → Reset Token)"
)
NO_INTENT = (
    "the Message Content intent is not enabled for this application: enable it in the developer portal "
    "(Bot → Privileged Gateway Intents → Message Content Intent)"
)


def bot_factory(app: App) -> discord.Client:
    # The bot never joins voice channels: no warnings about voice libraries at start.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    return ClikcBot(app)


async def start_web(app: App) -> aiohttp.web.AppRunner | None:
    """The web library on the bot's own event loop, when `web.enabled`; its handlers do their work in
    worker threads, so pages never delay the gateway's heartbeat."""
    web = app.config.settings.web
    if not web.enabled:
        return None
    runner = await start(app, web.host, web.port)
    log.info("web library on %s", " ".join(bound_addresses(runner)))
    return runner


async def serve(app: App, token: str, bot_factory: Callable[[App], discord.Client] = bot_factory) -> int:
    """Run until the gateway closes or SIGTERM/SIGINT; then pending writes are committed and the
    gateway closed (the caller closes the database). With `web.enabled`, the web pages are served
    from the same loop for as long as the bot runs."""
    try:
        web_runner = await start_web(app)
    except OSError as exc:
        where = f"{app.config.settings.web.host}:{app.config.settings.web.port}"
        print(f"clikc-bot: web: cannot listen on {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        return await _serve_bot(app, token, bot_factory)
    finally:
        if web_runner is not None:
            await web_runner.cleanup()


async def _serve_bot(app: App, token: str, bot_factory: Callable[[App], discord.Client]) -> int:
    bot = bot_factory(app)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="clikc-gateway")
            stopper = asyncio.create_task(stop.wait(), name="clikc-signals")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("shutdown requested: finishing pending writes, closing the gateway")
                await bot.close()
            stopper.cancel()
            await runner
    except discord.LoginFailure:
        print(f"clikc-bot: {REJECTED_TOKEN}", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(f"clikc-bot: {NO_INTENT}", file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound, discord.HTTPException) as exc:
        print(f"clikc-bot: cannot reach Discord: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    log.info("stopped cleanly")
    return 0


async def serve_web(app: App, host: str, port: int) -> int:
    """The web library alone until SIGINT/SIGTERM (`clikc-bot serve`)."""
    await asyncio.to_thread(lambda: app.library.shelf(limit=1))  # open the knowledge base up front
    try:
        runner = await start(app, host, port)
    except OSError as exc:
        print(f"clikc-bot: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"serving {' '.join(bound_addresses(runner))} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        await runner.cleanup()
    print("stopped", file=sys.stderr)
    return 0


def chat(app: App, locale: str, *, greet: bool = True) -> int:
    """The console on this terminal (or pipe) until EOF or quit (`clikc-bot chat`)."""
    console = Console(app, sys.stdin, sys.stdout, sys.stderr, locale=locale, interactive=sys.stdin.isatty())
    return console.run(greet=greet)
