"""`clikc-bot init DIR`: a production configuration for a new server, with no sample content."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from bot.config import default_config_dir, display_path
from index.errors import InputError

TEMPLATES = ("clikc.yaml", "sessions.yaml")


def register(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser(
        "init",
        help="write a production configuration for a new server into DIR "
        "(with --data-dir before init: the data directory it names)",
    )
    init.add_argument("directory", type=Path, metavar="DIR", help="created if missing; never overwritten")
    init.set_defaults(handler=init_command, needs_app=False)


def init_command(args: argparse.Namespace, app: None = None) -> int:
    target: Path = args.directory
    if target.exists() and not target.is_dir():
        raise InputError(f"init: {target} exists and is not a folder")
    existing = [name for name in TEMPLATES if (target / name).exists()]
    if existing:
        raise InputError(f"init: {target / existing[0]} already exists; nothing was written")
    try:
        if not target.exists():
            target.mkdir(parents=True)
            target.chmod(0o755)  # the CLI's umask is 077; the service user must be able to read it
        templates = default_config_dir() / "production"
        for name in TEMPLATES:
            text = (templates / name).read_text(encoding="utf-8")
            if name == "clikc.yaml" and args.data_dir:
                text = with_data_dir(text, Path(args.data_dir).absolute())
            (target / name).write_text(text, encoding="utf-8")
            (target / name).chmod(0o644)  # settings hold no secret (the token has its own 0600 file)
    except OSError as exc:
        raise InputError(f"init: cannot write to {target}: {exc.strerror or exc}") from None
    settings = display_path((target / "clikc.yaml").resolve())
    sessions = display_path((target / "sessions.yaml").resolve())
    print(f"wrote {settings} and {sessions} (no sample content)")
    print("next:")
    print(f"  1. edit {settings}: discord.guild, index_channels and review_channel (required),")
    print("     moderators and announce_channel (recommended)")
    print(f"  2. add your sessions to {sessions} (or later, with session add)")
    print(f"  3. check: clikc-bot --config {settings} config check")
    print("  4. put DISCORD_TOKEN in a file only root can read (mode 0600), then run (README, Deploy)")
    return 0


def with_data_dir(template: str, data_dir: Path) -> str:
    """The template with `clikc-bot --data-dir PATH init DIR`'s PATH as its data_dir, comment kept."""
    value = json.dumps(str(data_dir), ensure_ascii=False)  # a JSON string is a valid YAML scalar

    def replace(match: re.Match) -> str:
        return f"data_dir: {value}".ljust(len(match.group(0)) - 1) + " "

    return re.sub(r"^data_dir: \S+ +", replace, template, count=1, flags=re.M)
