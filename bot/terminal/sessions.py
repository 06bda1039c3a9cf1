"""`sessions` (list, or export to a calendar file) as plain text: the command line and the console
run this same command, so both take the same options and print the same lines."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.sessions.dates import DateProblem, parse_date_or_datetime
from bot.sessions.schedule import Occurrence
from bot.sessions.service import DEFAULT_HORIZON
from index.documents import LANGUAGES
from index.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list upcoming sessions, or export them to a calendar file")
    p.add_argument("--all", action="store_true", help="include past and cancelled sessions")
    p.add_argument("--now", help="list as if it were this moment (ISO 8601; UTC unless an offset is given)")
    p.add_argument("--since", help="list occurrences from this moment or date (with --until: a window)")
    p.add_argument("--until", help="…up to this moment or date (default: --since plus 92 days)")
    p.add_argument("--json", action="store_true", help="one JSON object per occurrence, as a list")
    p.add_argument("--lang", choices=LANGUAGES, help="language of titles (default: English, else any)")
    p.add_argument("--limit", type=int, help="at most this many occurrences")
    p.add_argument("--ics", metavar="FILE", help="write an RFC 5545 calendar to FILE ('-' for stdout)")
    p.set_defaults(handler=list_sessions, index_access="read")


def list_sessions(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    now = now_from(args.now, app)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    if args.ics:
        data = app.sessions.to_ics(now=now, lang=args.lang, include_past=args.all)
        if args.ics == "-":
            out.buffer.write(data)
            out.flush()
            return 0
        try:
            Path(args.ics).write_bytes(data)
        except OSError as exc:
            raise InputError(f"cannot write {args.ics}: {exc.strerror or exc}") from None
        print(f"wrote {args.ics}", file=sys.stderr)
        return 0
    if args.since or args.until:
        since = _moment(args.since, "--since", app) if args.since else now
        until = _moment(args.until, "--until", app) if args.until else since + DEFAULT_HORIZON
        if until <= since:
            raise InputError(f"--until ({until.isoformat()}) must be after --since ({since.isoformat()})")
        found = app.sessions.between(since, until, include_cancelled=args.all)[: args.limit]
    else:
        found = app.sessions.upcoming(
            now=now, include_past=args.all, limit=args.limit, include_cancelled=args.all
        )
    if args.json:
        print(json.dumps([o.to_json(args.lang) for o in found], ensure_ascii=False, indent=2), file=out)
    elif not found:
        print("No upcoming sessions." if not args.all else "No sessions.", file=out)
    else:
        for occ in found:
            print(_line(occ, args.lang, now), file=out)
    return 0


def _line(occ: Occurrence, lang: str | None, now: datetime) -> str:
    marks = " [cancelled]" if occ.cancelled else (" [now]" if occ.start <= now < occ.end else "")
    link = f"  {occ.session.link}" if occ.session.link else ""
    return (
        f"{occ.start.isoformat()} → {occ.end.isoformat()}  {occ.session.timezone}  "
        f"{occ.session.id}  {occ.title(lang)}{marks}{link}"
    )


def now_from(value: str | None, app: App) -> datetime:
    return _moment(value, "--now", app) if value else app.clock()


def _moment(value: str, option: str, app: App) -> datetime:
    """A moment given on the command line (UTC unless it has an offset), or one InputError line."""
    try:
        moment = parse_date_or_datetime(value, UTC)
    except DateProblem as exc:
        raise InputError(f"{option}: {exc}") from None
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time(0), tzinfo=UTC)  # a bare date: its start, in UTC
