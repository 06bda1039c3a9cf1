"""`config check`: validate the settings and every file they name, one line per problem."""

from __future__ import annotations

import argparse

from bot.app import App


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check the configuration files")
    ps = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = ps.add_parser("check", help="validate settings and sessions; exit non-zero on any problem")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace, app: App) -> int:
    # A bad settings file never gets here: loading it already raised ConfigError (exit 2, one line each).
    for line in app.check_config():
        print(line)
    return 0
