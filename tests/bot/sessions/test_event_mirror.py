"""Sessions → scheduled events: the pure plan, and the service over a real schedule and database."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot.sessions.event_mirror import (
    LOCATION_LIMIT,
    EventMirror,
    EventSpec,
    Mirrored,
    plan_mirror,
    to_spec,
)
from bot.sessions.schedule import parse_session
from bot.sessions.service import SessionService
from index.database import Database
from tests.helpers.sessions import MOD, Clock, utc, write_schedule

NOW = utc(2026, 3, 2, 14, 0)


def spec(key: str, days: float, name: str = "IoT call", hours: float = 1) -> EventSpec:
    start = NOW + timedelta(days=days)
    return EventSpec(key, name, start, start + timedelta(hours=hours), "https://example.org/call", "")


def mirrored(s: EventSpec, event_id: str = "900", fingerprint: str | None = None) -> Mirrored:
    return Mirrored(s.key, event_id, fingerprint or s.fingerprint, s.start, s.end)


def kinds(actions) -> list[tuple[str, str]]:
    return [(a.kind, a.key) for a in actions]


# -- plan_mirror: pure ---------------------------------------------------------------------------------


def test_new_occurrences_within_the_horizon_are_created_soonest_first():
    live = [spec("b", 3), spec("a", 1), spec("far", 45)]
    actions = plan_mirror(live, {}, NOW, horizon=timedelta(days=30))
    assert kinds(actions) == [("create", "a"), ("create", "b")]
    assert actions[0].spec == live[1]


def test_creations_are_capped_per_run_and_the_rest_follow_later():
    live = [spec(f"s{i}", i + 1) for i in range(7)]
    first = plan_mirror(live, {}, NOW, max_creates=5)
    assert kinds(first) == [("create", f"s{i}") for i in range(5)]
    done = {a.key: mirrored(a.spec) for a in first}
    assert kinds(plan_mirror(live, done, NOW, max_creates=5)) == [("create", "s5"), ("create", "s6")]


def test_nothing_to_do_once_mirrored_which_is_what_a_restart_sees():
    live = [spec("a", 1), spec("b", 2)]
    stored = {s.key: mirrored(s) for s in live}
    assert plan_mirror(live, stored, NOW) == []


def test_an_edited_session_updates_its_event():
    before = spec("a", 1)
    after = spec("a", 1, name="IoT call (new title)", hours=2)
    [action] = plan_mirror([after], {"a": mirrored(before, "901")}, NOW)
    assert (action.kind, action.event_id, action.spec) == ("update", "901", after)


def test_a_cancelled_or_moved_occurrence_deletes_its_event():
    kept, cancelled = spec("a", 1), spec("b", 2)
    stored = {"a": mirrored(kept, "901"), "b": mirrored(cancelled, "902")}
    # cancelled: "b" no longer among the live occurrences
    assert [(a.kind, a.key, a.event_id) for a in plan_mirror([kept], stored, NOW)] == [("delete", "b", "902")]
    # moved: its key (session id @ start) changes, so the old event goes and a new one comes
    moved = spec("a-moved", 4)
    assert kinds(plan_mirror([moved, cancelled], stored, NOW)) == [("delete", "a"), ("create", "a-moved")]


def test_deletes_come_before_updates_and_creates():
    stored = {"gone": mirrored(spec("gone", 1)), "edit": mirrored(spec("edit", 2), fingerprint="old")}
    actions = plan_mirror([spec("edit", 2), spec("new", 3)], stored, NOW, max_creates=0)
    assert kinds(actions) == [("delete", "gone"), ("update", "edit")]


def test_started_occurrences_are_left_alone_and_over_ones_forgotten():
    started = spec("started", -1 / 24, hours=2)  # began an hour ago, still on
    over = spec("over", -2)
    stored = {"started": mirrored(started, fingerprint="old"), "over": mirrored(over)}
    assert kinds(plan_mirror([started], stored, NOW)) == [("forget", "over")]
    # a started occurrence never mirrored is not created either: Discord refuses a start in the past
    assert plan_mirror([started], {}, NOW) == []


def test_an_event_deleted_in_discord_is_not_recreated_and_is_forgotten_when_its_occurrence_goes():
    s = spec("a", 1)
    stored = {"a": mirrored(s, event_id="")}
    assert plan_mirror([spec("a", 1, name="edited")], stored, NOW) == []
    assert kinds(plan_mirror([], stored, NOW)) == [("forget", "a")]


def test_to_spec_localises_the_title_and_falls_back_for_the_location():
    session = parse_session(
        {
            "id": "call",
            "title": {"en": "IoT call", "es": "Llamada IoT"},
            "description": {"en": "Monthly call."},
            "start": "2026-03-10 15:00",
            "duration": "90m",
            "timezone": "America/Mexico_City",
        }
    )
    occurrence = next(session.all_occurrences())
    es = to_spec(occurrence, "es", "En línea")
    assert (es.name, es.location, es.description) == ("Llamada IoT", "En línea", "Monthly call.")
    assert es.end - es.start == timedelta(minutes=90) and es.key == occurrence.key
    assert to_spec(occurrence, "fr", "En ligne").name == "IoT call"  # no French title: the fallback
    long_link = "https://example.org/" + "x" * LOCATION_LIMIT
    linked = parse_session({**session.raw, "link": long_link, "title": "T" * 300})
    far = to_spec(next(linked.all_occurrences()), "en", "Online")
    assert far.location == "Online" and long_link in far.description  # too long for a location
    assert len(far.name) <= 100


# -- EventMirror: over the real schedule and database ------------------------------------------------

SCHEDULE = """\
- id: iot-call
  title: {en: IoT community call, es: Llamada IoT}
  start: 2026-03-03 15:00
  duration: 1h
  timezone: UTC
  rrule: FREQ=WEEKLY;COUNT=10
  link: https://example.org/call
"""


def service(tmp_path, clock) -> tuple[Database, SessionService, EventMirror]:
    db = Database(tmp_path / "clikc.db")
    sessions = SessionService(db, write_schedule(tmp_path, SCHEDULE), clock=clock)
    return db, sessions, EventMirror(db, sessions.upcoming, clock, max_creates=3)


_event_ids = itertools.count(500)


def apply(mirror: EventMirror, actions) -> None:
    """What the adapter does after Discord accepted each step."""
    for a in actions:
        if a.kind in ("create", "update"):
            mirror.record("g1", a.spec, a.event_id or str(next(_event_ids)))
        else:
            mirror.forget("g1", [a.key])


def test_the_service_mirrors_a_weekly_session_within_30_days_across_restarts(tmp_path):
    clock = Clock(NOW)
    db, sessions, mirror = service(tmp_path, clock)
    first = mirror.plan("g1", "es", "En línea")
    assert kinds(first) == [("create", f"iot-call@2026-03-{d:02d}T15:00:00Z") for d in (3, 10, 17)]
    assert first[0].spec.name == "Llamada IoT" and first[0].spec.location == "https://example.org/call"
    apply(mirror, first)
    second = mirror.plan("g1", "es", "En línea")
    assert kinds(second) == [
        ("create", "iot-call@2026-03-24T15:00:00Z"),
        ("create", "iot-call@2026-03-31T15:00:00Z"),
    ]
    apply(mirror, second)
    db.close()

    _, sessions, mirror = service(tmp_path, clock)  # a restart: same database
    assert mirror.plan("g1", "es", "En línea") == []
    assert mirror.plan("other-guild", "es", "En línea") != [], "each guild has its own events"

    sessions.cancel("iot-call", MOD, "2026-03-10")
    sessions.edit("iot-call", {"title": {"es": "Llamada IoT (nuevo)"}}, MOD)
    actions = mirror.plan("g1", "es", "En línea")
    assert kinds(actions)[0] == ("delete", "iot-call@2026-03-10T15:00:00Z")
    assert {k for k, _ in kinds(actions)[1:]} == {"update"} and len(actions) == 5  # the 4 others retitled
    assert actions[0].event_id == mirror.mirrored("g1")["iot-call@2026-03-10T15:00:00Z"].event_id
    apply(mirror, actions)
    assert mirror.plan("g1", "es", "En línea") == []

    clock.now = utc(2026, 3, 8, 16, 0)  # the first call is over; a new week enters the horizon
    assert kinds(mirror.plan("g1", "es", "En línea")) == [
        ("forget", "iot-call@2026-03-03T15:00:00Z"),
        ("create", "iot-call@2026-04-07T15:00:00Z"),
    ]


def test_a_moderator_deletion_in_discord_is_remembered(tmp_path):
    clock = Clock(NOW)
    _, sessions, mirror = service(tmp_path, clock)
    apply(mirror, mirror.plan("g1", "en", "Online"))
    first = mirror.mirrored("g1")["iot-call@2026-03-03T15:00:00Z"]
    mirror.record_removed_on_platform("g1", first)
    sessions.edit("iot-call", {"duration": "2h"}, MOD)
    actions = mirror.plan("g1", "en", "Online")
    assert first.key not in {a.key for a in actions}
    assert {a.kind for a in actions} == {"update", "create"}
