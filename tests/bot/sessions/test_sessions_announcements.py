"""The announcement planner, driven by an injected clock through weeks of schedule in milliseconds."""

from datetime import timedelta

import pytest

from bot.config import ConfigError
from bot.sessions.announcements import CANCELLED, MOVED, REMINDER, latest_lead_reached, parse_lead_times
from tests.helpers.sessions import MOD, Clock, open_service, utc, write_schedule

ONE_OFF = """\
- id: webinar
  title: {en: Webinar, es: Webinario}
  start: 2026-12-10 15:00
  duration: 90m
  timezone: America/Mexico_City
"""
START = utc(2026, 12, 10, 21)  # 15:00 in Mexico City

WEEKLY_NY = """\
- id: weekly
  title: Weekly
  start: 2026-02-26 09:00
  duration: 1h
  timezone: America/New_York
  rrule: FREQ=WEEKLY;COUNT=4
"""

MONTHLY = """\
- id: call
  title: Call
  start: 2026-10-01 10:00
  duration: 1h
  timezone: America/Guatemala
  rrule: FREQ=MONTHLY;BYDAY=1TH
  exdates: [2026-12-03]
"""

MAX_STEP = timedelta(hours=6)


def run(service, clock, until, max_step=MAX_STEP):
    """Drive the bot's loop: post (and record) whatever is due, then sleep until the next reminder is
    due, waking at least every `max_step`. Returns (posted at, item) pairs."""
    posted = []
    while clock.now < until:
        for item in service.due_announcements():
            posted.append((clock.now, item))
            assert service.mark_announced(item)
        wake = service.next_announcement_at()
        clock.now = min(wake or until, clock.now + max_step, until)
    return posted


def summary(posted):
    return [
        (at, item.kind, item.session.id, item.start, item.lead.label if item.lead else None)
        for at, item in posted
    ]


def test_each_lead_time_is_posted_once_at_its_moment(tmp_path):
    clock = Clock(utc(2026, 11, 25))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    posted = run(service, clock, utc(2026, 12, 15))
    assert summary(posted) == [
        (START - timedelta(days=7), REMINDER, "webinar", START, "7d"),
        (START - timedelta(days=1), REMINDER, "webinar", START, "1d"),
        (START - timedelta(hours=1), REMINDER, "webinar", START, "1h"),
    ]
    item = posted[0][1]
    assert (
        item.start.isoformat() == "2026-12-10T15:00:00-06:00"
        and item.end.isoformat() == "2026-12-10T16:30:00-06:00"
    )
    assert item.to_json("es")["title"] == "Webinario"


def test_restart_posts_nothing_twice(tmp_path):
    schedule = write_schedule(tmp_path, ONE_OFF)
    clock = Clock(utc(2026, 12, 3, 20))
    first = run(open_service(tmp_path, schedule, clock), clock, utc(2026, 12, 3, 22))
    assert [i.lead.label for _, i in first] == ["7d"]
    again = open_service(tmp_path, schedule, clock)  # a new process on the same database
    assert again.due_announcements() == []
    rest = run(again, clock, utc(2026, 12, 11))
    assert [i.lead.label for _, i in rest] == ["1d", "1h"]


def test_marking_twice_is_refused(tmp_path):
    clock = Clock(START - timedelta(hours=1))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    (item,) = service.due_announcements()
    assert service.mark_announced(item) is True
    assert service.mark_announced(item) is False


def test_crash_between_post_and_mark_repeats_at_most_that_item(tmp_path):
    clock = Clock(START - timedelta(days=1))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    assert [i.lead.label for i in service.due_announcements()] == ["1d"]
    # posted, then crashed before mark_announced: the same item is due once more, nothing else
    assert [i.lead.label for i in service.due_announcements()] == ["1d"]


@pytest.mark.parametrize(
    "down_from, back_at, expected",
    [
        (
            START - timedelta(days=8),
            START - timedelta(hours=2),
            [("1d", START - timedelta(hours=2)), ("1h", START - timedelta(hours=1))],
        ),
        (START - timedelta(days=8), START - timedelta(minutes=30), [("1h", START - timedelta(minutes=30))]),
        (START - timedelta(days=3), START - timedelta(minutes=10), [("1h", START - timedelta(minutes=10))]),
        (START - timedelta(days=8), START + timedelta(minutes=5), []),  # already started: nothing to make up
        (START - timedelta(days=8), START + timedelta(days=1), []),
    ],
)
def test_downtime_makes_up_only_the_latest_missed_lead_before_start(tmp_path, down_from, back_at, expected):
    schedule = write_schedule(tmp_path, ONE_OFF)
    clock = Clock(down_from - timedelta(days=1))
    before = run(open_service(tmp_path, schedule, clock), clock, down_from)
    clock.now = back_at  # the bot was down in between
    after = run(open_service(tmp_path, schedule, clock), clock, START + timedelta(days=2))
    assert [i.lead.label for _, i in before] == (["7d"] if down_from > START - timedelta(days=7) else [])
    assert [(i.lead.label, at) for at, i in after] == expected


def test_dst_change_keeps_local_time_and_reminders_follow_it(tmp_path):
    clock = Clock(utc(2026, 2, 15))
    service = open_service(tmp_path, write_schedule(tmp_path, WEEKLY_NY), clock)
    posted = run(service, clock, utc(2026, 3, 25))
    one_hour = [(at, item.start) for at, item in posted if item.lead.label == "1h"]
    assert [start.strftime("%m-%d %H:%M %z") for _, start in one_hour] == [
        "02-26 09:00 -0500",
        "03-05 09:00 -0500",
        "03-12 09:00 -0400",  # after the 8 March change: same wall time, new offset
        "03-19 09:00 -0400",
    ]
    assert [at for at, _ in one_hour] == [
        utc(2026, 2, 26, 13),
        utc(2026, 3, 5, 13),
        utc(2026, 3, 12, 12),
        utc(2026, 3, 19, 12),
    ]
    assert len(posted) == 4 * 3


def test_recurrence_over_months_with_an_excluded_occurrence(tmp_path):
    clock = Clock(utc(2026, 9, 20))
    service = open_service(tmp_path, write_schedule(tmp_path, MONTHLY), clock)
    posted = run(service, clock, utc(2027, 1, 10))
    days = sorted({item.start.date().isoformat() for _, item in posted})
    assert days == ["2026-10-01", "2026-11-05", "2027-01-07"]  # 3 December excluded
    assert all(len([1 for _, i in posted if i.start.date().isoformat() == d]) == 3 for d in days)


def test_cancelled_session_posts_one_notice_if_it_was_announced(tmp_path):
    clock = Clock(START - timedelta(days=8))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    run(service, clock, START - timedelta(days=5))  # the 7d reminder went out
    service.cancel("webinar", MOD)
    posted = run(service, clock, START + timedelta(days=1))
    assert summary(posted) == [(START - timedelta(days=5), CANCELLED, "webinar", START, None)]


def test_cancelled_before_any_announcement_posts_nothing(tmp_path):
    clock = Clock(START - timedelta(days=10))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    service.cancel("webinar", MOD)
    assert run(service, clock, START + timedelta(days=1)) == []


def test_cancelling_one_occurrence_of_a_series(tmp_path):
    clock = Clock(utc(2026, 10, 28))
    service = open_service(tmp_path, write_schedule(tmp_path, MONTHLY), clock)
    run(service, clock, utc(2026, 10, 30))  # 7d reminder for 5 November
    service.cancel("call", MOD, occurrence="5 novembre 2026")
    posted = run(service, clock, utc(2027, 1, 8))
    kinds = [(item.kind, item.start.date().isoformat()) for _, item in posted]
    assert kinds[0] == (CANCELLED, "2026-11-05")
    assert kinds.count((CANCELLED, "2026-11-05")) == 1
    assert [k for k in kinds if k[1] == "2026-11-05"] == [(CANCELLED, "2026-11-05")]
    assert kinds[1:] == [(REMINDER, "2027-01-07")] * 3


def test_moved_session_posts_one_notice_then_reminders_for_the_new_time(tmp_path):
    clock = Clock(START - timedelta(days=8))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    run(service, clock, START - timedelta(days=3))  # 7d posted for the old time
    service.edit("webinar", {"start": "2026-12-11 15:00"}, MOD)
    new_start = START + timedelta(days=1)
    posted = run(service, clock, new_start + timedelta(hours=1))
    notice = posted[0][1]
    assert (notice.kind, notice.start, notice.new_start, notice.lead.label) == (MOVED, START, new_start, "7d")
    # no 7d burst for the new time (the notice told everyone); 1d and 1h follow normally
    assert summary(posted[1:]) == [
        (new_start - timedelta(days=1), REMINDER, "webinar", new_start, "1d"),
        (new_start - timedelta(hours=1), REMINDER, "webinar", new_start, "1h"),
    ]


def test_moved_away_and_back_notices_each_move(tmp_path):
    clock = Clock(START - timedelta(days=6))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    run(service, clock, START - timedelta(days=5))  # 7d reminder
    later = START + timedelta(hours=1)
    service.edit("webinar", {"start": "2026-12-10 16:00"}, MOD)
    away = run(service, clock, START - timedelta(days=4))
    service.edit("webinar", {"start": "2026-12-10 15:00"}, MOD)
    back = run(service, clock, START + timedelta(days=1))
    assert [(i.kind, i.start, i.new_start) for _, i in away] == [(MOVED, START, later)]
    assert [(i.kind, i.start, i.new_start) for _, i in back][0] == (MOVED, later, START)
    assert [(i.kind, i.lead.label) for _, i in back[1:]] == [(REMINDER, "1d"), (REMINDER, "1h")]
    service.edit("webinar", {"start": "2026-12-12 15:00"}, MOD)
    # the old sitting is over (no notice for it); the new date is a new occurrence, reminded as usual
    assert [(i.kind, i.lead.label) for i in service.due_announcements()] == [(REMINDER, "1d")]


@pytest.mark.parametrize(
    "changes", [{"duration": "2h"}, {"end": "2026-12-10 17:00"}], ids=["duration", "end"]
)
def test_a_new_end_time_posts_one_notice_then_reminders_continue(tmp_path, changes):
    clock = Clock(START - timedelta(days=8))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    run(service, clock, START - timedelta(days=3))  # 7d posted, for 15:00-16:30
    service.edit("webinar", {"duration": None, **changes}, MOD)
    new_end = START + timedelta(hours=2)
    posted = run(service, clock, START + timedelta(hours=1))
    notice = posted[0][1]
    assert (notice.kind, notice.start, notice.end) == (MOVED, START, START + timedelta(minutes=90))
    assert (notice.new_start, notice.new_end, notice.lead.label) == (START, new_end, "7d")
    assert notice.only_end_changed and posted[0][0] == START - timedelta(days=3)
    assert summary(posted[1:]) == [
        (START - timedelta(days=1), REMINDER, "webinar", START, "1d"),
        (START - timedelta(hours=1), REMINDER, "webinar", START, "1h"),
    ]  # the notice once, and the reminders go on for the same sitting
    assert [i.end for _, i in posted[1:]] == [new_end, new_end]


def test_each_new_end_time_is_noticed_and_none_before_any_announcement(tmp_path):
    clock = Clock(START - timedelta(days=8))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    service.edit("webinar", {"duration": "1h"}, MOD)  # nobody was told the old end: nothing to correct
    posted = run(service, clock, START - timedelta(days=5))
    assert summary(posted) == [(START - timedelta(days=7), REMINDER, "webinar", START, "7d")]
    service.edit("webinar", {"duration": "2h"}, MOD)
    first = run(service, clock, START - timedelta(days=4))
    service.edit("webinar", {"duration": "3h"}, MOD)
    second = run(service, clock, START - timedelta(days=3))
    assert [(i.kind, i.end - i.start, i.new_end - i.start) for _, i in first + second] == [
        (MOVED, timedelta(hours=1), timedelta(hours=2)),
        (MOVED, timedelta(hours=2), timedelta(hours=3)),
    ]
    service.edit("webinar", {"title": "Webinar (new title)"}, MOD)  # the time is as announced
    assert service.due_announcements() == []


def test_a_series_duration_change_notices_only_the_announced_occurrence(tmp_path):
    clock = Clock(utc(2026, 10, 28))
    service = open_service(tmp_path, write_schedule(tmp_path, MONTHLY), clock)
    run(service, clock, utc(2026, 10, 30))  # 7d reminder for 5 November
    service.edit("call", {"duration": "90m"}, MOD)
    (item,) = service.due_announcements()
    assert item.only_end_changed and item.start.isoformat() == "2026-11-05T10:00:00-06:00"
    assert item.new_end.isoformat() == "2026-11-05T11:30:00-06:00"


def test_nothing_is_due_between_the_lead_moments(tmp_path):
    clock = Clock(START - timedelta(hours=3))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock)
    service.ledger.record(service.due_announcements()[0], clock.now)  # the 1d reminder, already out
    seen = []
    while clock.now < START + timedelta(minutes=30):
        seen.extend((clock.now, i.lead.label) for i in service.due_announcements())
        clock.advance(timedelta(minutes=1))
    assert seen[0] == (START - timedelta(hours=1), "1h")
    assert {at for at, _ in seen} == {START - timedelta(hours=1) + timedelta(minutes=m) for m in range(60)}
    assert service.next_announcement_at() is None


def test_series_time_change_maps_announced_occurrence_to_its_new_time(tmp_path):
    clock = Clock(utc(2026, 10, 28))
    service = open_service(tmp_path, write_schedule(tmp_path, MONTHLY), clock)
    run(service, clock, utc(2026, 10, 30))
    service.edit("call", {"start": "2026-10-01 11:00"}, MOD)
    (item,) = service.due_announcements()
    assert item.kind == MOVED
    assert (item.start.hour, item.new_start.hour, item.new_start.day) == (10, 11, 5)


def test_session_removed_from_the_yaml_after_announcement(tmp_path):
    schedule = write_schedule(tmp_path, ONE_OFF)
    clock = Clock(START - timedelta(days=7))
    run(open_service(tmp_path, schedule, clock), clock, START - timedelta(days=6))
    schedule.write_text("[]\n", encoding="utf-8")
    posted = run(open_service(tmp_path, schedule, clock), clock, START + timedelta(days=1))
    assert [(i.kind, i.session.title("es"), i.start) for _, i in posted] == [(CANCELLED, "Webinario", START)]


def test_lead_times_are_configurable_and_validated(tmp_path):
    clock = Clock(START - timedelta(days=3))
    service = open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock, lead_times=["2d", "30m"])
    posted = run(service, clock, START)
    assert [(i.lead.label, at) for at, i in posted] == [
        ("2d", START - timedelta(days=2)),
        ("30m", START - timedelta(minutes=30)),
    ]
    with pytest.raises(ConfigError, match="lead time 'soon'"):
        open_service(tmp_path, write_schedule(tmp_path, ONE_OFF), clock, lead_times=["1d", "soon"])


def test_lead_helpers():
    leads = parse_lead_times(["1h", "7d", "1d", "24h"])
    assert [lead.label for lead in leads] == ["7d", "1d", "1h"]
    assert latest_lead_reached(START, START - timedelta(days=2), leads).label == "7d"
    assert latest_lead_reached(START, START - timedelta(minutes=1), leads).label == "1h"
    assert latest_lead_reached(START, START, leads) is None
    assert latest_lead_reached(START, START - timedelta(days=8), leads) is None
