"""Related experiences: question detection in the four languages, the quiet time, once per thread,
what may be offered, and the member's data (issue 13, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.search.related import Asked, RelatedService, in_quiet_time, is_question, quiet_until
from index.database import Database
from index.documents import Document
from tests.bot.conftest import Clock
from tests.conftest import open_kb

QUESTIONS = [
    "Does anyone have experience with electronic seals for transit cargo? How did you start?",
    "¿Alguna aduana usa precintos electrónicos en tránsito? Quisiera saber cómo les fue.",
    "Est-ce que quelqu'un a testé des scellés électroniques ? Avez-vous des résultats ?",
    "Alguém já usou blockchain para trocar dados de OEA? Gostaria de saber como foi.",
    "alguien tiene experiencia con analitica de datos para riesgo?",  # no accents, no ¿
]
NOT_QUESTIONS = [
    "We installed electronic seals on 40 trucks last year and cut transit fraud by 30%.",
    "Instalamos precintos electrónicos en 2019; los resultados fueron buenos.",
    "Nous avons mis en place des scellés électroniques sur les conteneurs en transit.",
    "Fizemos um piloto com lacres eletrônicos e reduzimos o tempo de trânsito.",
    "Thanks!",
    "",
    "ok?",
    "what? <@123456789012345678> ?",
    "https://example.org/slides ?",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_detected_in_every_language(text):
    assert is_question(text)


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_reports_and_chatter_are_not_questions(text):
    assert not is_question(text)


def test_quiet_time_rule():
    t0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    quiet = timedelta(hours=24)
    assert quiet_until(None, quiet) is None and not in_quiet_time(None, quiet, t0)
    assert in_quiet_time(t0, quiet, t0 + timedelta(hours=23, minutes=59))
    assert not in_quiet_time(t0, quiet, t0 + quiet), "over at exactly the quiet time"


DOCS = [
    Document(
        id="discord-1",
        text="Usamos precintos electrónicos en el tránsito desde 2019; instalamos 200 y bajó el fraude 30%.",
        author="Ana",
        date=datetime(2024, 5, 2, tzinfo=UTC),
        meta={"author_id": "42"},
    ),
    Document(
        id="discord-2",
        text="We installed electronic seals on transit trucks; we learned that GPS coverage matters.",
        author="Joao",
        date=datetime(2024, 6, 2, tzinfo=UTC),
        meta={"author_id": "43"},
    ),
    Document(
        id="discord-3",
        text="Does anyone use electronic seals in transit? Any advice?",
        author="Pierre",
        date=datetime(2024, 7, 2, tzinfo=UTC),
        meta={"author_id": "44"},
    ),
    Document(
        id="discord-4",
        text="Nous avons installé des scellés électroniques sur le transit; nous avons réduit les fraudes.",
        author="Luc",
        date=datetime(2024, 7, 3, tzinfo=UTC),
        meta={"author_id": "45"},
    ),
]


@pytest.fixture
def setup(tmp_path):
    clock = Clock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    kb = open_kb(tmp_path / "data", clock=clock)
    kb.upsert_many(DOCS)
    db = kb.store.db

    def service(database: Database = db) -> RelatedService:
        related = RelatedService(database, lambda: kb, clock, quiet=timedelta(hours=24))
        related.channels = {"100"}
        return related

    yield clock, kb, service
    kb.close()
    db.close()


def asked(thread: str, author: str = "42", text: str = QUESTIONS[0], **kw) -> Asked:
    return Asked(message_id=thread, thread_id=thread, channel_id="100", author_id=author, text=text, **kw)


def test_reports_only_never_the_askers_own_nor_an_opted_out_members(setup):
    clock, kb, service = setup
    related = service()
    found = [hit.id for hit in related.find(asked("500", author="42"))]
    assert "discord-3" not in found, "a question is not an experience"
    assert "discord-1" not in found, "the asker's own post"
    assert found and set(found) <= {"discord-2", "discord-4"}
    kb.store.db.execute(
        "INSERT INTO privacy_optouts (member_id, platform, opted_out_at) VALUES ('43', 'discord', 'x')"
    )
    assert "discord-2" not in [hit.id for hit in related.find(asked("500", author="42"))]


def test_why_not(setup):
    clock, kb, service = setup
    related = service()
    assert related.why_not(asked("1", text=NOT_QUESTIONS[0])) == "not a question"
    assert related.why_not(asked("1", by_moderator=True)) == "a moderator"
    assert related.why_not(asked("1", by_bot=True)) == "a bot"
    assert related.why_not(Asked("1", "1", "999", "42", QUESTIONS[0])) == "channel not enabled"
    assert related.why_not(asked("1")) is None


def test_once_per_thread_and_quiet_time_survive_a_restart(setup, tmp_path):
    clock, kb, service = setup
    related = service()
    first = asked("thread-1", author="42")
    offer = related.claim(first, related.find(first))
    assert offer is not None and 1 <= len(offer.results) <= 3
    related.sent(offer.id, "reply-1", thread_created=True)

    again = service(Database(tmp_path / "data" / "clikc.db"))  # a new process on the same database
    other_member_same_thread = asked("thread-1", author="43")
    assert again.why_not(other_member_same_thread) == "already offered in this thread"
    assert again.claim(other_member_same_thread, []) is None
    clock.advance(hours=23)
    assert again.why_not(asked("thread-2", author="42")) == "member's quiet time"
    assert again.why_not(asked("thread-2", author="43")) is None, "another member is not held back"
    clock.advance(hours=1)
    assert again.why_not(asked("thread-2", author="42")) is None


def test_only_the_asker_or_a_moderator_may_remove_it_and_it_stays_offered(setup):
    clock, kb, service = setup
    related = service()
    offer = related.claim(asked("t"), [])
    related.sent(offer.id, "reply", thread_created=False)
    stored = related.get(offer.id)
    assert not related.may_dismiss(stored, "43", is_moderator=False)
    assert related.may_dismiss(stored, "42", is_moderator=False)
    assert related.may_dismiss(stored, "43", is_moderator=True)
    assert related.dismissed(offer.id) and not related.dismissed(offer.id)
    assert related.get(offer.id).dismissed
    assert related.why_not(asked("t", author="43")) == "already offered in this thread"


def test_a_failed_send_is_unclaimed(setup):
    clock, kb, service = setup
    related = service()
    offer = related.claim(asked("t"), [])
    related.unclaim(offer.id)
    assert related.why_not(asked("t")) is None


def test_export_and_forget_keep_the_threads_mark_without_the_member(setup):
    clock, kb, service = setup
    related = service()
    offer = related.claim(asked("t", author="42"), [])
    assert [row["thread_id"] for row in related.member_data().export("42")] == ["t"]
    assert related.member_data().forget("42") == 1
    assert related.member_data().export("42") == []
    assert related.get(offer.id).asker_id == ""
    assert related.why_not(asked("t", author="43")) == "already offered in this thread"
