"""The references: the same corpus and questions in plain SQLite FTS5 (unicode61, accents removed, bm25).

`fts5` is what a bot with no analysis at all would cost: no stemming, stop words, language
detection, glossary expansion or did-you-mean; every word of a question is searched, "de" and "the"
included, whose long posting lists FTS5 must walk. `fts5-stop` gets the same questions with the
stop words the bot drops (all four languages' lists) left out: the fairer speed reference, still
with none of the analysis. Both run in the same process layout and measurements as ours.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from benchmarks.corpus import Post, Question

_TOKEN = re.compile(r"\w+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, kind TEXT, author TEXT, lang TEXT,
    date TEXT, url TEXT, technologies TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
    title, text, tokenize='unicode61 remove_diacritics 2');
"""


def match_expression(question: str, drop_stop_words: bool = False) -> str:
    """A MATCH expression that cannot fail to parse: every word quoted, joined with OR.
    `drop_stop_words`: leave out the words the bot drops from a question (the stop words of all
    four languages, accents folded), so FTS5 does not walk the postings of "de" and "the"; like
    the bot, a question of nothing but stop words keeps them."""
    tokens = _TOKEN.findall(question)
    if drop_stop_words:
        from index.analysis import all_stopwords, fold

        stops = all_stopwords()
        tokens = [token for token in tokens if fold(token) not in stops] or tokens
    return " OR ".join('"' + token.replace('"', '""') + '"' for token in tokens)


class Fts5Engine:
    name = "fts5"

    def __init__(self, work_dir: Path, *, drop_stop_words: bool = False):
        self.drop_stop_words = drop_stop_words
        work_dir.mkdir(parents=True, exist_ok=True)
        self.path = work_dir / "fts5.db"
        self.conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        # The same durability settings as the bot's database.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)

    def ingest_file(self, corpus: Path, truth: Path) -> int:
        """Bulk load the JSON lines in one transaction (the FTS5 equivalent of `index add`)."""
        count = 0
        with corpus.open(encoding="utf-8") as docs, truth.open(encoding="utf-8") as labels:
            self.conn.execute("BEGIN")
            for line, label_line in zip(docs, labels, strict=True):
                record, label = json.loads(line), json.loads(label_line)
                self._insert(record, label["lang"], label["technologies"])
                count += 1
            self.conn.execute("COMMIT")
        return count

    def _insert(self, record: dict, lang: str, technologies: list[str]) -> None:
        cur = self.conn.execute(
            "INSERT INTO posts(id, kind, author, lang, date, url, technologies) VALUES (?,?,?,?,?,?,?)",
            (
                record["id"],
                record["kind"],
                record["author"],
                lang,
                record["date"],
                record["url"],
                json.dumps(technologies),
            ),
        )
        self.conn.execute(
            "INSERT INTO posts_fts(rowid, title, text) VALUES (?,?,?)",
            (cur.lastrowid, record["title"], record["text"]),
        )

    def upsert(self, post: Post) -> None:
        """One new post, committed (as the bot commits each message it receives)."""
        self.conn.execute("BEGIN")
        old = self.conn.execute("SELECT rowid FROM posts WHERE id = ?", (post.id,)).fetchone()
        if old:
            self.conn.execute("DELETE FROM posts WHERE rowid = ?", old)
            self.conn.execute("DELETE FROM posts_fts WHERE rowid = ?", old)
        self._insert(post.ingest_record(), post.lang, post.technologies)
        self.conn.execute("COMMIT")

    def search(self, question: Question, limit: int = 5) -> list[str]:
        expression = match_expression(question.text, self.drop_stop_words)
        if not expression:
            return []
        where, params = ["posts_fts MATCH ?"], [expression]
        f = question.filters
        if f.get("technology"):
            where.append("p.technologies LIKE ?")
            params.append(f'%"{f["technology"]}"%')
        for name in ("kind", "lang"):
            if f.get(name):
                where.append(f"p.{name} = ?")
                params.append(f[name])
        if f.get("author"):
            where.append("p.author = ? COLLATE NOCASE")
            params.append(f["author"])
        if f.get("since"):
            where.append("p.date >= ?")
            params.append(f["since"])
        if f.get("until"):
            where.append("p.date < ?")
            params.append((date.fromisoformat(f["until"]) + timedelta(days=1)).isoformat())
        sql = (
            "SELECT p.id, snippet(posts_fts, 1, '**', '**', '…', 24) FROM posts_fts "
            "JOIN posts p ON p.rowid = posts_fts.rowid WHERE "
            + " AND ".join(where)
            + " ORDER BY bm25(posts_fts) LIMIT ?"
        )
        return [row[0] for row in self.conn.execute(sql, [*params, limit])]

    def disk_bytes(self) -> dict[str, int]:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total = sum(p.stat().st_size for p in self.path.parent.glob("fts5.db*"))
        return {"total": total, "database": total, "search_index": 0}

    def close(self) -> None:
        self.conn.close()
