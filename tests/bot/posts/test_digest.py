"""The digest: its periods, exactly one per period across restarts (injected clock), what it lists
and how it groups it (issue 13, item 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.posts.digest import EMPTY, SENDING, SENT, DigestService, Item, Periods, group_by_technology
from index.database import Database
from index.documents import Document
from tests.bot.conftest import Clock
from tests.conftest import open_kb

WEEKLY_MX = Periods(timedelta(days=7), datetime(2024, 1, 1, 9, 0), ZoneInfo("America/Mexico_City"))


def test_weekly_periods_start_on_the_configured_weekday_and_hour():
    # Monday 2026-03-09 09:00 in Mexico City is 15:00 UTC
    start = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert WEEKLY_MX.start_of(start) == start
    assert WEEKLY_MX.start_of(start - timedelta(seconds=1)) == start - timedelta(days=7)
    assert WEEKLY_MX.start_of(start + timedelta(days=6, hours=23)) == start
    assert WEEKLY_MX.key(start) == "2026-03-09T15:00Z"


def test_periods_keep_their_wall_clock_hour_across_daylight_saving():
    weekly_ny = Periods(timedelta(days=7), datetime(2024, 1, 1, 9, 0), ZoneInfo("America/New_York"))
    before = weekly_ny.start_of(datetime(2026, 3, 4, tzinfo=UTC))  # EST: 09:00 is 14:00 UTC
    after = weekly_ny.start_of(datetime(2026, 3, 11, tzinfo=UTC))  # EDT from 8 March: 13:00 UTC
    assert (before.hour, after.hour) == (14, 13)
    assert after.astimezone(ZoneInfo("America/New_York")).hour == 9


def item(doc_id: str, *techs: str) -> Item:
    return Item(doc_id, doc_id, "", "", "post", techs)


def test_grouped_by_technology_each_item_once_in_the_glossarys_order():
    groups = group_by_technology(
        [item("a", "iot"), item("b"), item("c", "analytics", "blockchain"), item("d", "iot")]
    )
    assert [(tech, [i.id for i in items]) for tech, items in groups] == [
        ("blockchain", ["c"]),
        ("iot", ["a", "d"]),
        ("", ["b"]),
    ]


START = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # a period start of WEEKLY_MX


def doc(doc_id: str, text: str, author_id: str = "42", meta: dict | None = None, **fields) -> Document:
    fields.setdefault("date", START - timedelta(days=3))
    return Document(id=doc_id, text=text, author="A", meta={"author_id": author_id, **(meta or {})}, **fields)


REPORT = "We installed electronic seals on 40 trucks; transit fraud fell by 30% in a year."
BLOCKCHAIN = "Implementamos blockchain para el reconocimiento mutuo de OEA con Perú; funcionó bien."


@pytest.fixture
def world(tmp_path):
    clock = Clock(START - timedelta(days=3))
    kb = open_kb(tmp_path / "data", clock=clock)
    path = tmp_path / "data" / "clikc.db"
    opened: list[Database] = [kb.store.db]

    def restart() -> DigestService:
        db = Database(path)
        opened.append(db)
        return DigestService(db, clock, WEEKLY_MX)

    yield clock, kb, restart
    kb.close()
    for db in opened:
        db.close()


def test_exactly_once_per_period_across_restarts(world):
    clock, kb, restart = world
    kb.upsert_many([doc("discord-1", REPORT), doc("discord-2", BLOCKCHAIN, "43")])
    clock.now = START + timedelta(minutes=1)
    digests = restart()
    claim = digests.claim_due()
    assert claim.state == SENDING and claim.period == "2026-03-09T15:00Z"
    assert set(claim.doc_ids) == {"discord-1", "discord-2"}
    assert claim.covered_until == START and claim.covered_from == START - timedelta(days=7)

    # crash before the message is recorded: the next process finds the claim, never a second one
    digests = restart()
    assert digests.claim_due() is None
    assert [c.period for c in digests.unsent()] == ["2026-03-09T15:00Z"]
    digests.mark_sent(claim.period, "555")
    clock.advance(days=6, hours=23)
    assert restart().claim_due() is None and restart().unsent() == []
    assert restart().last().state == SENT and restart().last().message_id == "555"


def test_what_it_lists(world):
    clock, kb, restart = world
    kb.upsert_many(
        [
            doc("discord-1", REPORT),
            doc("discord-2", "Does anyone use electronic seals? Any advice?"),  # a question
            doc("discord-3", BLOCKCHAIN, "43"),  # opts out below
            doc("discord-4", REPORT + " Old.", date=START - timedelta(days=30)),  # an old post edited now
            doc("sample-1", BLOCKCHAIN + " demo", meta={"sample": "true"}),
        ]
    )
    kb.store.db.execute(
        "INSERT INTO privacy_optouts (member_id, platform, opted_out_at) VALUES ('43', 'x', 'x')"
    )
    clock.now = START
    claim = restart().claim_due()
    assert claim.doc_ids == ("discord-1",)
    assert [i.technologies for i in restart().items(claim)] == [("iot",)]


def test_missed_weeks_fold_into_one_digest_and_nothing_is_listed_twice(world):
    clock, kb, restart = world
    kb.upsert_many([doc("discord-1", REPORT)])
    clock.now = START
    first = restart().claim_due()
    restart().mark_sent(first.period, "1")
    clock.advance(days=2)
    kb.upsert_many([doc("discord-5", BLOCKCHAIN, date=clock.now)])
    kb.upsert_many([doc("discord-1", REPORT + " (edited)")])  # already listed
    clock.now = START + timedelta(days=21, hours=1)  # down for two weeks
    claim = restart().claim_due()
    assert claim.period == "2026-03-30T15:00Z" and claim.covered_from == START
    assert claim.doc_ids == ("discord-5",)


def test_a_period_with_nothing_shared_is_recorded_not_posted(world):
    clock, kb, restart = world
    clock.now = START
    claim = restart().claim_due()
    assert claim.state == EMPTY and restart().unsent() == [] and restart().claim_due() is None


def test_a_removed_document_is_not_posted_later(world):
    clock, kb, restart = world
    kb.upsert_many([doc("discord-1", REPORT)])
    clock.now = START
    claim = restart().claim_due()
    kb.delete("discord-1")
    assert restart().items(claim) == []
