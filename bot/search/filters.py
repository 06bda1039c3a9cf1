"""Filters from plain values, the one place a search restriction is built.

The command line, a chat line (console and Discord, through bot.search.asking) and the benchmark
all hand over what a person typed; dates are read and range-checked here so a bad one is one clear
InputError instead of a traceback deep in the search.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.sessions.dates import MAX_YEAR, MIN_YEAR
from index.documents import Filters
from index.errors import InputError
from index.ingest import parse_date


def build_filters(
    *,
    technology: str | None = None,
    kind: str | None = None,
    doc_type: str | None = None,
    author: str | None = None,
    lang: str | None = None,
    country: str | None = None,
    since: object = None,
    until: object = None,
    whole_days: bool = False,
    date_labels: tuple[str, str] = ("since", "until"),
) -> Filters:
    """Filters from what was typed; `since`/`until` may be text, a date or a datetime.

    With `whole_days`, `since` is the start of its day (UTC) and `until` the end of its day, so
    "until 2023-12-31" keeps that day (the benchmark's questions mean that); without it a date
    is its first instant, as `clikc-bot ask --until` has always read it. `date_labels` name the
    two options in error messages (the CLI's "--since").
    """
    start = checked_date(since, date_labels[0])
    end = checked_date(until, date_labels[1])
    if whole_days:
        start = _day_start(start)
        end = _day_start(end) + timedelta(days=1, microseconds=-1) if end else None
    return Filters(
        technology=technology,
        kind=kind,
        author=author,
        lang=lang,
        country=country,
        doc_type=doc_type,
        since=start,
        until=end,
    )


def checked_date(value: object, label: str) -> datetime | None:
    """parse_date, plus what it lets through: an offset of 24 h or more, or a year out of range,
    fails only later, deep in the search, as a traceback."""
    moment = parse_date(value, label)
    if moment is None:
        return None
    try:
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InputError(f"{label}: {value!r} has an offset outside -24:00..+24:00") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InputError(f"{label}: {value!r} is outside the years {MIN_YEAR}–{MAX_YEAR}")
    return moment


def _day_start(moment: datetime | None) -> datetime | None:
    return datetime.combine(moment.date(), time(), UTC) if moment else None
