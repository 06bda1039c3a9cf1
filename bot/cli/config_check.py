"""`config check`: validate the settings and every file they name, then whether `run` has what it needs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.app import App
from bot.config import ConfigError, display_path, load_config_for_check


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check the configuration files")
    ps = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = ps.add_parser(
        "check", help="validate the files and what `run` needs; exit non-zero on any problem"
    )
    check.set_defaults(handler=check_config, needs_app=False)


def check_config(args: argparse.Namespace, _app: None) -> int:
    """Every problem of every file in one round: a broken settings file does not stop the others."""
    config, problems, defaulted = load_config_for_check(args.config, args.data_dir)
    app = App(config, index_access="read")
    try:
        checked = app.check_config()
    except ConfigError as exc:
        problems = [*problems, *exc.problems]
    if problems:
        s = config.settings
        files = [config.config_file, config.shared_file(s.glossary), config.shared_file(s.countries),
                 config.path(s.sessions), app.strings_path]  # fmt: skip
        for line in problems:
            print(f"clikc-bot: {_shown(line, files)}", file=sys.stderr)
        report_readiness(app, defaulted)
        return 2
    for line in checked:
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


def report_readiness(app: App, unread: set[str] = frozenset()) -> int:
    """Print one line per missing essential and per warning (stderr); returns how many are missing.
    Nothing is said of `unread` sections (already reported as invalid); "*": of none."""
    if "*" in unread:
        return 0
    missing, warnings = app.readiness_for_run()
    missing = [line for line in missing if not _about(line, unread)]
    warnings = [line for line in warnings if not _about(line, unread)]
    for line in missing:
        print(f"clikc-bot: {line}", file=sys.stderr)
    for line in warnings:
        print(f"clikc-bot: warning: {line}", file=sys.stderr)
    return len(missing)


def _about(line: str, sections: set[str]) -> bool:
    """Whether a readiness line ("<file>: discord.guild: ...") is about one of `sections`."""
    setting = line.split(": ", 2)[1] if line.count(": ") >= 2 else ""
    return setting.split(".", 1)[0] in sections


def _shown(line: str, files: list[Path]) -> str:
    """A problem line naming its file as the other lines do (relative to the working folder)."""
    for path in files:
        if line.startswith(f"{path}:"):
            return display_path(path) + line[len(str(path)) :]
    return line
