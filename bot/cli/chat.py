"""`clikc-bot chat`: talk to the bot in this terminal (or from a pipe), no Discord token needed."""

from __future__ import annotations

import argparse
import os

from bot import launch
from bot.app import App
from bot.replies import language_of


def register(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser("chat", help="talk to the bot in this terminal, same commands, no token needed")
    chat.add_argument("--lang", help="language of the bot's replies: en, es, fr or pt (default: from $LANG)")
    chat.add_argument("--quiet", "-q", action="store_true", help="no greeting (for scripts)")
    chat.set_defaults(handler=chat_command, verify_index=True)


def chat_command(args: argparse.Namespace, app: App) -> int:
    app.check_config()  # a bad settings, sessions or strings file stops here with one line each

    languages = tuple(app.config.settings.languages)
    locale = language_of(args.lang or os.environ.get("LANG", "").split(".")[0], languages)
    return launch.chat(app, locale, greet=not args.quiet)
