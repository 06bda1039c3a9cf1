"""Exported calendars read back by readers nobody here wrote, occurrence by occurrence.

`sessions --ics` is read with recurring-ical-events and with `ical` (a separate, strict RFC 5545
parser and expander) over a year that crosses both DST changes, for the shipped schedule and for
schedules built here around the cases readers got wrong: an occurrence across a DST change, a
time in the fall-back night, a date-only UNTIL, exclusions, run-time cancellations. Both must list
exactly what `sessions --json` lists: id, start and end instants, title, status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar

from tests.helpers.sessions import PROJECT, cli_runner

ical_stream = pytest.importorskip("ical.calendar_stream")

# A year crossing both DST changes of North America, Europe and (until 2019) Brazil.
WINDOW = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")

TEST_SCHEDULE = """\
- id: fall-back-night
  title: {en: "Fall-back night", es: "Noche del cambio de hora"}
  start: 2026-11-01 01:30
  duration: 1h
  timezone: America/New_York
- id: nightly-across-fall-back
  title: Nightly across the fall-back night
  start: 2026-10-29 01:30
  duration: 1h
  timezone: America/New_York
  rrule: FREQ=DAILY;COUNT=6
- id: spring-gap
  title: In the spring-forward gap
  start: 2026-03-06 02:30
  duration: 45m
  timezone: America/New_York
  rrule: FREQ=DAILY;COUNT=4
- id: until-a-date
  title: Daily until a date
  start: 2026-06-01 10:00
  duration: 1h
  timezone: America/Bogota
  rrule: FREQ=DAILY;UNTIL=20260603
- id: weekly-brussels
  title: {en: Weekly in Brussels, fr: Hebdomadaire à Bruxelles}
  description: Across both European DST changes, with an exclusion and a cancelled sitting
  start: 2026-01-05 18:00
  duration: 90m
  timezone: Europe/Brussels
  region: EU
  link: https://example.org/weekly
  rrule: FREQ=WEEKLY;BYDAY=MO
  exdates: [2026-04-06]
- id: overnight-spring
  title: Overnight across spring-forward
  start: 2026-03-28 23:00
  duration: 4h
  timezone: Europe/Brussels
- id: monthly-utc-until
  title: Monthly until a UTC moment
  start: 2026-01-15 09:00
  duration: 2h
  timezone: America/Toronto
  rrule: FREQ=MONTHLY;UNTIL=20261215T140000Z
- id: called-off
  title: Called off
  start: 2026-05-20 16:00
  duration: 1h
  timezone: America/Sao_Paulo
"""


def make_cli(tmp_path: Path, schedule: str | None, capsys):
    """The CLI on `schedule` (None: the shipped one); every command must succeed."""
    runner = cli_runner(tmp_path, capsys, schedule)

    def run(*args: str) -> str:
        code, out, err = runner(*args)
        assert code == 0, err
        return out

    return run


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected(items: list[dict], wholly_cancelled: set[str]) -> list[tuple]:
    """What a reader must show: every occurrence but those cancelled one by one (EXDATEs); those
    of a wholly cancelled session are there, marked CANCELLED."""
    return sorted(
        (
            i["id"],
            utc_text(datetime.fromisoformat(i["start"])),
            utc_text(datetime.fromisoformat(i["end"])),
            i["title"],
            "CANCELLED" if i["cancelled"] else "CONFIRMED",
        )
        for i in items
        if not i["cancelled"] or i["id"] in wholly_cancelled
    )


def read_with_recurring_ical_events(data: bytes) -> list[tuple]:
    cal = Calendar.from_ical(data)
    since, until = (datetime.fromisoformat(w) for w in WINDOW)
    return sorted(
        (
            str(e["UID"]).removesuffix("@clikc-bot"),
            utc_text(e["DTSTART"].dt),
            utc_text(e["DTEND"].dt),
            str(e["SUMMARY"]),
            str(e["STATUS"]),
        )
        for e in recurring_ical_events.of(cal).between(since, until)
    )


def read_with_ical(data: bytes) -> list[tuple]:
    cal = ical_stream.IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))  # strict: raises if invalid
    since, until = (datetime.fromisoformat(w) for w in WINDOW)
    return sorted(
        (
            e.uid.removesuffix("@clikc-bot"),
            utc_text(e.start),
            utc_text(e.end),
            e.summary,
            str(e.status.value),
        )
        for e in cal.timeline_tz(UTC).overlapping(since, until)
    )


def export_and_list(run, tmp_path: Path, now: str, lang: str) -> tuple[bytes, list[dict]]:
    ics = tmp_path / f"export-{lang}.ics"
    run("sessions", "--all", "--now", now, "--lang", lang, "--ics", str(ics))
    listed = json.loads(
        run(
            "sessions",
            "--all",
            "--json",
            "--now",
            now,
            "--lang",
            lang,
            "--since",
            WINDOW[0],
            "--until",
            WINDOW[1],
        )
    )
    return ics.read_bytes(), listed


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_readers_agree_with_the_bot_on_the_test_schedule(tmp_path, capsys, lang):
    run = make_cli(tmp_path, TEST_SCHEDULE, capsys)
    run("session", "cancel", "weekly-brussels", "--occurrence", "2026-10-26", "--as", "ana")
    run("session", "cancel", "nightly-across-fall-back", "--occurrence", "2026-10-30", "--as", "ana")
    run("session", "cancel", "called-off", "--as", "ana")
    data, listed = export_and_list(run, tmp_path, "2026-01-01", lang)
    want = expected(listed, {"called-off"})
    ids = {row[0] for row in want}
    assert ids == {
        "fall-back-night",
        "nightly-across-fall-back",
        "spring-gap",
        "until-a-date",
        "weekly-brussels",
        "overnight-spring",
        "monthly-utc-until",
        "called-off",
    }
    assert read_with_recurring_ical_events(data) == want
    assert read_with_ical(data) == want


def test_the_cases_readers_got_wrong_are_right(tmp_path, capsys):
    run = make_cli(tmp_path, TEST_SCHEDULE, capsys)
    data, listed = export_and_list(run, tmp_path, "2026-01-01", "en")
    rows = read_with_recurring_ical_events(data)
    # 01:30 EDT + 1 h is 01:30 EST: one hour, not zero (DTSTART = DTEND as local times)
    assert ("fall-back-night", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z") in [r[:3] for r in rows]
    # the nightly sitting across the change lasts one hour too, not two
    assert ("nightly-across-fall-back", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z") in [
        r[:3] for r in rows
    ]
    # a date-only UNTIL keeps its day, in the listing and in every reader
    until_days = [r[1][:10] for r in rows if r[0] == "until-a-date"]
    assert until_days == ["2026-06-01", "2026-06-02", "2026-06-03"]
    assert [i["start"][:10] for i in listed if i["id"] == "until-a-date"] == until_days
    assert b"RRULE:FREQ=DAILY;UNTIL=20260604T045959Z" in data


def test_readers_agree_with_the_bot_on_the_shipped_schedule(tmp_path, capsys):
    run = make_cli(tmp_path, None, capsys)
    for now in ("2026-01-01", "2027-04-01"):  # 2027-04-01: only the open-ended call is left
        data, listed = export_and_list(run, tmp_path, now, "es")
        want = expected(listed, set())
        assert want and read_with_recurring_ical_events(data) == want
        assert read_with_ical(data) == want
    upcoming = tmp_path / "upcoming.ics"
    run("sessions", "--now", "2027-04-01", "--ics", str(upcoming))  # was a TypeError
    events = Calendar.from_ical(upcoming.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["clikc-community-call@clikc-bot"]


def test_an_empty_export_is_a_valid_calendar(tmp_path, capsys):
    run = make_cli(tmp_path, "[]\n", capsys)
    path = tmp_path / "empty.ics"
    run("sessions", "--now", "2026-01-01", "--ics", str(path))
    cal = Calendar.from_ical(path.read_bytes())
    assert cal.walk("VEVENT") == [] and len(cal.subcomponents) >= 1  # RFC 5545: at least one component
    assert read_with_recurring_ical_events(path.read_bytes()) == []
    assert read_with_ical(path.read_bytes()) == []


def test_exports_are_byte_identical_across_processes(tmp_path):
    """Hash seeds change set order between runs: the bytes must not follow it."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "sessions.yaml").write_text(TEST_SCHEDULE, encoding="utf-8")
    (config_dir / "clikc.yaml").write_text("sessions: sessions.yaml\n", encoding="utf-8")
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(config_dir / "clikc.yaml"),
                "--data-dir",
                str(tmp_path / "var"),
                "sessions",
                "--all",
                "--now",
                "2026-05-01",
                "--ics",
                "-",
            ],
            capture_output=True,
            env=env,
            cwd=PROJECT,
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout)
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]
    zones = [c["TZID"] for c in Calendar.from_ical(outputs[0]).walk("VTIMEZONE")]
    assert zones == sorted(zones) and len(zones) == 5
