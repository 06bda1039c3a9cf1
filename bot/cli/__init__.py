"""`clikc-bot`: one entry point, one module per command family.

Each command module exposes `register(subparsers)`, which adds its parsers and sets `handler`
on them: a function `(args, app) -> int` returning the exit status. A command that only reads the
search index also sets `index_access="read"` (it then never takes the index's write lock).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from bot.app import App
from bot.cli import (
    backup,
    chat,
    config_check,
    feedback,
    init,
    knowledge,
    privacy,
    run,
    serve,
    sessions,
)
from bot.config import ConfigError, load_config
from bot.terminal import review
from index.errors import IndexBusy, InputError
from index.migrations import MigrationError

COMMAND_MODULES = (
    knowledge,
    review,
    sessions,
    privacy,
    backup,
    config_check,
    init,
    chat,
    run,
    serve,
    feedback,
)


def installed_version() -> str:
    try:
        return metadata.version("clikc-bot")
    except metadata.PackageNotFoundError:
        return "(not installed: run `pip install .`)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clikc-bot",
        description="CLiKC! Americas & Caribbean bot: search shared experiences, sessions, case studies.",
    )
    parser.add_argument("--version", action="version", version=f"clikc-bot {installed_version()}")
    parser.add_argument("--config", help="settings file (default: ./config/clikc.yaml)")
    parser.add_argument("--data-dir", help="where the database and index live (default: var/ beside config)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = None
    umask = os.umask(0o077)  # whatever the bot writes (index, backups) is for its own user only
    try:
        if not getattr(args, "needs_app", True):  # e.g. init: writes a configuration, reads none
            return args.handler(args, None)
        app = App(
            load_config(args.config, args.data_dir),
            index_access=getattr(args, "index_access", "write"),
            verify_index=getattr(args, "verify_index", False),
        )
        return args.handler(args, app)
    except (ConfigError, InputError, MigrationError) as exc:
        for line in getattr(exc, "problems", None) or [str(exc)]:
            print(f"clikc-bot: {line}", file=sys.stderr)
        return 2
    except IndexBusy as exc:
        print(f"clikc-bot: {exc}; nothing was lost, try again when it has finished", file=sys.stderr)
        return 75  # EX_TEMPFAIL
    except KeyboardInterrupt:
        print("clikc-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if app is not None:
            app.close()
        os.umask(umask)
