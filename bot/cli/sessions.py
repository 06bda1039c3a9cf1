"""`sessions` (list, export) and `session add|edit|cancel|restore|history|due` (moderators at the terminal).

Whoever can run these commands can already read and write the data directory, so the terminal
user is treated as a moderator and recorded by name (`--as` to record someone else's name).
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import ConfigError, read_yaml
from bot.members import Actor
from bot.sessions.announcements import CANCELLED, MOVED, Announcement
from bot.sessions.fields import parse_assignments
from bot.terminal import sessions as sessions_text
from index.documents import LANGUAGES
from index.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    sessions_text.register(sub)

    s = sub.add_parser("session", help="moderators: add, edit, cancel or restore a session")
    ss = s.add_subparsers(dest="session_command", metavar="ACTION", required=True)

    add = ss.add_parser("add", help="add a session: FIELD=VALUE… or --file FILE (YAML mapping)")
    add.add_argument("fields", nargs="*", metavar="FIELD=VALUE", help="e.g. id=call title.es=Llamada")
    add.add_argument("--file", help="YAML file holding one session (a mapping, as in sessions.yaml)")
    add.set_defaults(handler=add_session)

    edit = ss.add_parser("edit", help="change fields of a session: ID FIELD=VALUE… (empty VALUE removes)")
    edit.add_argument("id")
    edit.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    edit.set_defaults(handler=edit_session)

    for name, handler, verb in (
        ("cancel", cancel_session, "cancel"),
        ("restore", restore_session, "restore"),
    ):
        c = ss.add_parser(name, help=f"{verb} a whole session, or one occurrence of a recurring one")
        c.add_argument("id")
        c.add_argument(
            "--occurrence", metavar="WHEN", help="a date (2026-12-03) or date and time, local to the session"
        )
        c.set_defaults(handler=handler)

    h = ss.add_parser("history", help="who changed which session, and when")
    h.add_argument("id", nargs="?")
    h.add_argument("--json", action="store_true")
    h.set_defaults(handler=show_history, index_access="read")

    d = ss.add_parser("due", help="announcements due now (what the bot would post)")
    d.add_argument("--now", help="as if it were this moment (ISO 8601; UTC unless an offset is given)")
    d.add_argument("--lang", choices=LANGUAGES)
    d.add_argument("--json", action="store_true")
    d.add_argument("--mark", action="store_true", help="record them as posted, so they are not due again")
    d.set_defaults(handler=due_announcements)

    for name in ("add", "edit", "cancel", "restore", "due"):
        ss.choices[name].add_argument(
            "--as", dest="actor", help="name recorded as the moderator (default: you)"
        )


# -- changes ---------------------------------------------------------------------------------------


def _actor(args: argparse.Namespace) -> Actor:
    name = args.actor or getpass.getuser()
    return Actor(name=f"console:{name}", is_moderator=True)


def add_session(args: argparse.Namespace, app: App) -> int:
    data: dict[str, Any] = {}
    if args.file:
        try:
            loaded = read_yaml(Path(args.file))
        except ConfigError as exc:
            raise InputError(exc.problems[0]) from None
        if not isinstance(loaded, dict):
            raise InputError(f"{args.file}: expected one session (a mapping of fields)")
        data.update(loaded)
    data.update(parse_assignments(args.fields))
    if not data:
        raise InputError("nothing to add: give FIELD=VALUE arguments or --file")
    session = app.sessions.add(data, _actor(args))
    print(f"added {session.id}: {session.title()} — first {session.start.isoformat()}")
    return 0


def edit_session(args: argparse.Namespace, app: App) -> int:
    session = app.sessions.edit(args.id, parse_assignments(args.fields), _actor(args))
    print(f"edited {session.id}: {session.title()} — first {session.start.isoformat()}")
    return 0


def cancel_session(args: argparse.Namespace, app: App) -> int:
    return _cancel_or_restore(args, app, app.sessions.cancel, "cancelled")


def restore_session(args: argparse.Namespace, app: App) -> int:
    return _cancel_or_restore(args, app, app.sessions.restore, "restored")


def _cancel_or_restore(args: argparse.Namespace, app: App, action, done: str) -> int:
    session = app.sessions.require(args.id)
    if args.occurrence and session.rrule:
        occ = app.sessions.occurrence_on(args.id, args.occurrence)
        action(args.id, _actor(args), occurrence=args.occurrence)
        print(f"{done} {args.id} on {occ.start.isoformat()}")
    else:
        action(args.id, _actor(args), occurrence=args.occurrence)
        print(f"{done} {args.id}")
    return 0


def show_history(args: argparse.Namespace, app: App) -> int:
    if args.id is not None:
        app.sessions.require(args.id)
    changes = app.sessions.history(args.id)
    if args.json:
        print(json.dumps([c.to_json() for c in changes], ensure_ascii=False, indent=2))
        return 0
    if not changes:
        print("No run-time changes.")
    for change in changes:
        details = json.dumps(change.details, ensure_ascii=False, sort_keys=True)
        print(f"{change.at.isoformat()}  {change.actor}  {change.action} {change.session_id}  {details}")
    return 0


# -- announcements ---------------------------------------------------------------------------------


def due_announcements(args: argparse.Namespace, app: App) -> int:
    now = sessions_text.now_from(args.now, app)
    items = app.sessions.due_announcements(now=now)
    if args.json:
        print(json.dumps([item.to_json(args.lang) for item in items], ensure_ascii=False, indent=2))
    elif not items:
        print("Nothing to announce.")
    for item in items:
        if not args.json:
            print(describe(item, args.lang))
        if args.mark:
            app.sessions.mark_announced(item, posted_at=now)
    return 0


def describe(item: Announcement, lang: str | None = None) -> str:
    """A plain one-line rendering for the terminal (Discord renders its own, with timestamps)."""
    head = f"{item.session.id}: {item.title(lang)}"
    if item.kind == CANCELLED:
        return f"[cancelled] {head} — the sitting of {item.start.isoformat()} is cancelled"
    if item.kind == MOVED and item.only_end_changed:
        assert item.new_end is not None
        return (
            f"[moved] {head} — the sitting of {item.start.isoformat()} now ends {item.new_end.isoformat()}"
            f" (was {item.end.isoformat()})"
        )
    if item.kind == MOVED:
        assert item.new_start is not None
        return f"[moved] {head} — moved from {item.start.isoformat()} to {item.new_start.isoformat()}"
    assert item.lead is not None
    return f"[{item.lead.label} before] {head} — starts {item.start.isoformat()} ({item.session.timezone})"
