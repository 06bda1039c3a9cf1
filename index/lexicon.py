"""Every word the documents use, with how many documents use it: what spelling suggestions draw from.

Kept in SQLite beside the documents and changed in the same transaction as they are, so it is
always in step with them (and rebuilt with the index). It used to be a Whoosh field, which made
half of all the postings a bulk ingest had to write, only for its list of terms and their counts.
Near words are found by a range scan on the first letters, then edit distance at C speed
(rapidfuzz) over that slice.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from index.analysis import analyse
from index.database import Database

_UPSERT = (
    "INSERT INTO lexicon (word, docs) VALUES (?, ?)"
    " ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs"
)


def document_words(text: str) -> set[str]:
    """A document's distinct words, folded, without the stop words of any of the four languages."""
    return set(analyse(text, None))


class Lexicon:
    def __init__(self, db: Database):
        self.db = db

    # -- writing: inside the caller's transaction ------------------------------------------------

    @staticmethod
    def count(
        conn: sqlite3.Connection,
        added: Iterable[str],
        removed: Iterable[str] = (),
        *,
        added_words: Iterable[Iterable[str]] = (),
    ) -> None:
        """Count the words of the texts added, uncount those of the texts removed (or replaced).
        `added_words`: the words of more added documents, already read (each document's distinct
        words, as `document_words` gives them)."""
        deltas: Counter[str] = Counter()
        for text in added:
            deltas.update(document_words(text))
        for found in added_words:
            deltas.update(found)
        uncounted = False
        for text in removed:
            deltas.subtract(document_words(text))
            uncounted = True
        # Only added words: every count is positive, so the rows go as they are (no filtering pass).
        rows = [(word, n) for word, n in deltas.items() if n] if uncounted else deltas.items()
        conn.executemany(_UPSERT, rows)
        if uncounted and any(n < 0 for n in deltas.values()):
            conn.execute("DELETE FROM lexicon WHERE docs <= 0")

    class Draft:
        """A rebuild's word counts, kept aside in a temporary table of this connection until
        `publish()` replaces the live counts in one transaction: spelling suggestions (and so the
        questions of readers during the rebuild) never see a half-counted lexicon. Each draft has
        its own table: threads share the connection."""

        def __init__(self, db: Database):
            self.db = db
            name = f"lexicon_draft_{secrets.token_hex(6)}"
            self.table = f"temp.{name}"
            db.execute(
                f"CREATE TEMP TABLE {name} (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID"
            )

        def count(self, word_sets: Iterable[set[str]]) -> None:
            deltas: Counter[str] = Counter()
            for words in word_sets:
                deltas.update(words)
            with self.db.transaction() as conn:
                conn.executemany(
                    f"INSERT INTO {self.table} (word, docs) VALUES (?, ?)"
                    " ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs",
                    deltas.items(),
                )

        def publish(self) -> None:
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM lexicon")
                conn.execute(f"INSERT INTO lexicon (word, docs) SELECT word, docs FROM {self.table}")

        def discard(self) -> None:
            self.db.execute(f"DROP TABLE IF EXISTS {self.table}")

    # -- reading ---------------------------------------------------------------------------------

    def frequency(self, word: str) -> int:
        """Documents using the word (0 for unknown words)."""
        rows = self.db.query("SELECT docs FROM lexicon WHERE word = ?", (word,))
        return rows[0]["docs"] if rows else 0

    def similar(self, word: str, maxdist: int, prefix: int = 1) -> list[str]:
        """Known words within `maxdist` edits (a swap of neighbours is one), the first `prefix`
        letters as typed."""
        start = word[:prefix]
        if not start:
            return []
        rows = self.db.query(
            "SELECT word FROM lexicon WHERE word >= ? AND word < ? AND length(word) BETWEEN ? AND ?",
            (start, start[:-1] + chr(ord(start[-1]) + 1), len(word) - maxdist, len(word) + maxdist),
        )
        candidates = [row["word"] for row in rows]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        return sorted(match for match, _, _ in found if match != word)
