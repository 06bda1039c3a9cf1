"""SessionService: listing for any now, run-time changes merged over the YAML, refusals, persistence."""

import os
import shutil

import pytest

from bot.members import NotAllowed
from bot.sessions.schedule import SessionError
from index.errors import InputError
from tests.helpers.sessions import MEMBER, MOD, SHIPPED_SCHEDULE, Clock, open_service, utc, write_schedule


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "sessions.yaml"
    shutil.copy(SHIPPED_SCHEDULE, path)
    return path


def ids(occurrences):
    return [(o.session.id, o.start.date().isoformat()) for o in occurrences]


@pytest.mark.parametrize(
    "now, first",
    [
        (utc(2021, 11, 1), ("ams-2021-disruptive-technologies", "2021-11-25")),
        (utc(2021, 11, 25, 17), ("ams-2021-disruptive-technologies", "2021-11-25")),  # in progress
        (utc(2021, 11, 27), ("esa-wca-2022-disruptive-technologies", "2022-01-17")),
        (utc(2022, 1, 18, 14), ("esa-wca-2022-disruptive-technologies", "2022-01-19")),
        (utc(2022, 1, 20), ("clikc-community-call", "2022-02-03")),
        (utc(2026, 11, 29), ("clikc-community-call", "2026-12-03")),
        (utc(2026, 12, 4), ("webinar-2026-12-risk-analytics", "2026-12-10")),
        (utc(2026, 12, 11), ("clikc-community-call", "2027-02-04")),  # January's call is excluded
        (utc(2027, 3, 19), ("clikc-community-call", "2027-04-01")),
    ],
)
def test_shipped_schedule_for_any_now(tmp_path, shipped, now, first):
    service = open_service(tmp_path, shipped, Clock(now))
    upcoming = service.upcoming()
    assert ids(upcoming)[0] == first
    assert all(o.end > now for o in upcoming)
    starts = [o.start for o in upcoming]
    assert starts == sorted(starts)


def test_upcoming_on_2026_11_29_lists_every_future_session(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    assert ids(service.upcoming()) == [
        ("clikc-community-call", "2026-12-03"),
        ("webinar-2026-12-risk-analytics", "2026-12-10"),
        ("clikc-community-call", "2027-02-04"),
        ("iot-clinic-2027-02", "2027-02-17"),
        ("blockchain-aeo-2027-03", "2027-03-18"),  # beyond the horizon, but a session's next always shows
    ]
    assert len(service.upcoming(limit=2)) == 2


def test_past_only_with_include_past(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    assert "ams-2021-disruptive-technologies" not in {o.session.id for o in service.upcoming()}
    everything = ids(service.upcoming(include_past=True))
    assert everything[:5] == [
        ("ams-2021-disruptive-technologies", "2021-11-25"),
        ("ams-2021-disruptive-technologies", "2021-11-26"),
        ("esa-wca-2022-disruptive-technologies", "2022-01-17"),
        ("esa-wca-2022-disruptive-technologies", "2022-01-18"),
        ("esa-wca-2022-disruptive-technologies", "2022-01-19"),
    ]


NEW = {
    "id": "ai-webinar",
    "title": {"en": "AI webinar", "es": "Webinario IA"},
    "start": "15 de enero de 2027 10:00",
    "duration": "90m",
    "timezone": "America/Bogota",
}


def test_add_edit_cancel_survive_a_restart_and_are_audited(tmp_path, shipped):
    clock = Clock(utc(2026, 11, 29))
    service = open_service(tmp_path, shipped, clock)
    added = service.add(NEW, MOD)
    assert added.start.isoformat() == "2027-01-15T10:00:00-05:00" and added.origin == "run-time"
    service.edit("ai-webinar", {"title": {"fr": "Webinaire IA"}}, MOD)
    service.edit("webinar-2026-12-risk-analytics", {"start": "2026-12-11 15:00"}, MOD)  # override of YAML
    service.cancel("clikc-community-call", MOD, occurrence="2026-12-03")

    restarted = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    webinar = restarted.get("ai-webinar")
    assert (webinar.title("fr"), webinar.title("es")) == ("Webinaire IA", "Webinario IA")
    moved = restarted.get("webinar-2026-12-risk-analytics")
    assert moved.start.isoformat() == "2026-12-11T15:00:00-06:00" and moved.origin == "yaml+run-time"
    assert ("clikc-community-call", "2026-12-03") not in ids(restarted.upcoming())
    history = restarted.history()
    assert [(c.action, c.session_id, c.actor) for c in history] == [
        ("add", "ai-webinar", "ana (42)"),
        ("edit", "ai-webinar", "ana (42)"),
        ("edit", "webinar-2026-12-risk-analytics", "ana (42)"),
        ("cancel", "clikc-community-call", "ana (42)"),
    ]
    assert history[0].at == utc(2026, 11, 29)
    assert history[3].details == {"occurrence": "2026-12-03T10:00:00-06:00"}


def test_yaml_override_follows_later_yaml_edits_of_other_fields(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    service.edit("webinar-2026-12-risk-analytics", {"link": "https://example.org/webinar"}, MOD)
    text = shipped.read_text(encoding="utf-8").replace("duration: 90m", "duration: 2h")
    shipped.write_text(text, encoding="utf-8")
    os.utime(shipped, ns=(1, 1))  # a different mtime even on coarse clocks
    webinar = service.get("webinar-2026-12-risk-analytics")  # reloaded without a restart
    assert webinar.link == "https://example.org/webinar"
    assert webinar.duration.total_seconds() == 7200


def test_removing_a_field_with_none(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    service.edit("clikc-community-call", {"exdates": None}, MOD)
    restarted = open_service(tmp_path, shipped, Clock(utc(2026, 12, 4)))
    assert ("clikc-community-call", "2027-01-07") in ids(restarted.upcoming())


def test_whole_session_cancel_and_restore(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    service.cancel("webinar-2026-12-risk-analytics", MOD)
    assert "webinar-2026-12-risk-analytics" not in {o.session.id for o in service.upcoming()}
    listed = service.upcoming(include_cancelled=True)
    assert any(o.cancelled for o in listed if o.session.id == "webinar-2026-12-risk-analytics")
    with pytest.raises(InputError, match="already cancelled"):
        service.cancel("webinar-2026-12-risk-analytics", MOD)
    service.restore("webinar-2026-12-risk-analytics", MOD)
    assert "webinar-2026-12-risk-analytics" in {o.session.id for o in service.upcoming()}
    service.cancel("clikc-community-call", MOD, occurrence="3 de diciembre de 2026 10:00")
    service.restore("clikc-community-call", MOD, occurrence="2026-12-03")
    assert ids(service.upcoming())[0] == ("clikc-community-call", "2026-12-03")
    assert [c.action for c in service.history()] == ["cancel", "restore", "cancel", "restore"]


def snapshot(tmp_path):
    from index.database import Database

    db = Database(tmp_path / "clikc.db")
    tables = ("session_overrides", "session_cancellations", "session_changes")
    rows = {t: [tuple(r) for r in db.query(f"SELECT * FROM {t}")] for t in tables}
    db.close()
    return rows


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {**NEW, "timezone": "America/Bogot"},
            "session ai-webinar: timezone: unknown time zone 'America/Bogot'",
        ),
        ({**NEW, "duration": None, "end": "2027-01-15 09:00"}, "session ai-webinar: end: "),
        ({**NEW, "rrule": "FREQ=SOMETIMES"}, "session ai-webinar: rrule: invalid rule"),
        ({k: v for k, v in NEW.items() if k != "title"}, "session ai-webinar: title: missing"),
        ({k: v for k, v in NEW.items() if k != "start"}, "session ai-webinar: start: missing"),
        ({**NEW, "start": "mañana temprano"}, "session ai-webinar: start: cannot read"),
        ({**NEW, "id": "clikc-community-call"}, "session clikc-community-call: id: already exists"),
    ],
)
def test_bad_run_time_sessions_are_refused_and_change_nothing(tmp_path, shipped, data, message):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    service.add({**NEW, "id": "kept"}, MOD)
    before = snapshot(tmp_path)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(SessionError) as info:
        service.add(data, MOD)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"timezone": "Atlantis/Capital"},
            "session webinar-2026-12-risk-analytics: timezone: unknown time zone",
        ),
        ({"start": "2026-12-10 17:00", "end": "2026-12-10 16:00", "duration": None}, "end: "),
        ({"rrule": "FREQ=WEEKLY;COUNT=x"}, "rrule: invalid rule"),
        ({"title": None}, "title: missing"),
        ({"id": "other"}, "id: cannot be changed"),
        ({"colour": "blue"}, "colour: unknown field"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(tmp_path, shipped, changes, message):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    before = snapshot(tmp_path)
    with pytest.raises(SessionError, match=message):
        service.edit("webinar-2026-12-risk-analytics", changes, MOD)
    assert snapshot(tmp_path) == before
    assert service.get("webinar-2026-12-risk-analytics").timezone == "America/Mexico_City"


def test_only_moderators_change_sessions(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    before = snapshot(tmp_path)
    for attempt in (
        lambda: service.add(NEW, MEMBER),
        lambda: service.edit("clikc-community-call", {"link": None}, MEMBER),
        lambda: service.cancel("clikc-community-call", MEMBER),
        lambda: service.restore("clikc-community-call", MEMBER),
    ):
        with pytest.raises(NotAllowed, match="only moderators can change sessions"):
            attempt()
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "session_id, occurrence, message",
    [
        ("nope", None, "no session with id 'nope'"),
        ("clikc-community-call", "2026-12-04", "has no occurrence at 2026-12-04"),
        ("clikc-community-call", "2027-01-07", "has no occurrence"),  # excluded already by exdates
        ("clikc-community-call", "2026-12-03 11:00", "has no occurrence"),
        ("clikc-community-call", "someday", "occurrence: cannot read"),
        ("webinar-2026-12-risk-analytics", "2026-12-11", "has no occurrence"),
    ],
)
def test_bad_cancellations(tmp_path, shipped, session_id, occurrence, message):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    with pytest.raises(InputError, match=message):
        service.cancel(session_id, MOD, occurrence=occurrence)
    assert service.history() == []


def test_start_up_refuses_a_bad_schedule(tmp_path):
    from bot.config import ConfigError

    path = write_schedule(
        tmp_path, "- id: x\n  title: X\n  start: 2026-01-01 10:00\n  duration: 1h\n  timezone: Mars\n"
    )
    with pytest.raises(ConfigError) as info:
        open_service(tmp_path, path, Clock(utc(2026, 1, 1)))
    assert info.value.problems == [
        f"{path}: session x: timezone: unknown time zone 'Mars'; use an IANA name such as America/Guatemala"
    ]


def test_a_bad_yaml_edit_at_run_time_keeps_the_previous_schedule(tmp_path, shipped):
    service = open_service(tmp_path, shipped, Clock(utc(2026, 11, 29)))
    shipped.write_text("- broken: [\n", encoding="utf-8")
    os.utime(shipped, ns=(1, 1))
    assert ids(service.upcoming())[0] == ("clikc-community-call", "2026-12-03")
