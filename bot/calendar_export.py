"""RFC 5545 (.ics) export of the schedule, for Google Calendar, Outlook and friends.

One VEVENT per session with a stable UID, so importing a newer file updates events instead of
duplicating them. Recurring sessions keep their RRULE (with UNTIL in UTC, as RFC 5545 requires
when DTSTART has a TZID); excluded and cancelled occurrences become EXDATEs. A wholly cancelled
session stays in the file, under the same UID, with STATUS:CANCELLED: a calendar that imported it
earlier then learns it is off instead of keeping it forever. Every other session says
STATUS:CONFIRMED, so a restored one tells such a calendar it is on again. VTIMEZONE components
are generated for every zone used, so calendars without a zone database still show the right time.

Each VEVENT carries SEQUENCE, the session's revision number as the caller counts it (0 if not
given). RFC 5545 has the organizer increment it on every revision, and some clients (Outlook among
them) ignore an update whose SEQUENCE is not higher than the copy they hold: without it, a moved or
cancelled session could stay unchanged in a subscriber's calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vRecur

from bot.schedule import Session, from_utc_key
from bot.session_dates import localise

PRODID = "-//clikc-bot//CLiKC! sessions//EN"
UID_DOMAIN = "clikc-bot"
_ZONE_RULES_UNTIL = date(2038, 1, 1)  # icalendar's default horizon, for open-ended recurrences


def build_calendar(
    sessions: Sequence[Session],
    now: datetime,
    lang: str | None = None,
    sequences: Mapping[str, int] | None = None,
) -> bytes:
    """The sessions as one VCALENDAR: STATUS:CANCELLED for a wholly cancelled session, else CONFIRMED.

    Which sessions to include (not yet over, say) is the caller's choice. `sequences` maps a session
    id to its SEQUENCE, a number that must only ever go up for that id; a session not in it gets 0."""
    sequences = sequences or {}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "CLiKC! sessions")
    for session in sessions:
        cal.add_component(_event(session, now, lang, sequences.get(session.id, 0)))
    if sessions:  # zone rules from the first session on, not from 1970: a much smaller file
        first = min(s.start for s in sessions).date() - timedelta(days=366)
        ends = [s.last_end() for s in sessions]
        last = max(_ZONE_RULES_UNTIL, *(e.date() + timedelta(days=366) for e in ends if e is not None))
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def _event(session: Session, now: datetime, lang: str | None, sequence: int) -> Event:
    event = Event()
    event.add("uid", f"{session.id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", session.title(lang))
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    description = session.description(lang)
    if session.link:
        event.add("url", session.link)
        event.add("location", session.link)
        description = f"{description}\n\n{session.link}".strip()
    if description:
        event.add("description", description)
    if session.region:
        event.add("categories", [session.region])
    if session.rrule:
        event.add("rrule", vRecur.from_ical(_rule_for_export(session)))
        excluded = _excluded_starts(session)
        if excluded:
            event.add("exdate", excluded)
    return event


def _rule_for_export(session: Session) -> str:
    """The stored rule with its local UNTIL turned back into UTC."""
    parts = []
    for part in (session.rrule or "").split(";"):
        name, _, value = part.partition("=")
        if name == "UNTIL" and not value.endswith("Z"):
            naive = datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")
            if "T" not in value:
                naive = naive.replace(hour=23, minute=59, second=59)
            value = localise(naive, session.tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{name}={value}")
    return ";".join(parts)


def _excluded_starts(session: Session) -> list[datetime]:
    """Start times (in the session's zone, like DTSTART) of occurrences the rule makes but we skip."""
    plain = replace(session, exdates=(), cancelled_starts=frozenset())
    starts: set[datetime] = set()
    for ex in session.exdates:
        starts.update(o.start for o in plain.matching(ex))
    starts.update(from_utc_key(key).astimezone(session.tz) for key in session.cancelled_starts)
    return sorted(starts)
