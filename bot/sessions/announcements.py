"""Which session announcements are due now, and the SQLite ledger of those already posted.

The planner is a pure function of (sessions, lead times, ledger, now): the caller posts what it
returns and then records each item with `AnnouncementLedger.record`, so a crash between the two
posts at most one message again and a restart never repeats a recorded one. Rules:

- a reminder for an occurrence is due once `now` has reached `start - lead` and the occurrence has
  not started; of several leads reached (the bot was down), only the latest one is due;
- each (occurrence, lead) is posted at most once, and never a lead longer than one already posted;
- an occurrence that had been announced and has since been cancelled, or has moved, gets one notice;
  so does one whose start stayed but whose end changed (a "moved" notice with the same start).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.sessions.dates import DateProblem, format_duration, parse_duration
from bot.sessions.schedule import Occurrence, Session, SessionError, from_utc_key, parse_session, utc_key
from index.database import Database

REMINDER, CANCELLED, MOVED = "reminder", "cancelled", "moved"
KINDS = (REMINDER, CANCELLED, MOVED)
DEFAULT_LEAD_TIMES = ("7d", "1d", "1h")
_MOVE_SEARCH = timedelta(days=366)


@dataclass(frozen=True)
class LeadTime:
    """How long before an occurrence a reminder goes out; `label` is the short form (7d, 1h)."""

    label: str
    delta: timedelta

    @property
    def seconds(self) -> int:
        return int(self.delta.total_seconds())


def parse_lead_times(values: Iterable[object]) -> tuple[LeadTime, ...]:
    """Lead times, longest first, without duplicates; ValueError names the bad one."""
    leads: dict[timedelta, LeadTime] = {}
    for value in values:
        try:
            delta = parse_duration(value)
        except DateProblem as exc:
            raise ValueError(f"lead time {value!r}: {exc}") from None
        leads.setdefault(delta, LeadTime(format_duration(delta), delta))
    return tuple(sorted(leads.values(), key=lambda lead: lead.delta, reverse=True))


@dataclass(frozen=True)
class Announcement:
    """One message to post. Plain data: adapters render it in the reader's language and time zone.

    kind: "reminder" (the occurrence starts in about `lead`), "cancelled", or "moved" (from
    start/end to new_start/new_end; `lead` is then the lead the new time has already reached).
    A "moved" notice whose new_start is its start says that only the end changed (`only_end_changed`).
    """

    kind: str
    session: Session
    start: datetime
    end: datetime
    lead: LeadTime | None = None
    new_start: datetime | None = None
    new_end: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.session.id}@{utc_key(self.start)}"

    @property
    def only_end_changed(self) -> bool:
        """A "moved" notice for a sitting that starts as announced but now ends at new_end."""
        return (
            self.kind == MOVED
            and self.new_start == self.start
            and self.new_end is not None
            and self.new_end != self.end
        )

    def title(self, lang: str | None = None) -> str:
        return self.session.title(lang)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.session.id,
            "title": self.session.title(lang),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.session.timezone,
            "lead": self.lead.label if self.lead else None,
            "new_start": self.new_start.isoformat() if self.new_start else None,
            "new_end": self.new_end.isoformat() if self.new_end else None,
            "link": self.session.link,
        }


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    session_id: str
    occurrence_start: str  # utc_key
    occurrence_end: str
    kind: str
    lead_seconds: int | None
    snapshot: str  # the session's fields when posted, to word a notice if the session is gone
    posted_at: str


class AnnouncementLedger:
    """Append-only record of posted announcements, in the shared SQLite database."""

    def __init__(self, db: Database):
        self.db = db

    def entries_after(self, moment: datetime) -> list[LedgerEntry]:
        """Entries for occurrences starting after `moment`, oldest entry first."""
        rows = self.db.query(
            "SELECT id, session_id, occurrence_start, occurrence_end, kind, lead_seconds, snapshot, posted_at"
            " FROM session_announcements WHERE occurrence_start > ? ORDER BY id",
            (utc_key(moment),),
        )
        return [LedgerEntry(**dict(row)) for row in rows]

    def record(self, item: Announcement, posted_at: datetime) -> bool:
        """Record a posted item; False (and nothing written) if it was already recorded."""
        with self.db.transaction() as conn:
            start = utc_key(item.start)
            if item.kind == REMINDER:
                assert item.lead is not None
                if conn.execute(
                    "SELECT 1 FROM session_announcements WHERE session_id = ? AND occurrence_start = ?"
                    " AND kind = ? AND lead_seconds = ?",
                    (item.session.id, start, REMINDER, item.lead.seconds),
                ).fetchone():
                    return False
            else:
                last = conn.execute(
                    "SELECT kind FROM session_announcements WHERE session_id = ? AND occurrence_start = ?"
                    " ORDER BY id DESC LIMIT 1",
                    (item.session.id, start),
                ).fetchone()
                if last is not None and last["kind"] != REMINDER:
                    return False
            self._insert(conn, item.session, item.start, item.end, item.kind, item.lead, item, posted_at)
            if item.kind == MOVED and item.new_start is not None and item.new_end is not None:
                # The notice announces the new time too: its reminders continue from there, without
                # repeating the lead the notice already covered.
                self._insert(
                    conn, item.session, item.new_start, item.new_end, REMINDER, item.lead, None, posted_at
                )
        return True

    @staticmethod
    def _insert(conn, session, start, end, kind, lead, item, posted_at) -> None:
        conn.execute(
            "INSERT INTO session_announcements (session_id, occurrence_start, occurrence_end, kind, lead,"
            " lead_seconds, new_start, snapshot, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.id,
                utc_key(start),
                utc_key(end),
                kind,
                lead.label if lead and kind == REMINDER else None,
                lead.seconds if lead and kind == REMINDER else None,
                utc_key(item.new_start) if item is not None and item.new_start else None,
                json.dumps(dict(session.raw), default=str, ensure_ascii=False),
                utc_key(posted_at),
            ),
        )


def latest_lead_reached(start: datetime, now: datetime, leads: Sequence[LeadTime]) -> LeadTime | None:
    """The shortest lead whose moment has come, i.e. the one a punctual bot would have posted last."""
    if now >= start:
        return None
    reached = [lead for lead in leads if start - lead.delta <= now]
    return min(reached, key=lambda lead: lead.delta) if reached else None


def plan(
    sessions: Sequence[Session], leads: Sequence[LeadTime], ledger: Sequence[LedgerEntry], now: datetime
) -> list[Announcement]:
    """What to post at `now`, soonest occurrence first. Pure: nothing is recorded here."""
    history: dict[tuple[str, str], list[LedgerEntry]] = {}
    for entry in ledger:
        history.setdefault((entry.session_id, entry.occurrence_start), []).append(entry)
    notices = _notices(sessions, leads, history, now)
    # A "moved" notice announces the new time as well: no reminder for it in the same breath.
    covered = {(n.session.id, utc_key(n.new_start)) for n in notices if n.new_start is not None}
    items = notices + _reminders(sessions, leads, history, now, covered)
    return sorted(items, key=lambda item: (item.start, item.session.id, item.kind))


def next_due(sessions: Sequence[Session], leads: Sequence[LeadTime], now: datetime) -> datetime | None:
    """The next moment after `now` at which a reminder becomes due, if the schedule stays as it is.

    A poster may sleep until then (or until the schedule changes) instead of polling.
    """
    if not leads:
        return None
    longest = max(lead.delta for lead in leads)
    best: datetime | None = None
    for session in sessions:
        if session.cancelled:
            continue
        for occ in session.next_occurrences(now):
            if best is not None and occ.start - longest > best:
                break  # every later occurrence's moments come later still
            for lead in leads:
                moment = occ.start - lead.delta
                if moment > now and (best is None or moment < best):
                    best = moment
    return best


def _reminders(sessions, leads, history, now, covered) -> list[Announcement]:
    if not leads:
        return []
    horizon = now + max(lead.delta for lead in leads) + timedelta(seconds=1)
    items = []
    for session in sessions:
        if session.cancelled:
            continue
        for occ in session.occurrences(now, horizon):
            lead = latest_lead_reached(occ.start, now, leads)
            if lead is None or (session.id, utc_key(occ.start)) in covered:
                continue
            posted = [
                e.lead_seconds
                for e in history.get((session.id, utc_key(occ.start)), [])
                if e.kind == REMINDER and e.lead_seconds is not None
            ]
            if any(seconds <= lead.seconds for seconds in posted):
                continue  # this lead, or a later one, is already out
            items.append(Announcement(REMINDER, session, occ.start, occ.end, lead))
    return items


def _notices(sessions, leads, history, now) -> list[Announcement]:
    by_id = {s.id: s for s in sessions}
    items = []
    for (session_id, start_key), entries in history.items():
        last = entries[-1]
        start = from_utc_key(start_key)
        if last.kind != REMINDER or start <= now:
            continue  # never announced, already noticed, or too late to matter
        session = by_id.get(session_id)
        end = from_utc_key(last.occurrence_end)
        if session is None:
            gone = _from_snapshot(session_id, last.snapshot, start, end)
            items.append(Announcement(CANCELLED, gone, start.astimezone(gone.tz), end.astimezone(gone.tz)))
            continue
        start, end = start.astimezone(session.tz), end.astimezone(session.tz)
        occ = session.occurrence_at(start)
        if occ is not None and not occ.cancelled:
            if occ.end != end:  # same start, new end (or duration): members planned around the old one
                lead = latest_lead_reached(occ.start, now, leads)
                items.append(Announcement(MOVED, session, start, end, lead, occ.start, occ.end))
            continue  # still on
        new = None
        if (
            occ is None
            and not session.cancelled
            and replace(session, exdates=()).occurrence_at(start) is None
        ):
            new = _nearest(session, start, now)  # the schedule changed under this occurrence
        if new is None:
            items.append(Announcement(CANCELLED, session, start, end))
        else:
            lead = latest_lead_reached(new.start, now, leads)
            items.append(Announcement(MOVED, session, start, end, lead, new.start, new.end))
    return items


def _nearest(session: Session, old_start: datetime, now: datetime) -> Occurrence | None:
    candidates = [
        occ
        for occ in session.occurrences(max(now, old_start - _MOVE_SEARCH), old_start + _MOVE_SEARCH)
        if occ.start > now
    ]
    return min(candidates, key=lambda occ: abs(occ.start - old_start), default=None)


def _from_snapshot(session_id: str, snapshot: str, start: datetime, end: datetime) -> Session:
    """The session as it was when announced, for a notice after it was removed from the schedule."""
    try:
        return parse_session(json.loads(snapshot), origin="snapshot")
    except (SessionError, ValueError):
        return Session(session_id, {"": session_id}, start, end - start, "UTC", origin="snapshot")
