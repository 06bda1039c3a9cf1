"""`config check`: validate the settings and every file they name, then whether `run` has what it needs."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.config import display_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check the configuration files")
    ps = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = ps.add_parser(
        "check", help="validate the files and what `run` needs; exit non-zero on any problem"
    )
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace, app: App) -> int:
    # A bad settings file never gets here: loading it already raised ConfigError (exit 2, one line each).
    for line in app.check_config():
        print(line)
    print(f"data directory: {display_path(app.config.data_dir)}")
    for line in optional_features(app):
        print(line)
    if report_readiness(app):
        return 2
    print("ready for `run`")
    return 0


def optional_features(app: App) -> list[str]:
    """What the features that are off by default will do (issue 13): related experiences, digest."""
    s = app.config.settings
    related = s.discord.related
    if related.channels:
        where = ", ".join(str(c) for c in related.channels)
        lines = [
            f"related experiences: offered under questions in {where}; at most {related.limit}, "
            f"not again to a member within {related.quiet_time}"
        ]
    else:
        lines = ["related experiences: off (discord.related.channels is empty)"]
    if s.digest.enabled:
        periods = app.digest_periods  # no database opened: this only checks
        local = (periods.start_of(app.clock()) + periods.every).astimezone(periods.tz)
        lines.append(
            f"digest: every {s.digest.every} in the announce channel; next {local:%Y-%m-%d %H:%M} "
            f"{s.digest.timezone}"
        )
    else:
        lines.append("digest: off (digest.enabled is false)")
    return lines


def report_readiness(app: App) -> int:
    """Print one line per missing essential and per warning (stderr); returns how many are missing."""
    missing, warnings = app.readiness_for_run()
    for line in missing:
        print(f"clikc-bot: {line}", file=sys.stderr)
    for line in warnings:
        print(f"clikc-bot: warning: {line}", file=sys.stderr)
    return len(missing)
