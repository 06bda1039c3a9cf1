"""Votes on answers: stored with the question and result ids, one per member, the member hashed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.search.feedback import FeedbackService, UnknownAnswer
from index.database import Database
from tests.bot.conftest import Clock


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "clikc.db")
    yield database
    database.close()


@pytest.fixture
def feedback(db) -> FeedbackService:
    return FeedbackService(db, Clock())


def test_a_vote_is_stored_with_its_question_results_and_time_and_the_member_only_hashed(db, feedback):
    answer = feedback.record_answer("Who uses e-seals?", ["discord-1", "sample-2"], "en")
    vote = feedback.vote(answer, 123456789, helpful=False)
    assert (vote.changed, vote.repeated) == (False, False)
    row = db.query(
        "SELECT a.question, a.result_ids, a.lang, v.voter, v.helpful, v.voted_at FROM feedback_votes v "
        "JOIN feedback_answers a ON a.id = v.answer_id"
    )[0]
    assert row["question"] == "Who uses e-seals?" and json.loads(row["result_ids"]) == [
        "discord-1",
        "sample-2",
    ]
    assert row["helpful"] == 0 and row["voted_at"] == "2025-03-10T14:00:00+00:00"
    assert "123456789" not in row["voter"] and len(row["voter"]) == 64
    dump = "\n".join(db._conn.iterdump())  # the whole database: the member id appears nowhere
    assert "123456789" not in dump


def test_one_vote_per_member_per_answer_changing_ones_mind_replaces_it(db, feedback):
    answer = feedback.record_answer("q", ["a"])
    assert feedback.vote(answer, 1, helpful=True).repeated is False
    assert feedback.vote(answer, 1, helpful=True).repeated is True
    changed = feedback.vote(answer, 1, helpful=False)
    assert changed.changed is True
    feedback.vote(answer, 2, helpful=True)
    rows = db.query("SELECT helpful FROM feedback_votes ORDER BY helpful")
    assert [r["helpful"] for r in rows] == [0, 1]


def test_the_salt_survives_a_restart_so_a_member_still_has_one_vote(db, tmp_path):
    first = FeedbackService(db, Clock())
    answer = first.record_answer("q", ["a"])
    first.vote(answer, 7, helpful=True)
    again = FeedbackService(db, Clock())
    assert again.vote(answer, 7, helpful=True).repeated is True
    other = Database(tmp_path / "other.db")
    try:  # another installation hashes the same member differently
        assert FeedbackService(other, Clock())._voter(7) != first._voter(7)
    finally:
        other.close()


def test_voting_on_an_unknown_answer_is_refused(feedback):
    with pytest.raises(UnknownAnswer):
        feedback.vote("0123456789ab", 1, helpful=True)
    with pytest.raises(UnknownAnswer):
        feedback.suggestion("0123456789ab")


def test_forget_removes_a_members_votes(db, feedback):
    answer = feedback.record_answer("q", ["a"])
    feedback.vote(answer, 1, helpful=False)
    feedback.vote(answer, 2, helpful=False)
    assert feedback.forget(1) == 1
    assert len(db.query("SELECT * FROM feedback_votes")) == 1


def test_the_report_lists_the_questions_that_fail_most(feedback, db):
    def asked(question, results, votes):
        answer = feedback.record_answer(question, results)
        for member, helpful in votes:
            feedback.vote(answer, member, helpful)

    asked("Drones at the border?", ["a"], [(1, False), (2, False), (3, True)])
    asked("drones at  the BORDER?", ["a"], [(4, False)])  # the same question, typed differently
    asked("Who uses RFID?", ["b"], [(1, False)])
    asked("Who uses blockchain?", ["c"], [(1, True), (2, True)])  # helped: not listed
    asked("zzqx", [], [])  # found nothing
    asked("Never voted", ["d"], [])
    report = feedback.failing()
    assert [(f.question, f.not_helpful, f.helpful, f.answers, f.unanswered) for f in report] == [
        ("Drones at the border?", 3, 1, 2, 0),
        ("Who uses RFID?", 1, 0, 1, 0),
        ("zzqx", 0, 0, 1, 1),
    ]
    assert [f.question for f in feedback.failing(min_votes=2)] == ["Drones at the border?", "zzqx"]
    assert len(feedback.failing(limit=1)) == 1


def test_cli_feedback_report(tmp_path):
    data = tmp_path / "data"
    db = Database(data / "clikc.db")
    service = FeedbackService(db, Clock())
    answer = service.record_answer("¿Quién usa drones?", ["a"], "es")
    service.vote(answer, 1, helpful=False)
    db.close()

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "bot", "--data-dir", str(data), "feedback", "report", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "not helpful  helpful  asked  found nothing  question",
        "          1        0      1              0  ¿Quién usa drones?",
    ]
    as_json = json.loads(run("--json").stdout)
    assert as_json[0]["question"] == "¿Quién usa drones?" and as_json[0]["not_helpful"] == 1
    bad = run("--limit", "0")
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "clikc-bot: feedback report: --limit and --min-votes must be at least 1"
    )


def test_an_answer_keeps_the_filters_its_did_you_mean_asks_again_with(feedback):
    answer = feedback.record_answer(
        "blokchain", [], "en", "blockchain", {"kind": "case-study", "technology": None, "country": "HN"}
    )
    assert feedback.suggested(answer) == ("blockchain", {"kind": "case-study", "country": "HN"})
    plain = feedback.record_answer("blokchain", [], "en", "blockchain")
    assert feedback.suggested(plain) == ("blockchain", {})
    with pytest.raises(UnknownAnswer):
        feedback.suggested("0123456789ab")
