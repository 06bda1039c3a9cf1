"""Sessions and their occurrences: the recurrence rule expanded in local wall time.

A recurring session keeps its local wall time across daylight-saving changes: the rule is expanded
in the session's zone and each occurrence gets the offset in force that day. A `Session` here is
already valid; bot.sessions.schedule is what reads and checks one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.sessions.dates import localise

ANY_LANG = ""  # key of a title written as one plain string


def utc_key(moment: datetime) -> str:
    """A fixed-width UTC form that sorts and compares as text (ledger and cancellation keys)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_utc_key(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Occurrence:
    """One sitting of a session: start and end in the session's time zone."""

    session: Session
    start: datetime
    end: datetime
    cancelled: bool = False

    @property
    def key(self) -> str:
        """Stable identity of this occurrence: session id and UTC start."""
        return f"{self.session.id}@{utc_key(self.start)}"

    def title(self, lang: str | None = None) -> str:
        return self.session.title(lang)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        s = self.session
        return {
            "id": s.id,
            "title": s.title(lang),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": s.timezone,
            "start_unix": int(self.start.timestamp()),
            "end_unix": int(self.end.timestamp()),
            "link": s.link,
            "region": s.region,
            "description": s.description(lang),
            "languages": list(s.languages),
            "recurring": s.rrule is not None,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True)
class Session:
    """A validated session. `raw` is the mapping it was built from (kept for edits and snapshots)."""

    id: str
    titles: Mapping[str, str]
    start: datetime
    duration: timedelta
    timezone: str
    region: str = ""
    descriptions: Mapping[str, str] = field(default_factory=dict)
    link: str = ""
    languages: tuple[str, ...] = ()
    rrule: str | None = None  # one RRULE line without the "RRULE:" prefix; UNTIL in local time
    exdates: tuple[date | datetime, ...] = ()  # a date excludes any occurrence that local day
    cancelled: bool = False
    cancelled_starts: frozenset[str] = frozenset()  # utc_key of occurrences cancelled at run time
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)
    origin: str = "yaml"  # yaml | run-time | yaml+run-time
    _rule: rrule | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.rrule and self._rule is None:
            naive = self.start.replace(tzinfo=None)
            object.__setattr__(self, "_rule", rrulestr(self.rrule, dtstart=naive, cache=True))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def end(self) -> datetime:
        """End of the first occurrence."""
        return _add(self.start, self.duration)

    def title(self, lang: str | None = None) -> str:
        return _in_language(self.titles, lang)

    def description(self, lang: str | None = None) -> str:
        return _in_language(self.descriptions, lang)

    def with_cancellations(self, starts: frozenset[str]) -> Session:
        return replace(self, cancelled_starts=starts)

    # -- occurrences -------------------------------------------------------------------------------

    def occurrences(
        self, after: datetime, before: datetime, include_cancelled: bool = False
    ) -> Iterator[Occurrence]:
        """Occurrences overlapping [after, before), soonest first."""
        for _, occ in self.instances(after, before):
            if occ.cancelled and not include_cancelled:
                continue
            yield occ

    def instances(self, after: datetime, before: datetime) -> Iterator[tuple[datetime, Occurrence]]:
        """(the rule's own local time, occurrence) for the occurrences overlapping [after, before),
        cancelled ones included. Calendars name an occurrence by the former (RECURRENCE-ID, EXDATE);
        it differs from the occurrence's start only in a DST gap (02:30 that night is 03:30)."""
        if self._rule is None:
            candidates: list[datetime] = [self.start.replace(tzinfo=None)]
        else:
            lo = _naive_in(after - self.duration - timedelta(days=1), self.tz)
            hi = _naive_in(before + timedelta(days=1), self.tz)
            candidates = self._rule.between(lo, hi, inc=True)
        for naive in candidates:
            occ = self._occurrence(localise(naive, self.tz))
            if occ is None or occ.end <= after or occ.start >= before:
                continue
            yield naive, occ

    def next_occurrences(self, after: datetime, include_cancelled: bool = False) -> Iterator[Occurrence]:
        """Occurrences that end after `after`, soonest first (endless for an open-ended rule)."""
        if self._rule is None:
            yield from self.occurrences(after, datetime.max.replace(tzinfo=UTC), include_cancelled)
            return
        lo = _naive_in(after - self.duration - timedelta(days=1), self.tz)
        for naive in self._rule.xafter(lo, inc=True):
            occ = self._occurrence(localise(naive, self.tz))
            if occ is None or occ.end <= after or (occ.cancelled and not include_cancelled):
                continue
            yield occ

    def all_occurrences(self, include_cancelled: bool = False) -> Iterator[Occurrence]:
        """Every occurrence from the first (endless for an open-ended rule)."""
        return self.next_occurrences(self.start - timedelta(seconds=1), include_cancelled)

    def occurrence_at(self, start: datetime) -> Occurrence | None:
        """The occurrence starting at exactly `start` (cancelled ones included), if there is one."""
        for occ in self.occurrences(start, start + timedelta(seconds=1), include_cancelled=True):
            if occ.start == start:
                return occ
        return None

    def last_end(self) -> datetime | None:
        """When the last occurrence ends; None for a rule without COUNT or UNTIL."""
        if self._rule is None:
            return self.end
        # private API: dateutil's rrule._count and rrule._until (it has no public accessor)
        if not (self._rule._count or self._rule._until):
            return None
        last = None
        for naive in self._rule:
            last = naive
        return _add(localise(last, self.tz), self.duration) if last else None

    def matching(self, when: date | datetime) -> list[Occurrence]:
        """Occurrences (not excluded by exdates) on a local day, or starting at an exact time."""
        if isinstance(when, datetime):
            occ = self.occurrence_at(when)
            return [occ] if occ is not None else []
        day_start = localise(datetime.combine(when, datetime.min.time()), self.tz)
        return [
            o
            for o in self.occurrences(day_start, day_start + timedelta(days=1, hours=1), True)
            if o.start.date() == when
        ]

    def _occurrence(self, start: datetime) -> Occurrence | None:
        """The occurrence at `start`, None if the schedule excludes it (exdates)."""
        for ex in self.exdates:
            if (isinstance(ex, datetime) and ex == start) or (
                not isinstance(ex, datetime) and ex == start.date()
            ):
                return None
        cancelled = self.cancelled or utc_key(start) in self.cancelled_starts
        return Occurrence(self, start, _add(start, self.duration), cancelled)


def _add(start: datetime, duration: timedelta) -> datetime:
    """Elapsed time, not wall time: a 2-hour call across a DST change still lasts 2 hours."""
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def _naive_in(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def _in_language(texts: Mapping[str, str], lang: str | None) -> str:
    """The asked language, else English, else whatever there is."""
    for key in (lang, "en", ANY_LANG):
        if key is not None and texts.get(key):
            return texts[key]
    return next((t for t in texts.values() if t), "")


def sort_occurrences(occurrences: Sequence[Occurrence]) -> list[Occurrence]:
    return sorted(occurrences, key=lambda o: (o.start.astimezone(UTC), o.session.id))
