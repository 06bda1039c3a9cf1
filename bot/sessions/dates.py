"""Dates, time zones and durations as people write them in a schedule, in en/es/fr/pt.

Moderators paste dates from invitations ("17 janvier 2022 09:00", "25 de noviembre de 2021 10:00",
"3 de março de 2022 14h30") as often as ISO 8601; all of them must work, and anything ambiguous or
incomplete must be refused with a message saying what is missing, never silently guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as du_parser

from index.analysis import fold  # "Février" and "fevrier" are the same month to a reader

# Accent-folded, lower-case month and weekday names; dateutil matches tokens case-insensitively.
_MONTHS = [
    ("jan", "january", "enero", "ene", "janvier", "janv", "janeiro"),
    ("feb", "february", "febrero", "fevrier", "fevr", "fev", "fevereiro"),
    ("mar", "march", "marzo", "mars", "marco"),
    ("apr", "april", "abril", "abr", "avril", "avr"),
    ("may", "mayo", "mai", "maio"),
    ("jun", "june", "junio", "juin", "junho"),
    ("jul", "july", "julio", "juillet", "juil", "julho"),
    ("aug", "august", "agosto", "ago", "aout"),
    ("sep", "sept", "september", "septiembre", "setiembre", "set", "septembre", "setembro"),
    ("oct", "october", "octubre", "octobre", "outubro", "out"),
    ("nov", "november", "noviembre", "novembre", "novembro"),
    ("dec", "december", "diciembre", "dic", "decembre", "dezembro", "dez"),
]
_WEEKDAYS = [
    ("mon", "monday", "lunes", "lun", "lundi", "segunda", "seg"),
    ("tue", "tuesday", "martes", "mardi", "terca", "ter"),
    ("wed", "wednesday", "miercoles", "mie", "mercredi", "mer", "quarta", "qua"),
    ("thu", "thursday", "jueves", "jue", "jeudi", "jeu", "quinta", "qui"),
    ("fri", "friday", "viernes", "vie", "vendredi", "ven", "sexta", "sex"),
    ("sat", "saturday", "sabado", "sab", "samedi", "sam"),
    ("sun", "sunday", "domingo", "dom", "dimanche", "dim"),
]
# Little words between the parts of a date: "25 de noviembre de 2021 a las 10:00", "le 17 janvier à 9h",
# "3 de março de 2022 às 14h".
_JUMP = [
    "de",
    "del",
    "a",
    "las",
    "la",
    "el",
    "le",
    "as",
    "em",
    "en",
    "horas",
    "hrs",
    "heures",
    "feira",
]  # quinta-feira


class ScheduleParserInfo(du_parser.parserinfo):
    """dateutil's parser vocabulary extended with Spanish, French and Portuguese month and day names."""

    MONTHS = _MONTHS
    WEEKDAYS = _WEEKDAYS
    JUMP = du_parser.parserinfo.JUMP + _JUMP
    AMPM = [("am",), ("pm",)]  # not "a"/"p": "a" is Spanish and Portuguese for "at"

    def __init__(self) -> None:
        # Day first, as people write dates across Latin America, Europe and Africa ("03/02/2022" = 3 Feb).
        super().__init__(dayfirst=True, yearfirst=False)


_PARSER_INFO = ScheduleParserInfo()
_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|re|e|º|ª|o|a)\b", re.IGNORECASE)  # 1er janvier, 1º de mayo
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DEFAULT_A = datetime(2001, 1, 1, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 1, 0)


# Dates a schedule may use: outside these, arithmetic with offsets and durations can leave the range
# of datetime (year 9999 + 1 day) and expanding a rule from 1900 would do decades of useless work.
MIN_YEAR = 1970
MAX_YEAR = 2200
MAX_DURATION = timedelta(days=366 * 10)  # longer than any lead time or session; beyond it, a typo


class DateProblem(ValueError):
    """A date, time zone or duration that cannot be used; the message says why, for a user."""


def check_year(value: date, original: object) -> None:
    """DateProblem unless `value` falls in the years a schedule may use."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateProblem(f"{original!s} is outside the years {MIN_YEAR}–{MAX_YEAR}")


def timezone_named(name: object) -> ZoneInfo:
    """The IANA time zone `name` (e.g. America/Guatemala), or DateProblem."""
    if not isinstance(name, str) or not name.strip():
        raise DateProblem("missing; give an IANA time zone name such as America/Guatemala")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise DateProblem(f"unknown time zone {name!r}; use an IANA name such as America/Guatemala") from None


def parse_datetime(value: object, tz: tzinfo, default: datetime | None = None) -> datetime:
    """A date and time of day in `tz` from ISO 8601, a YAML datetime or human text in en/es/fr/pt.

    Text without a zone is wall time in `tz`; text with an offset keeps its instant. With `default`
    (a datetime in `tz`), a bare time such as "12:30" means that time on `default`'s day.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise DateProblem(f"{value.isoformat()} has no time of day; write e.g. '{value.isoformat()} 09:00'")
    elif isinstance(value, str) and value.strip():
        parsed = _parse_text(value.strip(), default)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads an unquoted 13:00 as the number 780 (base 60)
        raise DateProblem(f"got the number {value}; put dates and times in quotes, e.g. '13:00'")
    else:
        raise DateProblem("missing; give a date and time such as '2022-01-17 09:00'")
    check_year(parsed, value)
    try:
        if parsed.tzinfo is None:
            return localise(parsed, tz)
        return parsed.astimezone(tz)
    except (OverflowError, ValueError):
        raise DateProblem(f"cannot read {value!s} as a date and time") from None


def parse_date_or_datetime(value: object, tz: tzinfo) -> date | datetime:
    """A day (any occurrence that day) or an exact date-time, as used in `exdates` and cancellations."""
    if isinstance(value, datetime):
        return parse_datetime(value, tz)
    if isinstance(value, date):
        check_year(value, value)
        return value
    if not isinstance(value, str) or not value.strip():
        raise DateProblem("missing; give a date such as '2022-12-01' or a date and time")
    if _ISO_DATE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise DateProblem(f"cannot read {value.strip()!r} as a date") from None
        check_year(day, value.strip())
        return day
    text = _prepare(value.strip())
    a, b = (_raw_parse(text, value, d) for d in (_DEFAULT_A, _DEFAULT_B))
    _require_full_date(a, b, value)
    if a.hour != b.hour:
        check_year(a, value)
        return a.date()
    return parse_datetime(value, tz)


def _iso(value: str) -> datetime | None:
    """ISO 8601 read as ISO: day-first parsing must never turn 2022-12-01 into 12 January."""
    if _ISO_DATE.match(value):
        raise DateProblem(f"{value!r} has no time of day; write e.g. '{value} 09:00'")
    if not _ISO_DATE.match(value[:10]):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        pass
    try:  # near-ISO such as "2022-01-17 9:00" or "2022-01-17 9h": year, month, day in that order
        return du_parser.parse(_prepare(value), parserinfo=_PARSER_INFO, dayfirst=False, yearfirst=True)
    except (ValueError, OverflowError, TypeError):
        raise DateProblem(f"cannot read {value!r} as a date and time") from None


def _prepare(text: str) -> str:
    return _ORDINAL.sub(r"\1", fold(text))


def _raw_parse(text: str, original: str, default: datetime) -> datetime:
    try:
        return du_parser.parse(text, parserinfo=_PARSER_INFO, default=default)
    except (ValueError, OverflowError, TypeError):
        raise DateProblem(f"cannot read {original!r} as a date and time") from None


def _require_full_date(a: datetime, b: datetime, original: str) -> None:
    if a.year != b.year and (a.month, a.day) != (b.month, b.day):
        raise DateProblem(f"{original!r} has no date")
    if a.year != b.year:
        raise DateProblem(f"{original!r} has no year")
    if a.month != b.month or a.day != b.day:
        raise DateProblem(f"{original!r} has no day and month")


def _parse_text(value: str, default: datetime | None) -> datetime:
    iso = _iso(value)
    if iso is not None:
        return iso
    text = _prepare(value)
    a, b = (_raw_parse(text, value, d) for d in (_DEFAULT_A, _DEFAULT_B))
    if a.hour != b.hour:
        raise DateProblem(f"{value!r} has no time of day; write e.g. '{value} 09:00'")
    if (a.year, a.month, a.day) == (b.year, b.month, b.day):
        return a
    if default is not None and (a.month, a.day) != (b.month, b.day) and a.year != b.year:
        # A bare time ("12:30"): that time on the default's day.
        naive = _raw_parse(text, value, default.replace(tzinfo=None, hour=0, minute=0, second=0))
        return naive.replace(tzinfo=a.tzinfo)
    _require_full_date(a, b, value)
    return a


def localise(naive: datetime, tz: tzinfo) -> datetime:
    """Wall time in `tz`. A time skipped by a DST jump moves forward (as clocks do); an ambiguous one
    takes its first instance (fold=0)."""
    aware = naive.replace(tzinfo=tz)
    roundtrip = aware.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:  # in a gap: e.g. 02:30 on a spring-forward night
        return roundtrip
    return aware


_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$")
_ISO_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def parse_duration(value: object) -> timedelta:
    """A positive length written "90m", "1h30m", "3h", "7d", "2w", or ISO 8601 "PT1H30M"."""
    if isinstance(value, timedelta):
        delta = value
    elif isinstance(value, int) and not isinstance(value, bool):
        delta = timedelta(minutes=min(value, int(MAX_DURATION.total_seconds() // 60) + 1))
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        match = _DURATION.match(text.lower()) or _ISO_DURATION.match(text.upper())
        if not text or not match or not any(match.groups()):
            raise DateProblem(f"cannot read {value!r} as a duration; write e.g. 90m, 1h30m, 3h, 7d")
        weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
        try:
            delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
        except OverflowError:
            delta = MAX_DURATION + timedelta(days=1)  # reported as too long just below
    else:
        raise DateProblem(f"cannot read {value!r} as a duration; write e.g. 90m, 1h30m, 3h, 7d")
    if delta <= timedelta(0):
        raise DateProblem(f"duration {value!r} must be longer than zero")
    if delta > MAX_DURATION:
        raise DateProblem(f"duration {value!r} is longer than {MAX_DURATION.days} days")
    return delta


def format_duration(delta: timedelta) -> str:
    """The short form parse_duration reads: 7d, 1h, 1h30m."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return "".join(parts) or "0m"
