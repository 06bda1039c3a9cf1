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

from icalendar import Calendar, Event, Timezone, vRecur

from bot.schedule import Occurrence, Session, from_utc_key
from bot.session_dates import localise

PRODID = "-//clikc-bot//CLiKC! sessions//EN"
UID_DOMAIN = "clikc-bot"
_ZONE_RULES_UNTIL = date(2038, 1, 1)  # icalendar's default horizon, for open-ended recurrences
_ZONE_RULES_AHEAD = timedelta(days=2 * 366)  # …or two years past `now`, whichever is later
_EMPTY_ZONE = "UTC"  # the one component of an empty calendar (RFC 5545 wants at least one)


def build_calendar(
    sessions: Sequence[Session],
    now: datetime,
    lang: str | None = None,
    sequences: Mapping[str, int] | None = None,
) -> bytes:
    """The sessions as one VCALENDAR: STATUS:CANCELLED for a wholly cancelled session, else CONFIRMED.

    This is the one entry point for every adapter (CLI, Discord, web). Which sessions to include
    (not yet over, say) is the caller's choice. `sequences` maps a session id to its SEQUENCE, a
    number that must only ever go up for that id; a session not in it gets 0. The same arguments
    always give the same bytes (zones sorted by name, events in the order given), so a subscribed
    calendar sees a change only when something changed."""
    sequences = sequences or {}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "CLiKC! sessions")
    first, last = _zone_rules_range(sessions, now)
    # VTIMEZONEs first, sorted: icalendar's add_missing_timezones follows set order, which changes
    # from one run to the next. An empty calendar still gets one (UTC): RFC 5545 requires at least
    # one component, and strict readers refuse a VCALENDAR without any.
    for tzid in sorted({s.timezone for s in sessions} or {_EMPTY_ZONE}):
        cal.add_component(Timezone.from_tzid(tzid, first_date=first, last_date=last))
    for session in sessions:
        sequence = sequences.get(session.id, 0)
        cal.add_component(_event(session, now, lang, sequence))
        for occ in _occurrences_across_offset_changes(session, first, last):
            cal.add_component(_override(session, occ, now, lang, sequence))
    return cal.to_ical()


def _zone_rules_range(sessions: Sequence[Session], now: datetime) -> tuple[date, date]:
    """Zone rules from a year before the first session (not from 1970: a much smaller file) to a year
    after the last end, and at least to 2038 and two years past `now` for open-ended rules."""
    today = now.astimezone(UTC).date()
    if not sessions:
        return today - timedelta(days=366), today + _ZONE_RULES_AHEAD
    first = min(s.start for s in sessions).date() - timedelta(days=366)
    ends = [e.date() + timedelta(days=366) for s in sessions if (e := s.last_end()) is not None]
    return first, max([_ZONE_RULES_UNTIL, today + _ZONE_RULES_AHEAD, *ends])


def _event(session: Session, now: datetime, lang: str | None, sequence: int) -> Event:
    event = _described(session, now, lang, sequence)
    event.add("dtstart", session.start)
    event.add("dtend", _end_for_export(session.start, session.end))
    if session.rrule:
        event.add("rrule", vRecur.from_ical(_rule_for_export(session)))
        excluded = _excluded_starts(session)
        if excluded:
            event.add("exdate", excluded)
    return event


def _described(session: Session, now: datetime, lang: str | None, sequence: int) -> Event:
    """A VEVENT with what a session and each of its overridden occurrences share."""
    event = Event()
    event.add("uid", f"{session.id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", session.title(lang))
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
    return event


def _override(session: Session, occ: Occurrence, now: datetime, lang: str | None, sequence: int) -> Event:
    """One occurrence spelled out (RECURRENCE-ID): readers add a recurring event's length in wall
    time, so an occurrence across a DST change would otherwise end an hour early or late."""
    event = _described(session, now, lang, sequence)
    event.add("recurrence-id", occ.start)
    event.add("dtstart", occ.start)
    event.add("dtend", _end_for_export(occ.start, occ.end))
    return event


def _end_for_export(start: datetime, end: datetime) -> datetime:
    """DTEND in the session's zone, unless the offset changes in between: then in UTC. On the
    fall-back night 01:30 EDT + 1 h is 01:30 EST, and a local DTEND would equal DTSTART."""
    return end if start.utcoffset() == end.utcoffset() else end.astimezone(UTC)


def _occurrences_across_offset_changes(session: Session, first: date, last: date) -> list[Occurrence]:
    """Occurrences of a recurring session (not excluded) during which the zone's offset changes,
    between `first` and `last`: found from the zone's transitions, not by expanding the rule."""
    if not session.rrule:
        return []
    found: dict[str, Occurrence] = {}
    lo = max(first, session.start.astimezone(UTC).date())
    for day in _offset_change_days(session, lo, last):
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        for occ in session.occurrences(moment - session.duration, moment + timedelta(days=2)):
            if occ.start.utcoffset() != occ.end.utcoffset():
                found[occ.key] = occ
    return sorted(found.values(), key=lambda o: o.start)


def _offset_change_days(session: Session, first: date, last: date) -> list[date]:
    """UTC days on which the session's zone changes its offset (a day's step; zones change rarely)."""
    tz = session.tz
    days = []
    day = first
    offset = datetime.combine(day, datetime.min.time(), tzinfo=UTC).astimezone(tz).utcoffset()
    while day <= last:
        following = day + timedelta(days=1)
        nxt = datetime.combine(following, datetime.min.time(), tzinfo=UTC).astimezone(tz).utcoffset()
        if nxt != offset:
            days.append(day)
            offset = nxt
        day = following
    return days


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
