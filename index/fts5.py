"""A second search engine (index.search_engine.SearchEngine) on SQLite FTS5, stdlib only.

For a deployment that wants no Whoosh, and as proof that nothing above the engine interface knows
which engine answers. Documents are analysed by index.analysis exactly as for Whoosh (stems per
language, concept and country tags: index.fields) and stored as pre-analysed terms, so questions
match the same documents; scores are FTS5's bm25 per term, summed per document as the plan says
(a BestOf takes its best term), so rankings are close to Whoosh's but not the same numbers.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from index.analysis import analyse
from index.documents import LANGUAGES
from index.errors import IndexDamaged
from index.fields import KEYWORD_FIELDS, document_fields, filter_spec
from index.passages import snippet
from index.search_engine import ALWAYS, BestOf, Change, Found, RawHit, SearchPlan, Term

SCHEMA_VERSION = "fts5-3"
TEXT_FIELDS = tuple(f"text_{lang}" for lang in LANGUAGES)
COLUMNS = (*KEYWORD_FIELDS, *TEXT_FIELDS)
FACETS = {"country": "countries", "technology": "technologies", "kind": "kind", "type": "doctype"}
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, day INTEGER,
    {", ".join(f"{name} TEXT NOT NULL DEFAULT ''" for name in KEYWORD_FIELDS)});
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5(
    {", ".join(COLUMNS)}, tokenize="unicode61 tokenchars '-_.'");
"""


class Fts5Engine:
    """One SQLite file in `index_dir`; each write one transaction, so searches see all of it or none."""

    schema_version = SCHEMA_VERSION

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        index_dir.mkdir(parents=True, exist_ok=True)
        path = index_dir / "fts5.db"
        self._created = not path.exists()
        self._lock = threading.RLock()
        self.damage: str | None = None
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        try:
            self._conn.executescript(_SCHEMA)
            self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
        except sqlite3.DatabaseError as exc:
            self.damage = f"{type(exc).__name__}: {exc}"

    @property
    def created(self) -> bool:
        return self._created

    @property
    def opened_stamp(self) -> object:
        return self._generation()

    def _generation(self) -> str:
        return self._read("SELECT value FROM meta WHERE key = 'generation'")[0][0]

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise IndexDamaged(f"{type(exc).__name__}: {exc}") from exc

    # -- writing ---------------------------------------------------------------------------------

    def write(self, changes: Iterable[Change]) -> int:
        return self._transaction(changes, fresh=False)

    def rebuild(self, changes: Iterable[Change], *, unless_replaced_since: object = ALWAYS) -> int | None:
        replaced = unless_replaced_since is not ALWAYS and self._generation() != unless_replaced_since
        if replaced and self.damage is None:
            return None
        return self._transaction(changes, fresh=True)

    def _transaction(self, changes: Iterable[Change], *, fresh: bool) -> int:
        count = 0
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if fresh:
                    conn.execute("DELETE FROM docs")
                    conn.execute("DELETE FROM terms")
                    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                for doc_id, item in changes:
                    old = conn.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
                    if old:
                        conn.execute("DELETE FROM docs WHERE rowid = ?", old)
                        conn.execute("DELETE FROM terms WHERE rowid = ?", old)
                    if item is not None:
                        self._insert(*item)
                        count += 1
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self.damage = None
        return count

    def _insert(self, doc, tags) -> None:
        fields = document_fields(doc, tags)
        row = self._conn.execute(
            f"INSERT INTO docs(id, day, {', '.join(KEYWORD_FIELDS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(KEYWORD_FIELDS))})",
            (doc.id, fields.get("day"), *(fields[name] for name in KEYWORD_FIELDS)),
        )
        texts = [" ".join(analyse(fields[f], f[5:])) if f in fields else "" for f in TEXT_FIELDS]
        self._conn.execute(
            f"INSERT INTO terms(rowid, {', '.join(COLUMNS)}) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            (row.lastrowid, *(fields[name] for name in KEYWORD_FIELDS), *texts),
        )

    # -- reading ---------------------------------------------------------------------------------

    def search(self, plan: SearchPlan) -> Found:
        allowed = self._allowed(plan)
        scores: dict[int, float] = {}
        matched: dict[int, set[tuple[str, str]]] = {}
        for clause in plan.clauses:
            terms = clause.terms if isinstance(clause, BestOf) else (clause,)
            best: dict[int, float] = {}
            for term in terms:
                for rowid, score in self._scored(term, allowed):
                    matched.setdefault(rowid, set()).add((term.field, term.text))
                    best[rowid] = max(best.get(rowid, 0.0), score * term.boost)
            outer = clause.boost if isinstance(clause, BestOf) else 1.0
            for rowid, score in best.items():
                scores[rowid] = scores.get(rowid, 0.0) + score * outer
        ranked = sorted(scores, key=lambda rowid: (-scores[rowid], rowid))
        top = ranked[: plan.limit]
        rows = self._rows(top)
        for field, text in plan.also_check - plan.terms():
            for rowid in self._containing(field, text, top):
                matched.setdefault(rowid, set()).add((field, text))
        hits = [
            RawHit(rows[r][0], scores[r], frozenset(matched.get(r, ())), rows[r][1], rows[r][2])
            for r in top
            if r in rows
        ]
        return Found(hits, len(ranked), self._counts(ranked))

    def _allowed(self, plan: SearchPlan) -> set[int] | None:
        spec = filter_spec(plan.filters)
        if not spec.terms and not spec.has_days:
            return None
        where, params = [], []
        for field, text in spec.terms:
            where.append(f"' ' || {field} || ' ' LIKE ? ESCAPE '\\'")
            params.append("% " + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %")
        if spec.first_day is not None:
            where.append("day >= ?")
            params.append(spec.first_day)
        if spec.last_day is not None:
            where.append("day <= ?")
            params.append(spec.last_day)
        return {row[0] for row in self._read(f"SELECT rowid FROM docs WHERE {' AND '.join(where)}", params)}

    def _scored(self, term: Term, allowed: set[int] | None) -> list[tuple[int, float]]:
        if term.field not in COLUMNS:
            return []
        found = self._read(
            "SELECT rowid, -bm25(terms) FROM terms WHERE terms MATCH ?", (_match(term.field, term.text),)
        )
        return [(rowid, score) for rowid, score in found if allowed is None or rowid in allowed]

    def _containing(self, field: str, text: str, rowids: list[int]) -> list[int]:
        if field not in COLUMNS or not rowids:
            return []
        marks = ", ".join("?" * len(rowids))
        sql = f"SELECT rowid FROM terms WHERE terms MATCH ? AND rowid IN ({marks})"
        return [row[0] for row in self._read(sql, (_match(field, text), *rowids))]

    def _rows(self, rowids: list[int]) -> dict[int, tuple[str, str, str]]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        sql = f"SELECT rowid, id, kind, doctype FROM docs WHERE rowid IN ({marks})"
        return {row[0]: row[1:] for row in self._read(sql, rowids)}

    def _counts(self, rowids: list[int]) -> dict[str, dict[str, int]]:
        totals: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {', '.join(FACETS.values())} FROM docs WHERE rowid IN ({marks})"
            for row in self._read(sql, chunk):
                for name, value in zip(FACETS, row, strict=True):
                    totals[name].update(value.split())
        return {name: dict(counter.most_common()) for name, counter in totals.items()}

    def snippet(self, text: str, lang: str, terms: set[str]) -> str:
        return snippet(text, lang, terms)

    def frequency(self, field: str, term: str) -> int:
        if field not in COLUMNS:
            return 0
        return self._read("SELECT count(*) FROM terms WHERE terms MATCH ?", (_match(field, term),))[0][0]

    def doc_count(self) -> int:
        return self._read("SELECT count(*) FROM docs")[0][0]

    def all_ids(self) -> set[str]:
        return {row[0] for row in self._read("SELECT id FROM docs")}

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.index_dir.glob("fts5.db*") if p.is_file())

    def check(self) -> tuple[list[str], list[str]]:
        try:
            self._read("INSERT INTO terms(terms) VALUES ('integrity-check')")
            problems = [row[0] for row in self._read("PRAGMA integrity_check") if row[0] != "ok"]
        except IndexDamaged as exc:
            return [], [str(exc)]
        return [f"engine: SQLite FTS5, {self.doc_count()} documents"], problems

    def close(self) -> None:
        """Closing twice is harmless."""
        with self._lock:
            self._conn.close()
            self.damage = "the search index was closed"


def _match(field: str, text: str) -> str:
    """A MATCH expression for one term in one column: quoted, so no user text is query syntax."""
    return f'{field} : "{text.replace(chr(34), chr(34) * 2)}"'
