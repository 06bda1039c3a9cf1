"""Personal session reminders: opt in and out, one message per lead time, none for a cancelled or
moved sitting; and the "add to Google Calendar" link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.sessions.event_links import google_calendar_url, session_ics
from bot.sessions.reminders import ReminderService, SessionOver
from tests.helpers.sessions import MOD, Clock, open_service, utc, write_schedule

SCHEDULE = """\
- id: iot-webinar
  title: {en: "Webinar: IoT seals", es: "Webinario: precintos IoT"}
  description: {en: "Pilots in Central America."}
  start: 2026-03-10 15:00
  duration: 1h
  timezone: America/Mexico_City
  link: https://example.org/iot
- id: weekly-call
  title: {en: "Community call"}
  start: 2026-03-05 10:00
  duration: 30m
  timezone: America/Bogota
  rrule: FREQ=WEEKLY;COUNT=4
"""
START = utc(2026, 3, 10, 21, 0)  # 15:00 in Mexico City


@pytest.fixture
def clock():
    return Clock(START - timedelta(days=8))


@pytest.fixture
def sessions(tmp_path, clock):
    return open_service(tmp_path, write_schedule(tmp_path, SCHEDULE), clock)


def reminders_for(sessions, clock) -> ReminderService:
    return ReminderService(sessions.db, sessions.get, lambda: sessions.lead_times, clock)


@pytest.fixture
def reminders(sessions, clock):
    return reminders_for(sessions, clock)


def sent_now(reminders) -> list[tuple[str, str, str]]:
    due = reminders.due()
    for r in due:
        reminders.mark_sent(r)
    return [(r.member_id, r.occurrence.session.id, r.lead.label) for r in due]


def test_opt_in_then_out_with_the_same_button(reminders):
    assert reminders.toggle("iot-webinar", START, 7, lang="es") is True
    assert reminders.is_interested("iot-webinar", START, "7")
    assert reminders.toggle("iot-webinar", START, 7) is False
    assert not reminders.is_interested("iot-webinar", START, 7)


def test_one_reminder_per_lead_time_in_the_members_language(reminders, clock):
    reminders.toggle("iot-webinar", START, 7, lang="es")
    reminders.toggle("iot-webinar", START, 8)
    assert sent_now(reminders) == []  # 8 days before: no lead time reached
    clock.now = START - timedelta(days=6)
    assert reminders.due()[0].lang == "es"
    assert sent_now(reminders) == [("7", "iot-webinar", "7d"), ("8", "iot-webinar", "7d")]
    assert sent_now(reminders) == [], "not again the next minute"
    clock.now = START - timedelta(hours=20)
    assert sent_now(reminders) == [("7", "iot-webinar", "1d"), ("8", "iot-webinar", "1d")]
    clock.now = START - timedelta(minutes=30)
    assert sent_now(reminders) == [("7", "iot-webinar", "1h"), ("8", "iot-webinar", "1h")]
    clock.now = START + timedelta(minutes=1)
    assert sent_now(reminders) == []


def test_only_lead_times_after_the_opt_in_count_and_after_downtime_only_the_latest(reminders, clock):
    clock.now = START - timedelta(days=6, hours=23)  # pressed on the 7-day announcement
    reminders.toggle("iot-webinar", START, 9)
    assert sent_now(reminders) == [], "no 7-day DM a second after the 7-day announcement"
    clock.now = START - timedelta(minutes=50)  # the bot was down through the 1-day moment
    assert sent_now(reminders) == [("9", "iot-webinar", "1h")]
    assert sent_now(reminders) == []
    reminders.toggle("iot-webinar", START, 10)  # every moment has passed: nothing left to remind of
    assert sent_now(reminders) == []


def test_the_sent_record_survives_a_restart(tmp_path, sessions, clock):
    first = reminders_for(sessions, clock)
    first.toggle("iot-webinar", START, 7)
    clock.now = START - timedelta(days=6)
    assert len(sent_now(first)) == 1
    again = reminders_for(open_service(tmp_path, write_schedule(tmp_path, SCHEDULE), clock), clock)
    assert sent_now(again) == []


def test_no_reminder_for_a_cancelled_or_moved_sitting(reminders, sessions, clock):
    reminders.toggle("iot-webinar", START, 7)
    sessions.edit("iot-webinar", {"start": "2026-03-11 15:00"}, MOD)  # moved: the channel says so
    clock.now = START - timedelta(days=6)
    assert sent_now(reminders) == []
    with pytest.raises(SessionOver):
        reminders.toggle("iot-webinar", START, 8)  # the old time is no longer a sitting
    assert reminders.toggle("iot-webinar", START, 7) is False, "opting out always works"


def test_each_sitting_of_a_recurring_session_is_its_own_choice(reminders, clock):
    second = utc(2026, 3, 12, 15, 0)  # 10:00 in Bogotá, the second weekly call
    assert reminders.toggle("weekly-call", second, 7) is True
    assert not reminders.is_interested("weekly-call", utc(2026, 3, 5, 15, 0), 7)
    with pytest.raises(SessionOver):
        reminders.toggle("weekly-call", utc(2026, 3, 12, 16, 0), 7)  # not a sitting
    clock.now = utc(2026, 3, 12, 14, 30)
    assert sent_now(reminders) == [("7", "weekly-call", "1h")]


def test_over_or_unknown_sittings_are_refused(reminders, clock):
    with pytest.raises(SessionOver):
        reminders.toggle("no-such-session", START, 7)
    clock.now = START + timedelta(minutes=5)
    with pytest.raises(SessionOver):
        reminders.toggle("iot-webinar", START, 7)


def test_forget_removes_a_members_interest(reminders):
    reminders.toggle("iot-webinar", START, 7)
    assert reminders.forget(7) == 1
    assert not reminders.is_interested("iot-webinar", START, 7)


def test_google_calendar_link_and_ics(reminders, sessions, clock):
    occ = reminders.occurrence("iot-webinar", START)
    url = google_calendar_url(occ, "es")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Webinario: precintos IoT"]
    assert query["dates"] == ["20260310T210000Z/20260310T220000Z"]
    assert query["location"] == ["https://example.org/iot"] and query["ctz"] == ["America/Mexico_City"]
    assert "Pilots in Central America." in query["details"][0]
    short = google_calendar_url(occ, "en", limit=230)
    assert len(short) <= 230 and "dates=" in short
    ics = session_ics(occ, clock(), "en", sessions.revisions()).decode()
    assert ics.count("BEGIN:VEVENT") == 1 and "SUMMARY:Webinar: IoT seals" in ics
