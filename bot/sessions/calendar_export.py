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

from bot.sessions.dates import localise
from bot.sessions.schedule import Occurrence, Session, from_utc_key, utc_key

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
        for instance, occ in _misread_occurrences(session, first, last):
            cal.add_component(_override(session, instance, occ, now, lang, sequence))
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
    first = session.occurrence_at(session.start) or Occurrence(session, session.start, session.end)
    misread = _misread(session.start.replace(tzinfo=None), first)
    # A recurring session keeps a local DTSTART (its rule runs in local time); if readers would get
    # its first sitting wrong, an override below spells that sitting out.
    in_utc = misread and not session.rrule
    event.add("dtstart", session.start.astimezone(UTC) if in_utc else session.start)
    event.add("dtend", session.end.astimezone(UTC) if misread else session.end)
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


def _override(
    session: Session, instance: datetime, occ: Occurrence, now: datetime, lang: str | None, sequence: int
) -> Event:
    """One occurrence spelled out (RECURRENCE-ID) in UTC, where readers cannot misread it."""
    event = _described(session, now, lang, sequence)
    event.add("recurrence-id", instance.replace(tzinfo=session.tz))
    event.add("dtstart", occ.start.astimezone(UTC))
    event.add("dtend", occ.end.astimezone(UTC))
    return event


def _misread(instance: datetime, occ: Occurrence) -> bool:
    """Whether readers would place this sitting elsewhere than the bot does.

    Readers take the local time as written (in a DST gap, 02:30 with the offset before the jump)
    and add the length in wall time: 01:30 EDT + 1 h becomes 02:30 EST, two hours later, and a local
    DTEND on the fall-back night equals DTSTART (01:30 EDT + 1 h is 01:30 EST). The bot counts
    elapsed time. Such a sitting is written in UTC, where wall time and elapsed time agree."""
    start = instance.replace(tzinfo=occ.start.tzinfo)
    end = start + occ.session.duration  # aware + timedelta: wall-time arithmetic, as readers do
    return start.astimezone(UTC) != occ.start or end.astimezone(UTC) != occ.end  # aware: compares instants


def _misread_occurrences(session: Session, first: date, last: date) -> list[tuple[datetime, Occurrence]]:
    """(rule time, occurrence) of a recurring session's sittings that readers would misread, between
    `first` and `last`: only around the zone's offset changes, not by expanding the whole rule."""
    if not session.rrule:
        return []
    found: dict[str, tuple[datetime, Occurrence]] = {}
    lo = max(first, session.start.astimezone(UTC).date())
    for day in _offset_change_days(session, lo, last):
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        for instance, occ in session.instances(moment - session.duration, moment + timedelta(days=2)):
            if _misread(instance, occ) and utc_key(occ.start) not in session.cancelled_starts:
                found[occ.key] = (instance, occ)  # cancelled ones are EXDATEs already
    return sorted(found.values(), key=lambda pair: pair[1].start)


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
    """Rule times (in the session's zone, like DTSTART) of occurrences the rule makes but we skip."""
    plain = replace(session, exdates=(), cancelled_starts=frozenset())
    starts = {o.start for ex in session.exdates for o in plain.matching(ex)}
    starts.update(from_utc_key(key) for key in session.cancelled_starts)
    instances: set[datetime] = set()
    for start in starts:
        for instance, occ in plain.instances(start, start + timedelta(seconds=1)):
            if occ.start == start:
                instances.add(instance.replace(tzinfo=session.tz))
    return sorted(instances)
