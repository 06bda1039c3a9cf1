"""Recurrence rules checked: RFC 5545 parts we accept, UNTIL in local time, and bounds on expansion.

A rule is refused with one line naming what is wrong (a typo in a part, an UNTIL out of range, a rule
that never fires or fires more often than MAX_OCCURRENCES / MAX_PER_YEAR allow), so nothing later
expands a rule without end. bot.sessions.schedule calls it for a session's `rrule` field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from itertools import islice, takewhile
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.sessions.dates import MAX_YEAR, MIN_YEAR

_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
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


def parse_rule(value: object, start: datetime | None, tz: ZoneInfo | None, problem) -> tuple[str | None, Any]:
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
