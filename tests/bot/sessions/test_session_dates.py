from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sessions.dates import (
    DateProblem,
    format_duration,
    parse_date_or_datetime,
    parse_datetime,
    parse_duration,
    timezone_named,
)

GT = ZoneInfo("America/Guatemala")
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022-01-17 09:00", datetime(2022, 1, 17, 9, 0)),
        ("2022-01-17T09:00:00", datetime(2022, 1, 17, 9, 0)),
        ("2022-01-17 9:00", datetime(2022, 1, 17, 9, 0)),
        ("17 janvier 2022 09:00", datetime(2022, 1, 17, 9, 0)),
        ("le 1er février 2022 à 9h", datetime(2022, 2, 1, 9, 0)),
        ("jeudi 17 fevrier 2022 10h30", datetime(2022, 2, 17, 10, 30)),
        ("25 de noviembre de 2021 10:00", datetime(2021, 11, 25, 10, 0)),
        ("25 de noviembre de 2021 a las 22:00", datetime(2021, 11, 25, 22, 0)),
        ("1º de mayo de 2022 08:00", datetime(2022, 5, 1, 8, 0)),
        ("3 de março de 2022 às 14h30", datetime(2022, 3, 3, 14, 30)),
        ("quinta-feira, 3 de marco de 2022 14:30", datetime(2022, 3, 3, 14, 30)),
        ("9 sept. 2022 15h", datetime(2022, 9, 9, 15, 0)),
        ("Thursday, December 3, 2026 10:00 AM", datetime(2026, 12, 3, 10, 0)),
        ("dec 3 2026 3pm", datetime(2026, 12, 3, 15, 0)),
        ("03/02/2022 10:00", datetime(2022, 2, 3, 10, 0)),  # day first
    ],
)
def test_parses_iso_and_human_dates_in_four_languages(text, expected):
    assert parse_datetime(text, GT) == expected.replace(tzinfo=GT)


def test_iso_dates_are_never_read_day_first():
    assert parse_datetime("2022-12-01 10:00", GT).date() == date(2022, 12, 1)
    assert parse_date_or_datetime("2022-12-01", GT) == date(2022, 12, 1)


def test_offset_keeps_the_instant_and_is_shown_in_the_session_zone():
    moment = parse_datetime("2022-01-17T15:00:00Z", GT)
    assert moment == datetime(2022, 1, 17, 15, tzinfo=UTC)
    assert moment.tzinfo == GT and moment.hour == 9


def test_yaml_datetime_values_are_accepted():
    assert parse_datetime(datetime(2022, 1, 17, 9), GT) == datetime(2022, 1, 17, 9, tzinfo=GT)


def test_bare_time_uses_the_default_day():
    start = datetime(2022, 1, 17, 9, tzinfo=GT)
    assert parse_datetime("12:30", GT, default=start) == datetime(2022, 1, 17, 12, 30, tzinfo=GT)


@pytest.mark.parametrize(
    "value, message",
    [
        ("2022-01-17", "no time of day"),
        ("17 janvier 2022", "no time of day"),
        ("17 janvier 09:00", "no year"),
        ("12:30", "no date"),
        ("next thursday-ish", "cannot read"),
        ("2022-13-01 10:00", "cannot read"),
        (780, "put dates and times in quotes"),
        (date(2022, 1, 17), "no time of day"),
        (None, "missing"),
    ],
)
def test_incomplete_or_unreadable_dates_are_refused(value, message):
    with pytest.raises(DateProblem, match=message):
        parse_datetime(value, GT)


def test_day_or_datetime():
    assert parse_date_or_datetime("7 janvier 2027", GT) == date(2027, 1, 7)
    assert parse_date_or_datetime("2027-01-07 10:00", GT) == datetime(2027, 1, 7, 10, tzinfo=GT)
    with pytest.raises(DateProblem, match="no year"):
        parse_date_or_datetime("7 janvier", GT)


def test_wall_time_in_a_dst_gap_moves_forward_and_ambiguous_takes_the_first():
    assert parse_datetime("2026-03-08 02:30", NY).isoformat() == "2026-03-08T03:30:00-04:00"
    assert parse_datetime("2026-11-01 01:30", NY).isoformat() == "2026-11-01T01:30:00-04:00"


def test_time_zones():
    assert timezone_named("America/Guatemala") == GT
    for bad in ("America/Guatemal", "", None, "../etc/passwd"):
        with pytest.raises(DateProblem):
            timezone_named(bad)


@pytest.mark.parametrize(
    "text, minutes",
    [("90m", 90), ("1h30m", 90), ("3h", 180), ("7d", 7 * 1440), ("2w", 14 * 1440), ("PT1H30M", 90), (45, 45)],
)
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["0m", "soon", "", "1x", "-1h", True])
def test_bad_durations(text):
    with pytest.raises(DateProblem):
        parse_duration(text)


def test_format_duration_round_trips():
    for text in ("7d", "1d", "1h", "1h30m", "2d3h"):
        assert format_duration(parse_duration(text)) == text
