"""The schedule: validated sessions and their occurrences, from `config/sessions.yaml` or run-time changes.

A session is validated as a whole and every problem is reported as one line naming where it came
from, the session and the field, so that a moderator can fix a YAML file or a run-time command
without reading code. Recurring sessions keep their local wall time across daylight-saving changes:
the rule is expanded in local time and each occurrence gets the offset in force that day.

Longer than ~400 lines on purpose: it is the one place a session is validated (fields, languages,
time zones, recurrence rules and their bounds); splitting the validators from the type they
guard would let a new field be added in one and forgotten in the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice, takewhile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.config import ConfigError, read_yaml
from bot.sessions.dates import (
    MAX_YEAR,
    MIN_YEAR,
    DateProblem,
    localise,
    parse_date_or_datetime,
    parse_datetime,
    parse_duration,
    timezone_named,
)
from index.documents import LANGUAGES
from index.errors import InputError

FIELDS = (
    "id",
    "title",
    "start",
    "end",
    "duration",
    "timezone",
    "region",
    "description",
    "link",
    "languages",
    "rrule",
    "exdates",
    "cancelled",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_ANY_LANG = ""  # key of a title written as one plain string


class SessionError(InputError):
    """A session that cannot be accepted. `problems` are one line each: source, session, field, what."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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
        if not (self._rule._count or self._rule._until):  # dateutil keeps these private
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
    for key in (lang, "en", _ANY_LANG):
        if key is not None and texts.get(key):
            return texts[key]
    return next((t for t in texts.values() if t), "")


# -- validation ------------------------------------------------------------------------------------


def parse_session(
    raw: object, source: str = "", position: int | None = None, origin: str = "yaml"
) -> Session:
    """A Session from a mapping, or SessionError listing every problem, one line each.

    `source` (a file path) and `position` (1-based place in the file) only shape the messages.
    """
    prefix = f"{source}: " if source else ""
    if not isinstance(raw, Mapping):
        where = f"session #{position}" if position else "session"
        raise SessionError([f"{prefix}{where}: expected a mapping of fields (id, title, start, …)"])
    label = _label(raw, position)
    problems: list[str] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(f"{prefix}session {label}: {field_name}: {message}")

    for key in raw:
        if key not in FIELDS:
            problem(str(key), f"unknown field; known fields are {', '.join(FIELDS)}")

    session_id = _session_id(raw.get("id"), problem)
    titles = _texts(raw.get("title"), "title", problem, required=True)
    descriptions = _texts(raw.get("description"), "description", problem, required=False)

    tz = None
    try:
        tz = timezone_named(raw.get("timezone"))
    except DateProblem as exc:
        problem("timezone", str(exc))

    start = None
    if raw.get("start") is None:
        problem("start", "missing; give a date and time such as '2022-01-17 09:00'")
    elif tz is not None:
        try:
            start = parse_datetime(raw["start"], tz)
        except DateProblem as exc:
            problem("start", str(exc))

    duration = _duration(raw, start, tz, problem)
    rule_text, rule = _rule(raw.get("rrule"), start, tz, problem)
    exdates = _exdates(raw.get("exdates"), tz, problem)

    languages: tuple[str, ...] = ()
    value = raw.get("languages")
    if value is not None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            problem("languages", f"expected a list of language codes from {', '.join(LANGUAGES)}")
        else:
            unknown = [v for v in items if v not in LANGUAGES]
            if unknown:
                problem("languages", f"unsupported {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}")
            languages = tuple(items)

    link = raw.get("link") or ""
    if not isinstance(link, str) or (link and not re.match(r"^https?://\S+$", link)):
        problem("link", f"{link!r} is not a web address starting with https://")
        link = ""
    region = raw.get("region") or ""
    if not isinstance(region, str):
        problem("region", "expected text")
        region = ""
    cancelled = raw.get("cancelled", False)
    if not isinstance(cancelled, bool):
        problem("cancelled", "expected true or false")
        cancelled = False

    if problems:
        raise SessionError(problems)
    assert session_id and titles and start is not None and duration is not None and tz is not None
    session = Session(
        id=session_id,
        titles=titles,
        start=start,
        duration=duration,
        timezone=str(tz.key),
        region=region,
        descriptions=descriptions,
        link=link,
        languages=languages,
        rrule=rule_text,
        exdates=exdates,
        cancelled=cancelled,
        raw=dict(raw),
        origin=origin,
        _rule=rule,
    )
    _check_occurrences(session, problem)
    if problems:
        raise SessionError(problems)
    return session


def _label(raw: Mapping, position: int | None) -> str:
    value = raw.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return f"#{position}" if position else "(no id)"


def _session_id(value: object, problem) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problem("id", "missing; give a short name such as community-call-2022")
        return None
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _ID.match(text):
        problem("id", f"{value!r} must be up to 64 letters, digits, '-', '_' or '.'")
        return None
    return text


def _texts(value: object, name: str, problem, required: bool) -> dict[str, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problem(name, "missing; give text, or one text per language {en, es, fr, pt}")
        return {}
    if isinstance(value, str):
        return {_ANY_LANG: value.strip()}
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if k not in LANGUAGES]
        if unknown:
            problem(name, f"unsupported language(s) {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}")
            return {}
        texts = {k: str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
        if not texts and required:
            problem(name, "missing; every language is empty")
        return texts
    problem(name, "expected text, or one text per language {en, es, fr, pt}")
    return {}


def _duration(raw: Mapping, start: datetime | None, tz: ZoneInfo | None, problem) -> timedelta | None:
    has_end, has_duration = raw.get("end") is not None, raw.get("duration") is not None
    if has_end and has_duration:
        problem("end", "give either end or duration, not both")
        return None
    if not has_end and not has_duration:
        problem("end", "missing; give end (e.g. '2022-01-17 12:00') or duration (e.g. 2h)")
        return None
    if has_duration:
        try:
            return parse_duration(raw["duration"])
        except DateProblem as exc:
            problem("duration", str(exc))
            return None
    if start is None or tz is None:
        return None  # already reported
    try:
        end = parse_datetime(raw["end"], tz, default=start)
    except DateProblem as exc:
        problem("end", str(exc))
        return None
    if end <= start:
        problem("end", f"{end.isoformat()} is not after start {start.isoformat()}")
        return None
    return end - start


# Every rule part RFC 5545 defines, with the range of each number; anything else is refused.
_NUMBER_PARTS = {
    "COUNT": (1, None),  # upper bound: MAX_OCCURRENCES
    "INTERVAL": (1, 1000),
    "BYSECOND": (0, 60),
    "BYMINUTE": (0, 59),
    "BYHOUR": (0, 23),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYMONTH": (1, 12),
    "BYSETPOS": (-366, 366),
}
_WEEKDAY_NAMES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_RULE_PARTS = ("FREQ", "UNTIL", "BYDAY", "WKST", *_NUMBER_PARTS)
# A session expands to at most this many occurrences (a rule with COUNT or UNTIL), or this many a year
# (an open-ended rule). Counting stops at the cap, so checking a rule costs at most that much work.
MAX_OCCURRENCES = 10_000
MAX_PER_YEAR = 1_000
_CALENDAR_CYCLE = 400  # years after which the Gregorian calendar repeats exactly (weekdays included)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _rule(value: object, start: datetime | None, tz: ZoneInfo | None, problem) -> tuple[str | None, Any]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        problem("rrule", "expected an RFC 5545 rule such as FREQ=MONTHLY;BYDAY=1TH")
        return None, None
    text = value.strip()
    text = text[6:] if text.upper().startswith("RRULE:") else text
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, _, val = part.partition("=")
        if not name.strip() or not val.strip() or "\n" in part or ":" in name:
            problem("rrule", f"invalid rule {value!r}: expected NAME=VALUE pairs separated by ';'")
            return None, None
        parts[name.strip().upper()] = val.strip().upper()
    reason = _rule_parts_problem(parts)
    if reason:
        problem("rrule", f"invalid rule {value!r}: {reason}")
        return None, None
    if start is None or tz is None:
        return None, None  # already reported
    if "UNTIL" in parts:
        until, wrong = _until(parts["UNTIL"], tz)
        if wrong:
            problem("rrule", f"invalid rule {value!r}: {wrong}")
            return None, None
        parts["UNTIL"] = until
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    naive_start = start.replace(tzinfo=None)
    try:
        rule = rrulestr(normalised, dtstart=naive_start, cache=True)
        first = _first_occurrence(rule, naive_start, parts)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "a value is out of range"
        problem("rrule", f"invalid rule {value!r}: {reason}")
        return None, None
    if first is None:
        problem("rrule", f"rule {value!r} produces no occurrences from {start.isoformat()}")
        return None, None
    if first != naive_start:
        # Calendars count DTSTART as an occurrence even when the rule would skip it; so must we agree.
        problem(
            "start",
            f"{naive_start:%Y-%m-%d %H:%M} is not itself an occurrence of rrule {value!r}; "
            f"the first one is {first:%Y-%m-%d %H:%M}",
        )
        return None, None
    too_many = _expansion_problem(rule, naive_start, parts)
    if too_many:
        problem("rrule", f"rule {value!r} {too_many}")
        return None, None
    return normalised, rule


def _rule_parts_problem(parts: Mapping[str, str]) -> str | None:
    """Why the parts of a rule are out of RFC 5545 (or this bot's) ranges; None if they are fine."""
    unknown = [name for name in parts if name not in _RULE_PARTS]
    if unknown:
        return f"unknown part {unknown[0]}; known parts are {', '.join(_RULE_PARTS)}"
    if parts.get("FREQ") not in _FREQUENCIES:
        return f"FREQ must be one of {', '.join(_FREQUENCIES)}"
    if "COUNT" in parts and "UNTIL" in parts:
        return "COUNT and UNTIL cannot be used together"
    for name, (low, high) in _NUMBER_PARTS.items():
        if name not in parts:
            continue
        high = MAX_OCCURRENCES if name == "COUNT" else high
        for item in parts[name].split(","):
            if not re.fullmatch(r"[+-]?\d{1,6}", item.strip()):
                return f"{name} must be whole numbers separated by commas"
            number = int(item)
            if not low <= number <= high or (number == 0 and low < 0):
                limit = f" (at most {MAX_OCCURRENCES} occurrences)" if name == "COUNT" else ""
                return f"{name}={number} is outside {low}..{high}{limit}"
    for item in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        match = _BYDAY.match(item.strip())
        if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 53):
            return f"BYDAY value {item!r} must be a weekday (MO…SU), optionally after -53..53 such as 1TH"
    if "WKST" in parts and parts["WKST"] not in _WEEKDAY_NAMES:
        return f"WKST must be one of {', '.join(_WEEKDAY_NAMES)}"
    months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else range(1, 13)
    days = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
    if days and not any(abs(d) <= _DAYS_IN_MONTH[m - 1] for m in months for d in days):
        return "no month of BYMONTH has a day of BYMONTHDAY, so it never happens"
    return None


def _until(text: str, tz: ZoneInfo) -> tuple[str, str]:
    """(UNTIL as local wall time, as the rule is expanded; "") or ("", what is wrong).

    UTC (…Z) is what RFC 5545 requires beside a DTSTART with a zone; local time is read as such.
    A bare date (which RFC 5545 allows only with an all-day DTSTART) means the whole of that local
    day, as calendar readers take it: UNTIL=20260603 keeps an occurrence on 3 June."""
    formats = (("%Y%m%dT%H%M%SZ", True), ("%Y%m%dT%H%M%S", False), ("%Y%m%d", False))
    for fmt, in_utc in formats:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            return "", f"UNTIL {text} is outside the years {MIN_YEAR}–{MAX_YEAR}"
        if in_utc:
            moment = moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        elif fmt == "%Y%m%d":
            moment = moment.replace(hour=23, minute=59, second=59)
        return moment.strftime("%Y%m%dT%H%M%S"), ""
    return "", "UNTIL must look like 20221231T235959Z (UTC) or 20221231"


def _first_occurrence(rule: rrule, naive_start: datetime, parts: Mapping[str, str]) -> datetime | None:
    """The rule's first occurrence, found with bounded work even when it never matches.

    dateutil looks for the first match up to the year 9999, which takes seconds for a daily rule
    that matches nothing. The calendar repeats every 400 years, so the same rule moved forward by
    whole 400-year cycles finds the same first match, relative to its start, near the year 9999:
    400 to 800 years of search instead of up to 8,000."""
    cycles = max(0, (datetime.max.year - _CALENDAR_CYCLE - naive_start.year) // _CALENDAR_CYCLE)
    years = cycles * _CALENDAR_CYCLE
    probe_start = naive_start.replace(year=naive_start.year + years)
    until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S") if "UNTIL" in parts else None
    probe = rule.replace(
        dtstart=probe_start,
        until=until.replace(year=until.year + years) if until is not None else None,
        cache=False,
    )
    first = next(iter(probe), None)
    return first.replace(year=first.year - years) if first is not None else None


def _expansion_problem(rule: rrule, naive_start: datetime, parts: Mapping[str, str]) -> str | None:
    """Why the rule expands to too many occurrences, counting no further than the cap."""
    if "COUNT" in parts:
        return None  # range-checked against MAX_OCCURRENCES already
    if "UNTIL" in parts:
        if sum(1 for _ in islice(rule, MAX_OCCURRENCES + 1)) > MAX_OCCURRENCES:
            return (
                f"has more than {MAX_OCCURRENCES} occurrences before its UNTIL; "
                "raise INTERVAL or end it sooner"
            )
        return None
    year_later = naive_start + timedelta(days=366)
    first_year = takewhile(lambda moment: moment < year_later, rule.xafter(naive_start, inc=True))
    if sum(1 for _ in islice(first_year, MAX_PER_YEAR + 1)) > MAX_PER_YEAR:
        return f"has more than {MAX_PER_YEAR} occurrences a year; give fewer BYHOUR/BYMINUTE/BYDAY values"
    return None


def _exdates(value: object, tz: ZoneInfo | None, problem) -> tuple[date | datetime, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if tz is None:
        return ()
    result = []
    for item in items:
        try:
            result.append(parse_date_or_datetime(item, tz))
        except DateProblem as exc:
            problem("exdates", str(exc))
    return tuple(result)


def _check_occurrences(session: Session, problem) -> None:
    """Exdates must each remove an occurrence: one that matches nothing is a typo, not a cancellation."""
    if session.exdates and session.rrule is None:
        problem("exdates", "only a recurring session (with rrule) can have exdates")
        return
    plain = replace(session, exdates=())
    for ex in session.exdates:
        if not plain.matching(ex):
            shown = ex.isoformat()
            problem("exdates", f"{shown} is not an occurrence of this session")
            return
    if not any(True for _ in session.all_occurrences(include_cancelled=True)):
        problem("exdates", "every occurrence is excluded")


# -- files -----------------------------------------------------------------------------------------


def read_schedule(path: Path) -> list[Any]:
    """The raw session mappings of a schedule file: a list, or a mapping with a `sessions` list."""
    if not path.exists():
        raise ConfigError([f"{path}: file not found"])
    data = read_yaml(path)
    if data is None:
        return []
    if isinstance(data, Mapping) and set(data) <= {"sessions"}:
        data = data.get("sessions") or []
    if not isinstance(data, list):
        raise ConfigError([f"{path}: expected a list of sessions (or `sessions:` followed by a list)"])
    return data


def load_schedule(path: Path) -> list[Session]:
    """Every session of a schedule file, or ConfigError with one line per problem in the whole file.

    Every problem is found in one pass: a duplicate id is reported even when one of the copies has
    other problems, so fixing a file never takes more than one round of `config check`."""
    raws = read_schedule(path)
    problems: list[str] = []
    sessions: list[Session] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(raws, start=1):
        raw_id = _raw_id(raw)
        if raw_id is not None and raw_id in seen:
            problems.append(f"{path}: session {raw_id}: id: duplicate id (also session #{seen[raw_id]})")
        elif raw_id is not None:
            seen[raw_id] = position
        try:
            session = parse_session(raw, source=str(path), position=position)
        except SessionError as exc:
            problems.extend(exc.problems)
            continue
        sessions.append(session)
    if problems:
        raise ConfigError(problems)
    return sessions


def _raw_id(raw: object) -> str | None:
    """The id a raw session claims, as parse_session would read it (None when it has none)."""
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def sort_occurrences(occurrences: Sequence[Occurrence]) -> list[Occurrence]:
    return sorted(occurrences, key=lambda o: (o.start.astimezone(UTC), o.session.id))
