"""The schedule file: the shipped sample, recurrence across DST, and one clear line per bad field."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError
from bot.sessions.schedule import SessionError, load_schedule, parse_session
from tests.helpers.sessions import SHIPPED_SCHEDULE, utc, write_schedule

BASE = {
    "id": "call",
    "title": "Call",
    "start": "2026-03-05 10:00",
    "duration": "1h",
    "timezone": "America/New_York",
}


def test_shipped_schedule_is_valid_and_has_the_esa_wca_workshop():
    sessions = {s.id: s for s in load_schedule(SHIPPED_SCHEDULE)}
    esa = sessions["esa-wca-2022-disruptive-technologies"]
    days = [o.start for o in esa.all_occurrences()]
    assert [d.date() for d in days] == [date(2022, 1, 17), date(2022, 1, 18), date(2022, 1, 19)]
    assert "Afrique orientale et australe" in esa.title("fr")
    assert esa.title("es").startswith("Taller regional")
    call = sessions["clikc-community-call"]
    assert call.rrule == "FREQ=MONTHLY;BYDAY=1TH" and call.last_end() is None
    # human dates in the shipped file: "25 de noviembre de 2021 10:00", "17 janvier 2022 12:00"
    assert sessions["ams-2021-disruptive-technologies"].start.isoformat() == "2021-11-25T10:00:00-06:00"
    assert esa.start.isoformat() == "2022-01-17T12:00:00+01:00"


def test_title_language_fallback():
    session = parse_session({**BASE, "title": {"es": "Llamada", "en": "Call", "fr": "Appel"}})
    assert session.title("fr") == "Appel"
    assert session.title("pt") == "Call"  # English next
    only_es = parse_session({**BASE, "title": {"es": "Llamada"}})
    assert only_es.title("pt") == "Llamada"  # then whatever there is
    assert parse_session(BASE).title("es") == "Call"  # a plain string serves every language


def test_weekly_recurrence_keeps_local_wall_time_across_dst():
    session = parse_session({**BASE, "rrule": "FREQ=WEEKLY;COUNT=3"})  # DST starts 2026-03-08 in New York
    starts = [o.start for o in session.all_occurrences()]
    assert [s.strftime("%H:%M") for s in starts] == ["10:00", "10:00", "10:00"]
    assert [s.astimezone(UTC).hour for s in starts] == [15, 14, 14]
    assert starts[1].astimezone(UTC) - starts[0].astimezone(UTC) == timedelta(days=7) - timedelta(hours=1)


def test_european_dst_in_autumn():
    session = parse_session(
        {**BASE, "timezone": "Europe/Brussels", "start": "2026-10-19 12:00", "rrule": "FREQ=WEEKLY;COUNT=2"}
    )
    starts = [o.start.astimezone(UTC) for o in session.all_occurrences()]
    assert starts == [utc(2026, 10, 19, 10), utc(2026, 10, 26, 11)]


def test_monthly_rule_exdates_and_until_in_utc():
    session = parse_session(
        {
            **BASE,
            "start": "2026-01-01 10:00",
            "timezone": "America/Guatemala",
            "rrule": "RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL=20260601T000000Z",
            "exdates": ["2026-02-05", "2026-04-02 10:00"],
        }
    )
    days = [o.start.date() for o in session.all_occurrences()]
    assert days == [date(2026, 1, 1), date(2026, 3, 5), date(2026, 5, 7)]
    assert session.last_end() == datetime(2026, 5, 7, 11, tzinfo=ZoneInfo("America/Guatemala"))


def test_occurrence_window_and_next():
    session = parse_session({**BASE, "rrule": "FREQ=DAILY"})
    window = list(session.occurrences(utc(2026, 4, 1), utc(2026, 4, 4)))
    assert [o.start.day for o in window] == [1, 2, 3]
    ongoing = next(session.next_occurrences(utc(2026, 4, 1, 14, 30)))  # 10:00-11:00 EDT = 14:00-15:00Z
    assert ongoing.start.day == 1


def test_end_as_bare_time_or_full_datetime():
    a = parse_session({**{k: v for k, v in BASE.items() if k != "duration"}, "end": "12:30"})
    assert a.duration == timedelta(hours=2, minutes=30)
    b = parse_session({**{k: v for k, v in BASE.items() if k != "duration"}, "end": "6 mars 2026 10:00"})
    assert b.duration == timedelta(days=1)


# -- bad input: one line per problem naming file, session and field ----------------------------------


def problems_for(tmp_path, body: str) -> list[str]:
    path = write_schedule(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_schedule(path)
    return info.value.problems


GOOD = """\
- id: call
  title: Call
  start: 2026-03-05 10:00
  duration: 1h
  timezone: America/Guatemala
"""


@pytest.mark.parametrize(
    "replace, field, message",
    [
        (("timezone: America/Guatemala", "timezone: America/Guatemal"), "timezone", "unknown time zone"),
        (("duration: 1h", "end: 2026-03-05 09:00"), "end", "is not after start"),
        (("duration: 1h", "duration: 1h\n  rrule: FREQ=FORTNIGHTLY"), "rrule", "FREQ must be one of"),
        (("duration: 1h", "duration: 1h\n  rrule: FREQ=MONTHLY;BYDAY=9TH"), "rrule", "invalid rule"),
        (("duration: 1h", "duration: 1h\n  rrule: FREQ=MONTHLY;BOGUS=1"), "rrule", "invalid rule"),
        (("duration: 1h", "duration: 1h\n  rrule: every month"), "rrule", "invalid rule"),
        (("duration: 1h", "duration: 1h\n  rrule: FREQ=HOURLY"), "rrule", "FREQ must be one of"),
        (
            ("duration: 1h", "duration: 1h\n  rrule: FREQ=DAILY;UNTIL=20200101T000000Z"),
            "rrule",
            "no occurrences",
        ),
        (
            ("duration: 1h", "duration: 1h\n  rrule: FREQ=MONTHLY;BYDAY=1MO"),
            "start",
            "not itself an occurrence",
        ),
        (("  title: Call\n", ""), "title", "missing"),
        (("  start: 2026-03-05 10:00\n", ""), "start", "missing"),
        (("start: 2026-03-05 10:00", "start: el jueves que viene"), "start", "cannot read"),
        (("start: 2026-03-05 10:00", "start: 2026-03-05"), "start", "no time of day"),
        (("duration: 1h", "duration: forever"), "duration", "cannot read"),
        (("  duration: 1h\n", ""), "end", "missing"),
        (("duration: 1h", "duration: 1h\n  end: 11:30"), "end", "either end or duration"),
        (
            ("duration: 1h", "duration: 1h\n  rrule: FREQ=DAILY\n  exdates: [2026-03-05 11:00]"),
            "exdates",
            "not an occurrence",
        ),
        (("duration: 1h", "duration: 1h\n  exdates: [2026-03-05]"), "exdates", "only a recurring session"),
        (("duration: 1h", "duration: 1h\n  languages: [es, de]"), "languages", "unsupported de"),
        (("duration: 1h", "duration: 1h\n  link: clikc dot org"), "link", "not a web address"),
        (("duration: 1h", "duration: 1h\n  strat: 2026-03-05 10:00"), "strat", "unknown field"),
        (("title: Call", "title: {es: Llamada, de: Anruf}"), "title", "unsupported language"),
        (("id: call", "id: call with spaces"), "id", "must be up to 64"),
    ],
)
def test_each_bad_field_is_named_with_file_and_session(tmp_path, replace, field, message):
    problems = problems_for(tmp_path, GOOD.replace(*replace))
    assert len(problems) == 1, problems
    (line,) = problems
    session = "call with spaces" if field == "id" else "call"
    assert line.startswith(f"{tmp_path / 'sessions.yaml'}: session {session}: {field}: "), line
    assert message in line


def test_missing_id_is_named_by_position(tmp_path):
    problems = problems_for(tmp_path, GOOD + GOOD.replace("- id: call\n  title", "- title"))
    assert problems == [
        f"{tmp_path / 'sessions.yaml'}: session #2: id: missing; give a short name such as "
        "community-call-2022"
    ]


def test_duplicate_ids(tmp_path):
    problems = problems_for(tmp_path, GOOD + GOOD)
    assert problems == [f"{tmp_path / 'sessions.yaml'}: session call: id: duplicate id (also session #1)"]


def test_every_problem_of_the_file_is_reported_at_once(tmp_path):
    body = GOOD.replace("America/Guatemala", "Mars/Olympus") + GOOD.replace("id: call", "id: b").replace(
        "duration: 1h", "duration: never"
    )
    problems = problems_for(tmp_path, body)
    assert [p.split(": ")[1:3] for p in problems] == [["session call", "timezone"], ["session b", "duration"]]


def test_unquoted_time_read_by_yaml_as_a_number(tmp_path):
    (line,) = problems_for(tmp_path, GOOD.replace("duration: 1h", "end: 11:30"))
    assert "session call: end: got the number 690; put dates and times in quotes" in line


def test_file_level_problems(tmp_path):
    assert problems_for(tmp_path, "id: call\n")[0].endswith(
        "expected a list of sessions (or `sessions:` followed by a list)"
    )
    assert "invalid YAML" in problems_for(tmp_path, "- id: [unclosed\n")[0]
    with pytest.raises(ConfigError, match="file not found"):
        load_schedule(tmp_path / "missing.yaml")
    assert "expected a mapping of fields" in problems_for(tmp_path, "- just text\n")[0]


def test_sessions_key_and_empty_file(tmp_path):
    assert [s.id for s in load_schedule(write_schedule(tmp_path, "sessions:\n" + GOOD))] == ["call"]
    assert load_schedule(write_schedule(tmp_path, "")) == []


def test_run_time_messages_have_no_file_prefix():
    with pytest.raises(SessionError) as info:
        parse_session({**BASE, "timezone": "Nowhere/Land"})
    assert (
        str(info.value) == "session call: timezone: unknown time zone 'Nowhere/Land'; "
        "use an IANA name such as America/Guatemala"
    )
