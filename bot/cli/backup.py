"""`backup FILE` and `restore FILE`: the data directory in one archive, and back."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app import App
from bot.backup import backup, restore


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser(
        "backup", help="write the database and submitted files to one archive (safe while the bot runs)"
    )
    b.add_argument(
        "file", type=Path, metavar="FILE", help="the archive to write, e.g. clikc-2026-12-03.tar.gz"
    )
    b.set_defaults(handler=backup_command)
    r = sub.add_parser("restore", help="unpack a backup into an EMPTY data directory and rebuild the index")
    r.add_argument("file", type=Path, metavar="FILE")
    r.set_defaults(handler=restore_command)


def backup_command(args: argparse.Namespace, app: App) -> int:
    done = backup(app.db, app.config.files_dir, args.file, app.clock)
    print(
        f"backed up {done.documents} documents, {done.submissions} submissions and {done.files} files"
        f" (schema version {done.schema_version}) to {done.path} ({done.bytes:,} bytes)"
    )
    return 0


def restore_command(args: argparse.Namespace, app: App) -> int:
    manifest = restore(args.file, app.config.data_dir)
    print(
        f"restored {args.file} (made {manifest.get('created_at', '?')}): {manifest.get('documents', '?')}"
        f" documents, {manifest.get('submissions', '?')} submissions, {len(manifest['members']) - 1} files"
    )
    for name in app.db.applied:
        print(f"  migrated the database: {name}")
    stats = app.knowledge.stats()  # opening rebuilds the search index from the database
    print(f"  search index rebuilt: {stats.documents} documents")
    return 0
