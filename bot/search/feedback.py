"""Members' "helpful / not helpful" on answers, so moderators learn which questions fail.

Each answer shown is recorded (question, result ids, language, time) before its buttons are; a vote
names the answer. A member is kept only as a salted hash (the salt is made once, stored in the
database), and has one vote per answer: voting again replaces it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.privacy.member_data import MemberData
from index.database import Database

ANSWER_ID_CHARS = 12  # hex; goes into button custom_ids (at most 100 characters)
QUESTION_CHARS = 500


@dataclass(frozen=True)
class Vote:
    answer_id: str
    helpful: bool
    changed: bool  # the member had voted the other way before
    repeated: bool  # the member had already voted the same way


@dataclass(frozen=True)
class FailingQuestion:
    question: str
    not_helpful: int
    helpful: int
    answers: int  # times it was asked
    unanswered: int  # of those, how many found nothing
    last_asked: str

    @property
    def failures(self) -> int:
        return self.not_helpful + self.unanswered


class UnknownAnswer(LookupError):
    """A vote for an answer the database does not hold (a forged or very old button)."""


def _normalised(question: str) -> str:
    return " ".join(question.casefold().split())


class FeedbackService:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self._db = db
        self._clock = clock
        self._salt: str | None = None

    def _voter(self, member_id: str | int) -> str:
        if self._salt is None:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO feedback_salt (id, salt) VALUES (1, ?)", (secrets.token_hex(16),)
                )
                self._salt = conn.execute("SELECT salt FROM feedback_salt WHERE id = 1").fetchone()[0]
        return hashlib.sha256(f"{self._salt}:{member_id}".encode()).hexdigest()

    def record_answer(
        self,
        question: str,
        result_ids: Sequence[str],
        lang: str | None = None,
        suggestion: str | None = None,
        filters: Mapping[str, str | None] | None = None,
    ) -> str:
        """Committed before the buttons that name it are shown (a did-you-mean button re-runs the
        stored suggestion); returns its id."""
        answer_id = secrets.token_hex(ANSWER_ID_CHARS // 2)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO feedback_answers (id, question, normalised, result_ids, lang, suggestion, "
                "asked_at, filters) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    question.strip()[:QUESTION_CHARS],
                    _normalised(question[:QUESTION_CHARS]),
                    json.dumps(list(result_ids)),
                    lang,
                    suggestion,
                    self._clock().isoformat(),
                    json.dumps({k: v for k, v in (filters or {}).items() if v}, ensure_ascii=False),
                ),
            )
        return answer_id

    def suggestion(self, answer_id: str) -> str | None:
        rows = self._db.query("SELECT suggestion FROM feedback_answers WHERE id = ?", (answer_id,))
        if not rows:
            raise UnknownAnswer(answer_id)
        return rows[0]["suggestion"]

    def suggested(self, answer_id: str) -> tuple[str | None, dict[str, str]]:
        """The did-you-mean suggestion and the filters the question was asked with (kept on a click)."""
        rows = self._db.query("SELECT suggestion, filters FROM feedback_answers WHERE id = ?", (answer_id,))
        if not rows:
            raise UnknownAnswer(answer_id)
        return rows[0]["suggestion"], json.loads(rows[0]["filters"] or "{}")

    def vote(self, answer_id: str, member_id: str | int, helpful: bool) -> Vote:
        voter = self._voter(member_id)
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM feedback_answers WHERE id = ?", (answer_id,)).fetchone() is None:
                raise UnknownAnswer(answer_id)
            row = conn.execute(
                "SELECT helpful FROM feedback_votes WHERE answer_id = ? AND voter = ?", (answer_id, voter)
            ).fetchone()
            conn.execute(
                "INSERT INTO feedback_votes (answer_id, voter, helpful, voted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id, voter) DO UPDATE SET helpful = excluded.helpful, "
                "voted_at = excluded.voted_at",
                (answer_id, voter, int(helpful), self._clock().isoformat()),
            )
        before = None if row is None else bool(row[0])
        return Vote(
            answer_id, helpful, changed=before is not None and before != helpful, repeated=before == helpful
        )

    def member_data(self) -> MemberData:
        """A member's votes, found by their hash; the answers themselves say nothing of who asked."""
        return MemberData(
            name="answer_votes",
            tables={"feedback_votes": ("voter",)},
            export=self._export_votes,
            forget=self.forget,
        )

    def _export_votes(self, member_id: str) -> list[dict]:
        rows = self._db.query(
            "SELECT a.question, a.result_ids, v.helpful, v.voted_at FROM feedback_votes v "
            "JOIN feedback_answers a ON a.id = v.answer_id WHERE v.voter = ? ORDER BY v.voted_at",
            (self._voter(member_id),),
        )
        return [
            {
                "question": r["question"],
                "results": json.loads(r["result_ids"]),
                "helpful": bool(r["helpful"]),
                "voted_at": r["voted_at"],
            }
            for r in rows
        ]

    def forget(self, member_id: str | int) -> int:
        """Remove a member's votes (privacy); returns how many."""
        voter = self._voter(member_id)
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM feedback_votes WHERE voter = ?", (voter,)).rowcount

    def failing(self, limit: int = 20, min_votes: int = 1) -> list[FailingQuestion]:
        """Questions (compared case- and space-insensitively) that failed: voted "not helpful" or found
        nothing. Most failures first, then the larger share of not-helpful votes. `min_votes` keeps
        out questions with fewer votes, unless they found nothing."""
        rows = self._db.query(
            "SELECT MIN(a.question) AS question, COUNT(DISTINCT a.id) AS asked, MAX(a.asked_at) AS last, "
            "COUNT(DISTINCT CASE WHEN a.result_ids = '[]' THEN a.id END) AS empty, "
            "COALESCE(SUM(v.helpful = 0), 0) AS no, COALESCE(SUM(v.helpful = 1), 0) AS yes "
            "FROM feedback_answers a LEFT JOIN feedback_votes v ON v.answer_id = a.id "
            "GROUP BY a.normalised HAVING empty > 0 OR (no > 0 AND no + yes >= ?) "
            "ORDER BY no + empty DESC, CAST(no AS REAL) / MAX(1, no + yes) DESC, question LIMIT ?",
            (max(1, min_votes), limit),
        )
        return [
            FailingQuestion(r["question"], r["no"], r["yes"], r["asked"], r["empty"], r["last"]) for r in rows
        ]
