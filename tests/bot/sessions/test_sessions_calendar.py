"""The .ics export parses back with icalendar, keeps RRULEs, excludes cancelled occurrences, marks
wholly cancelled sessions STATUS:CANCELLED (the others CONFIRMED) and counts run-time changes in
SEQUENCE."""

import os
import shutil
from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.text.timestamps import discord_timestamp, discord_when
from tests.helpers.sessions import MOD, SHIPPED_SCHEDULE, Clock, open_service, utc, write_schedule


@pytest.fixture
def service(tmp_path):
    path = tmp_path / "sessions.yaml"
    shutil.copy(SHIPPED_SCHEDULE, path)
    return open_service(tmp_path, path, Clock(utc(2026, 11, 29)))


def events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_ics_parses_back_with_recurrence_and_exclusions(service):
    service.cancel("clikc-community-call", MOD, occurrence="2026-12-03")
    service.cancel("webinar-2026-12-risk-analytics", MOD)
    data = service.to_ics(lang="es")
    found = events(data)
    assert set(found) == {
        "clikc-community-call@clikc-bot",
        "webinar-2026-12-risk-analytics@clikc-bot",
        "iot-clinic-2027-02@clikc-bot",
        "blockchain-aeo-2027-03@clikc-bot",
    }  # past workshops need --all; the cancelled webinar stays, marked cancelled
    assert str(found["webinar-2026-12-risk-analytics@clikc-bot"]["STATUS"]) == "CANCELLED"
    call = found["clikc-community-call@clikc-bot"]
    assert str(call["STATUS"]) == "CONFIRMED"  # one cancelled sitting is an EXDATE, not a cancelled series
    assert str(call["SUMMARY"]) == "Llamada mensual de la comunidad CLiKC! Américas y Caribe"
    assert call["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TH"
    start = call.decoded("DTSTART")
    assert start.isoformat() == "2022-02-03T10:00:00-06:00" and str(start.tzinfo) == "America/Guatemala"
    excluded = sorted(d.dt.date() for ex in [call["EXDATE"]] for d in ex.dts)
    assert excluded == [date(2026, 12, 3), date(2027, 1, 7)]
    assert call["URL"] == "https://clikc.wcoomd.org/"
    assert {str(tz["TZID"]) for tz in Calendar.from_ical(data).walk("VTIMEZONE")} >= {"America/Guatemala"}


def test_a_cancelled_session_keeps_its_uid_and_says_it_is_cancelled(service):
    before = events(service.to_ics())["webinar-2026-12-risk-analytics@clikc-bot"]
    assert str(before["STATUS"]) == "CONFIRMED"
    service.cancel("webinar-2026-12-risk-analytics", MOD)
    after = events(service.to_ics())["webinar-2026-12-risk-analytics@clikc-bot"]
    assert str(after["UID"]) == str(before["UID"])  # a calendar updates the event it has
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("DTSTART") == before.decoded("DTSTART")
    assert str(after["SUMMARY"]) == str(before["SUMMARY"])
    service.restore("webinar-2026-12-risk-analytics", MOD)
    restored = events(service.to_ics())["webinar-2026-12-risk-analytics@clikc-bot"]
    assert str(restored["STATUS"]) == "CONFIRMED"  # an update that says it is on again


def sequences(service, **kwargs) -> dict[str, int]:
    return {uid: int(e["SEQUENCE"]) for uid, e in events(service.to_ics(**kwargs)).items()}


WEBINAR = "webinar-2026-12-risk-analytics@clikc-bot"
CALL = "clikc-community-call@clikc-bot"


def test_sequence_is_0_until_a_session_changes_then_goes_up_with_every_change(service):
    untouched = events(service.to_ics(include_past=True))
    assert untouched and {(int(e["SEQUENCE"]), str(e["STATUS"])) for e in untouched.values()} == {
        (0, "CONFIRMED")
    }
    service.edit("webinar-2026-12-risk-analytics", {"start": "2026-12-11 15:00"}, MOD)
    assert sequences(service)[WEBINAR] == 1
    service.cancel("webinar-2026-12-risk-analytics", MOD)
    after_cancel = events(service.to_ics())[WEBINAR]
    assert (int(after_cancel["SEQUENCE"]), str(after_cancel["STATUS"])) == (2, "CANCELLED")
    service.restore("webinar-2026-12-risk-analytics", MOD)
    restored = events(service.to_ics())[WEBINAR]
    assert (int(restored["SEQUENCE"]), str(restored["STATUS"])) == (3, "CONFIRMED")
    others = {uid: n for uid, n in sequences(service, include_past=True).items() if uid != WEBINAR}
    assert set(others.values()) == {0}  # a change bumps only its own session


def test_cancelling_or_restoring_one_occurrence_bumps_the_series(service):
    assert sequences(service)[CALL] == 0
    service.cancel("clikc-community-call", MOD, occurrence="2026-12-03")
    call = events(service.to_ics())[CALL]
    assert int(call["SEQUENCE"]) == 1
    assert date(2026, 12, 3) in {d.dt.date() for d in call["EXDATE"].dts}
    service.restore("clikc-community-call", MOD, occurrence="2026-12-03")
    call = events(service.to_ics())[CALL]
    assert int(call["SEQUENCE"]) == 2
    assert date(2026, 12, 3) not in {d.dt.date() for d in call["EXDATE"].dts}


def test_sequence_of_a_session_added_at_run_time_and_after_a_restart(tmp_path, service):
    service.add(
        {"id": "x", "title": "X", "start": "2027-01-20 10:00", "duration": "1h", "timezone": "America/Lima"},
        MOD,
    )
    assert sequences(service)["x@clikc-bot"] == 0  # adding it is not a revision
    service.edit("x", {"duration": "2h"}, MOD)
    service.cancel("clikc-community-call", MOD, occurrence="2026-12-03")
    restarted = open_service(tmp_path, tmp_path / "sessions.yaml", Clock(utc(2026, 11, 29)))
    found = sequences(restarted)
    assert (found["x@clikc-bot"], found[CALL]) == (1, 1)  # counted from the audit trail, kept in SQLite


def test_re_adding_an_id_removed_from_the_yaml_is_a_revision(tmp_path):
    text = """\
        - id: series
          title: Series
          start: 2026-03-05 09:00
          duration: 1h
          timezone: UTC
          rrule: FREQ=WEEKLY;COUNT=4
        """
    schedule = write_schedule(tmp_path, text)
    service = open_service(tmp_path, schedule, Clock(utc(2026, 3, 1)))
    service.cancel("series", MOD, occurrence="2026-03-12")
    assert sequences(service)["series@clikc-bot"] == 1
    write_schedule(tmp_path, "[]\n")
    os.utime(schedule, ns=(1, 1))  # a different mtime even on coarse clocks
    assert sequences(service) == {}
    again = {
        "id": "series",
        "title": "Again",
        "start": "2026-03-20 09:00",
        "duration": "1h",
        "timezone": "UTC",
    }
    service.add(again, MOD)
    assert sequences(service)["series@clikc-bot"] == 2  # replaces what calendars hold under that UID


def test_a_cancelled_session_that_is_over_is_still_left_out(service):
    service.cancel("ams-2021-disruptive-technologies", MOD)
    service.cancel("iot-clinic-2027-02", MOD)
    found = events(service.to_ics())
    assert "ams-2021-disruptive-technologies@clikc-bot" not in found  # over: like any past session
    assert str(found["iot-clinic-2027-02@clikc-bot"]["STATUS"]) == "CANCELLED"
    everything = events(service.to_ics(include_past=True))  # --all: past ones too, cancelled or not
    assert str(everything["ams-2021-disruptive-technologies@clikc-bot"]["STATUS"]) == "CANCELLED"


def test_a_calendar_expands_the_export_to_the_same_occurrences_as_the_bot(service):
    call = events(service.to_ics())["clikc-community-call@clikc-bot"]
    start = call.decoded("DTSTART")
    rule = rrulestr(call["RRULE"].to_ical().decode(), dtstart=start)
    excluded = {d.dt for d in call["EXDATE"].dts}
    from_ics = [d for d in rule.between(utc(2026, 11, 29), utc(2027, 6, 1)) if d not in excluded]
    from_bot = [
        o.start for o in service.get("clikc-community-call").occurrences(utc(2026, 11, 29), utc(2027, 6, 1))
    ]
    assert [d.astimezone(UTC) for d in from_ics] == [d.astimezone(UTC) for d in from_bot]


def test_all_includes_past_sessions_and_until_is_written_in_utc(tmp_path):
    schedule = write_schedule(
        tmp_path,
        """\
        - id: series
          title: Series
          start: 2026-03-05 09:00
          duration: 1h
          timezone: America/New_York
          rrule: FREQ=WEEKLY;UNTIL=20260326
        - id: old
          title: Old
          start: 2020-01-01 09:00
          duration: 1h
          timezone: UTC
        """,
    )
    service = open_service(tmp_path, schedule, Clock(utc(2026, 3, 1)))
    found = events(service.to_ics(include_past=True))
    assert set(found) == {"series@clikc-bot", "old@clikc-bot"}
    assert found["series@clikc-bot"]["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260327T035959Z"
    assert set(events(service.to_ics())) == {"series@clikc-bot"}


def test_export_of_an_empty_schedule_is_still_a_calendar(tmp_path):
    service = open_service(tmp_path, write_schedule(tmp_path, "[]\n"), Clock(utc(2026, 3, 1)))
    assert events(service.to_ics()) == {}


def test_discord_timestamps():
    moment = utc(2026, 12, 3, 16)
    assert discord_timestamp(moment) == "<t:1796313600:F>"
    assert discord_timestamp(moment, "R") == "<t:1796313600:R>"
    assert discord_when(moment) == "<t:1796313600:F> (<t:1796313600:R>)"
    occurrence = moment.astimezone(ZoneInfo("America/Guatemala"))
    assert discord_timestamp(occurrence) == "<t:1796313600:F>"  # same instant, whatever the zone
    with pytest.raises(ValueError, match="timezone-aware"):
        discord_timestamp(moment.replace(tzinfo=None))
    with pytest.raises(ValueError, match="unknown Discord timestamp style"):
        discord_timestamp(moment, "x")
