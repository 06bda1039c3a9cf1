"""`clikc-bot run`: connect to Discord. Token from DISCORD_TOKEN, never logged or printed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot import launch
from bot.app import App
from bot.cli.config_check import report_readiness

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: create a bot in the Discord developer portal, copy its token and "
    "export DISCORD_TOKEN=… (README, Deploy)"
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
    return asyncio.run(launch.serve(app, token))
