"""Schedules without bounds (issue 18, item 9) and unknown filter values: every hostile value is one
clear line and a non-zero exit, found in one round, with bounded work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sessions.schedule import MAX_OCCURRENCES, MAX_PER_YEAR, SessionError, parse_session
from tests.helpers.sessions import cli_runner

EVERY_MINUTE = "FREQ=DAILY;BYHOUR={};BYMINUTE={}".format(
    ",".join(map(str, range(24))), ",".join(map(str, range(60)))
)


def session(**fields: object) -> dict:
    base = {"id": "s", "title": "S", "start": "2016-01-01 00:00", "duration": "1m", "timezone": "UTC"}
    return {**base, **fields}


def problems(**fields: object) -> list[str]:
    with pytest.raises(SessionError) as caught:
        parse_session(session(**fields))
    return caught.value.problems


def test_a_rule_of_every_minute_is_refused_by_counting_one_year():
    (line,) = problems(rrule=EVERY_MINUTE)
    assert f"more than {MAX_PER_YEAR} occurrences a year" in line


def test_a_bounded_rule_past_the_cap_is_refused():
    (line,) = problems(rrule="FREQ=DAILY;BYHOUR=0,6,12,18;UNTIL=20300101T000000Z")
    assert f"more than {MAX_OCCURRENCES} occurrences before its UNTIL" in line
    (line,) = problems(rrule=f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}")
    assert f"COUNT={MAX_OCCURRENCES + 1} is outside 1..{MAX_OCCURRENCES}" in line
    assert parse_session(session(rrule=f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}")).last_end() is not None


@pytest.mark.parametrize(
    "rule, message",
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31", "never happens"),
        # not caught by the month/day check: found by the bounded search (400-800 years, not 8,000)
        ("FREQ=DAILY;BYYEARDAY=366;BYMONTH=1", "produces no occurrences"),
    ],
)
def test_a_rule_that_never_matches_is_refused(rule, message):
    (line,) = problems(rrule=rule, start="2016-02-01 00:00")
    assert message in line


@pytest.mark.parametrize(
    "rule, message",
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0 is outside 1..1000"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24 is outside 0..23"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 is outside 1..12"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0 is outside -31..31"),
        ("FREQ=MONTHLY;BYSETPOS=99999", "BYSETPOS=99999 is outside -366..366"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY value 'XX' must be a weekday"),
        ("FREQ=WEEKLY;WKST=XX", "WKST must be one of"),
        ("FREQ=DAILY;BYHOUR=0..23", "BYHOUR must be whole numbers"),
        ("FREQ=DAILY;FOO=1", "unknown part FOO"),
        ("FREQ=DAILY;UNTIL=99991231", "UNTIL 99991231 is outside the years 1970–2200"),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL must look like"),
    ],
)
def test_every_rule_part_is_range_checked(rule, message):
    (line,) = problems(rrule=rule)
    assert message in line


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"duration": "999999999w"}, "duration: duration '999999999w' is longer than 3660 days"),
        ({"duration": 10**30}, "longer than 3660 days"),
        ({"start": "9999-12-31 23:00"}, "start: 9999-12-31 23:00 is outside the years 1970–2200"),
        ({"start": "0001-01-01 00:00"}, "outside the years"),
        ({"start": "2026-01-01 10:00+25:00"}, "start: cannot read"),
        ({"duration": None, "end": "9999-12-31 23:00"}, "end: 9999-12-31 23:00 is outside the years"),
        ({"rrule": "FREQ=DAILY", "exdates": ["9999-01-01"]}, "exdates: 9999-01-01 is outside the years"),
    ],
)
def test_dates_and_durations_are_range_checked(fields, message):
    lines = problems(**fields)
    assert len(lines) == 1 and message in lines[0], lines


@pytest.fixture
def cli(tmp_path: Path, capsys):
    return cli_runner(tmp_path, capsys)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--now", "2026-01-01T00:00+25:00"), "--now: cannot read 2026-01-01T00:00+25:00 as a date and time"),
        (("--now", "9999-12-31"), "--now: 9999-12-31 is outside the years 1970–2200"),
        (("--since", "2026-01-01 10:00+25:00"), "--since: cannot read"),
        (("--until", "2026-13-45"), "--until: cannot read '2026-13-45' as a date"),
        (
            ("--since", "2026-12-01", "--until", "2026-11-01"),
            "--until (2026-11-01T00:00:00+00:00) must be after",
        ),
        (("--ics", "-", "--now", "99999"), "--now:"),
    ],
)
def test_bad_moments_on_the_command_line_are_one_line(cli, args, message):
    code, out, err = cli("sessions", *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_sessions_since_until_lists_a_window(cli):
    code, out, _ = cli("sessions", "--json", "--since", "2026-12-01", "--until", "2027-03-01")
    assert code == 0
    assert [(i["id"], i["start"][:10]) for i in json.loads(out)] == [
        ("clikc-community-call", "2026-12-03"),
        ("webinar-2026-12-risk-analytics", "2026-12-10"),
        ("clikc-community-call", "2027-02-04"),  # 2027-01-07 is excluded
        ("iot-clinic-2027-02", "2027-02-17"),
    ]


def test_config_check_reports_a_duplicate_and_a_bad_date_in_one_round(cli):
    path = cli.config_dir / "sessions.yaml"
    text = path.read_text(encoding="utf-8")
    copy = text[text.index("- id: blockchain-aeo-2027-03") :]
    text = text.replace("start: 2027-03-18 09:00", "start: 2027-03-18 09:00 +25:00")
    path.write_text(text + copy.replace("rrule", "#"), encoding="utf-8")
    code, out, err = cli("config", "check")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert any("session blockchain-aeo-2027-03: start: cannot read" in line for line in lines), lines
    assert any("session blockchain-aeo-2027-03: id: duplicate id (also session #6)" in line for line in lines)


def test_config_check_refuses_an_unbounded_rule(cli):
    path = cli.config_dir / "sessions.yaml"
    text = path.read_text(encoding="utf-8").replace("FREQ=MONTHLY;BYDAY=1TH", EVERY_MINUTE)
    path.write_text(text.replace("exdates: [2027-01-07]", ""), encoding="utf-8")
    code, _, err = cli("config", "check")
    assert code == 2 and f"more than {MAX_PER_YEAR} occurrences a year" in err
    assert cli("sessions", "--all", "--limit", "3")[0] == 2  # start-up refuses it too: no expansion


def test_ask_with_an_unknown_country_names_the_known_ones(cli):
    code, out, err = cli("ask", "precintos", "--country", "Narnia")
    assert code == 2 and out == ""
    assert err.startswith("clikc-bot: unknown country 'Narnia': give a code or a name of AE, AG, AR")
    assert "PE" in err and len(err.splitlines()) == 1
    assert cli("ask", "precintos", "--country", "Perú")[0] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("--since", "2022-01-01T00:00+25:00"), "--since: '2022-01-01T00:00+25:00' has an offset outside"),
        (("--until", "9999-01-01"), "--until: '9999-01-01' is outside the years 1970–2200"),
    ],
)
def test_ask_refuses_bad_filter_values_in_one_line(cli, args, message):
    code, out, err = cli("ask", "precintos", *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_ask_with_an_unknown_technology_names_the_known_ones(cli, capsys):
    with pytest.raises(SystemExit) as stopped:  # argparse's choices: usage line, then the error
        cli("ask", "precintos", "--technology", "quantum")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'quantum' (choose from 'blockchain', 'iot', 'analytics')" in err
