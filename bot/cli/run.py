"""`clikc-bot run`: connect to Discord. Token from DISCORD_TOKEN, never logged or printed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable

import aiohttp
import aiohttp.web
import discord

from bot.app import App
from bot.cli.config_check import report_readiness

log = logging.getLogger("bot.run")

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: create a bot in the Discord developer portal, copy its token and "
    "export DISCORD_TOKEN=… (README, Deploy)"
)
REJECTED_TOKEN = (
    "Discord rejected the token in DISCORD_TOKEN: reset it in the developer portal (Bot → Reset Token)"
)
NO_INTENT = (
    "the Message Content intent is not enabled for this application: enable it in the developer portal "
    "(Bot → Privileged Gateway Intents → Message Content Intent)"
)


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="connect to Discord (token from DISCORD_TOKEN); the real bot")
    run.set_defaults(handler=run_command, verify_index=True)


def log_level(app: App) -> str:
    level = os.environ.get("CLIKC_LOG_LEVEL") or app.config.settings.log_level
    level = level.strip().upper()
    return level if level in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} else "INFO"


def run_command(args: argparse.Namespace, app: App) -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print(f"clikc-bot: {MISSING_TOKEN}", file=sys.stderr)
        return 2
    app.check_config()  # a bad settings, sessions or strings file stops here with one line each
    if report_readiness(app):  # one line per missing essential (no guild, channel, moderator…)
        return 2
    logging.getLogger().setLevel(log_level(app))
    for handler in logging.getLogger().handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return asyncio.run(serve(app, token))


def _bot_factory(app: App):
    from bot.discord.bot import ClikcBot

    # The bot never joins voice channels: no warnings about voice libraries at start.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    return ClikcBot(app)


async def _start_web(app: App) -> aiohttp.web.AppRunner | None:
    """The web library on the bot's own event loop, when `web.enabled`; its handlers do their work in
    worker threads, so pages never delay the gateway's heartbeat."""
    web = app.config.settings.web
    if not web.enabled:
        return None
    from bot.web.server import bound_addresses, start

    runner = await start(app, web.host, web.port)
    log.info("web library on %s", " ".join(bound_addresses(runner)))
    return runner


async def serve(app: App, token: str, bot_factory: Callable[[App], discord.Client] = _bot_factory) -> int:
    """Run until the gateway closes or SIGTERM/SIGINT; then pending writes are committed and the
    gateway closed (the caller closes the database). With `web.enabled`, the web pages are served
    from the same loop for as long as the bot runs."""
    try:
        web_runner = await _start_web(app)
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
