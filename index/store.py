"""Documents in SQLite — the source of truth — and the journal of writes the search index still owes.

Every upsert or delete adds the document id to `index_journal` in the same transaction, so a crash
between the SQLite commit and the Whoosh commit loses nothing: the journal is replayed on open.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from index.database import Database
from index.documents import SAMPLE_META, Document, full_text
from index.lexicon import Lexicon
from index.sections import SECTION_OF
from index.tagger import Tags

# What json.dumps(..., ensure_ascii=False) does, its encoder built once instead of per call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def content_hash(doc: Document) -> str:
    payload = _JSON(
        [
            doc.kind,
            doc.title,
            doc.text,
            doc.author,
            _iso(doc.date),
            doc.url,
            doc.lang,
            sorted(doc.technologies),
            sorted(doc.meta.items()),
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# Given the write's connection and the documents' author ids, which authors must not be stored.
AuthorVeto = Callable[[sqlite3.Connection, set[str]], set[str]]


class DocumentStore:
    def __init__(self, db: Database, veto: AuthorVeto | None = None):
        self.db = db
        self.veto = veto  # checked inside each write transaction, so no path can slip past it
        self.lexicon = Lexicon(db)

    def upsert(
        self,
        items: Iterable[tuple[Document, Tags]],
        now: datetime,
        *,
        words: Sequence[Iterable[str]] | None = None,
        journal: list[int] | None = None,
        digests: Sequence[str] | None = None,
    ) -> list[str]:
        """Write documents and journal them in one transaction; outcome per document
        ('opted_out' for a document whose author the veto refuses). `words`: each document's lexicon
        words, already read, in the order of `items` (a bulk ingest's workers read them);
        `journal` receives the sequence numbers of the journal entries written, for a writer that
        indexes them itself; `digests`: each document's `content_hash`, already computed (a bulk
        ingest compares them first, to send only changed documents to its workers).

        A few statements per call, whatever its length (the stored hashes read in one, the rows
        written in one, their journal entries in one): a bulk ingest's parent spends its time here,
        on the cores its workers need. The outcome of each document is what writing them one by
        one would give, a second copy of an id in the same call included."""
        items = list(items)
        stamp = now.isoformat()
        outcomes: list[str] = []
        rows: list[tuple] = []
        added: list[str] = []
        added_words: list[Iterable[str]] = []
        replaced: list[str] = []
        with self.db.transaction() as conn:
            authors = {str(doc.meta["author_id"]) for doc, _ in items if doc.meta.get("author_id")}
            refused = self.veto(conn, authors) if self.veto and authors else set()
            stored = dict(_select_by_id(conn, "id, content_hash", [doc.id for doc, _ in items]))
            latest: dict[str, Document] = {}  # an id written earlier in this call: its copy now stored
            old_ids: list[str] = []  # ids replaced whose previous copy is the stored one: read their texts
            for number, (doc, tags) in enumerate(items):
                if refused and str(doc.meta.get("author_id")) in refused:
                    outcomes.append("opted_out")
                    continue
                digest = digests[number] if digests is not None else content_hash(doc)
                previous = stored.get(doc.id)
                if previous == digest:
                    outcomes.append("unchanged")
                    continue
                if words is not None:
                    added_words.append(words[number])
                else:
                    added.append(doc.full_text)
                if previous is not None:  # replaced: its old words are uncounted
                    earlier = latest.get(doc.id)
                    if earlier is None:
                        old_ids.append(doc.id)
                    else:
                        replaced.append(earlier.full_text)
                stored[doc.id] = digest
                latest[doc.id] = doc
                rows.append(_row(doc, tags, digest, stamp))
                outcomes.append("updated" if previous is not None else "added")
            replaced += _stored_texts(conn, old_ids)
            conn.executemany(_INSERT_DOCUMENT, rows)
            seqs = _journal(conn, [row[0] for row in rows])
            if journal is not None:
                journal += seqs
            Lexicon.count(conn, added, replaced, added_words=added_words)
        return outcomes

    def delete(self, doc_ids: Iterable[str], *, journal_missing: bool = False) -> list[str]:
        """Delete and journal; returns the ids that existed. `journal_missing`: journal the others
        too, so the index drops them even if only it had them."""
        deleted = []
        removed: list[str] = []
        with self.db.transaction() as conn:
            for doc_id in doc_ids:
                row = conn.execute("SELECT title, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
                if row is None:
                    if journal_missing:
                        conn.execute("INSERT INTO index_journal (doc_id) VALUES (?)", (doc_id,))
                    continue
                conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
                conn.execute("INSERT INTO index_journal (doc_id) VALUES (?)", (doc_id,))
                deleted.append(doc_id)
                removed.append(full_text(row["title"], row["text"]))
            Lexicon.count(conn, (), removed)
        return deleted

    def ids_where(self, *, author_id: str | None = None, channel_id: str | None = None) -> list[str]:
        """Ids of the documents by one author, or posted in one channel or thread (exactly one given)."""
        if (author_id is None) == (channel_id is None):
            raise TypeError("ids_where() takes exactly one of author_id or channel_id")
        if author_id is not None:
            rows = self.db.query("SELECT id FROM documents WHERE author_id = ?", (str(author_id),))
        else:
            rows = self.db.query(
                "SELECT id FROM documents WHERE json_extract(meta, '$.channel_id') = ?", (str(channel_id),)
            )
        return [row["id"] for row in rows]

    def ids_matching(self, *, kind: str | None, sources: list[str], sample: bool) -> list[str]:
        """See KnowledgeBase.ids_matching; a source matches itself and every path below it."""
        where, params = [], []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if sources:
            either = []
            for source in sources:
                below = source.rstrip("/\\") + "/"
                either.append("(source = ? OR substr(source, 1, ?) = ?)")
                params += [source, len(below), below]
            where.append("(" + " OR ".join(either) + ")")
        if sample:
            where.append(f"json_extract(meta, '$.{SAMPLE_META}') = 'true'")
        if not where:
            raise TypeError("ids_matching() needs at least one criterion")
        rows = self.db.query(f"SELECT id FROM documents WHERE {' AND '.join(where)} ORDER BY id", params)
        return [row["id"] for row in rows]

    def section_pairs(self, parent_ids: list[str]) -> list[tuple[str, str]]:
        """(parent id, section id) for every stored section of the given documents (index.sections)."""
        pairs = []
        for start in range(0, len(parent_ids), 500):
            chunk = parent_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT json_extract(meta, '$.{SECTION_OF}') AS parent, id FROM documents"
                f" WHERE json_extract(meta, '$.{SECTION_OF}') IN ({marks}) ORDER BY length(id), id",
                chunk,
            )
            pairs += [(row["parent"], row["id"]) for row in rows]
        return pairs

    def section_ids(self, parent_ids: list[str]) -> list[str]:
        return [section for _parent, section in self.section_pairs(parent_ids)]

    def existing_ids(self, doc_ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(doc_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row["id"] for row in self.db.query(f"SELECT id FROM documents WHERE id IN ({marks})", chunk)
            )
        return found

    def get(self, doc_id: str) -> Document | None:
        rows = self.db.query("SELECT * FROM documents WHERE id = ?", (doc_id,))
        return _to_document(rows[0]) if rows else None

    def get_many(self, doc_ids: list[str]) -> dict[str, tuple[Document, Tags]]:
        """Documents with their stored tags, for rendering answers and indexing."""
        return {
            row["id"]: (_to_document(row), Tags.from_json(json.loads(row["tags"])))
            for row in self._rows_by_id("*", doc_ids)
        }

    def content_hashes(self, doc_ids: list[str]) -> dict[str, str]:
        """The stored content hash of each of these documents that exists."""
        return {row["id"]: row["content_hash"] for row in self._rows_by_id("id, content_hash", doc_ids)}

    def tags_many(self, doc_ids: list[str]) -> dict[str, Tags]:
        """Just the tags: what re-ranking reads for the top answers, without their texts."""
        rows = self._rows_by_id("id, tags", doc_ids)
        return {row["id"]: Tags.from_json(json.loads(row["tags"])) for row in rows}

    def _rows_by_id(self, columns: str, doc_ids: list[str]) -> Iterator:
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.query(f"SELECT {columns} FROM documents WHERE id IN ({marks})", tuple(chunk))

    def rederive(self, items: list[tuple[Document, Tags]]) -> None:
        """Store the tags derived from documents again, without touching their content or the journal."""
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE documents SET tags = ?, doc_type = ? WHERE id = ?",
                [
                    (json.dumps(tags.to_json(), ensure_ascii=False), tags.doc_type, doc.id)
                    for doc, tags in items
                ],
            )

    def lexicon_draft(self) -> Lexicon.Draft:
        """Word counts for a rebuild, published when it is done."""
        return Lexicon.Draft(self.db)

    def all(self, batch: int = 2000) -> Iterator[tuple[Document, Tags]]:
        last = ""
        while True:
            rows = self.db.query("SELECT * FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
            if not rows:
                return
            for row in rows:
                yield _to_document(row), Tags.from_json(json.loads(row["tags"]))
            last = rows[-1]["id"]

    def ids_starting(self, prefix: str) -> set[str]:
        rows = self.db.query(
            "SELECT id FROM documents WHERE id >= ? AND id < ?",
            (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)),
        )
        return {row["id"] for row in rows}

    def all_ids(self) -> set[str]:
        return {row["id"] for row in self.db.query("SELECT id FROM documents")}

    def counts(self) -> dict[str, dict[str, int]]:
        """Documents by kind, type, main language and technology, counted by SQLite itself."""
        queries = {
            "kind": "SELECT kind AS k, COUNT(*) AS n FROM documents GROUP BY k",
            "type": "SELECT doc_type AS k, COUNT(*) AS n FROM documents GROUP BY k",
            "lang": "SELECT json_extract(tags, '$.langs[0]') AS k, COUNT(*) AS n FROM documents GROUP BY k",
            "technology": "SELECT t.value AS k, COUNT(*) AS n FROM documents,"
            " json_each(documents.tags, '$.technologies') AS t GROUP BY k",
        }
        return {
            name: {
                row["k"]: row["n"] for row in sorted(self.db.query(sql), key=lambda r: (-r["n"], str(r["k"])))
            }
            for name, sql in queries.items()
        }

    def count(self) -> int:
        return self.db.query("SELECT COUNT(*) AS n FROM documents")[0]["n"]

    def authors(self, prefix: str, limit: int) -> list[str]:
        rows = self.db.query(
            "SELECT author, COUNT(*) AS n FROM documents WHERE author != '' AND author LIKE ? ESCAPE '\\'"
            " GROUP BY author ORDER BY n DESC, author LIMIT ?",
            (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit),
        )
        return [row["author"] for row in rows]

    def last_journal_seq(self) -> int:
        return self.db.query("SELECT COALESCE(MAX(seq), 0) AS seq FROM index_journal")[0]["seq"]

    def journal_changes(self, last_seq: int, chunk: int = 2000) -> Iterator[tuple[str, tuple | None]]:
        """Each document journalled up to last_seq, once: (id, (document, tags)) or (id, None) if gone."""
        after = ""
        while True:
            rows = self.db.query(
                "SELECT DISTINCT doc_id FROM index_journal WHERE seq <= ? AND doc_id > ?"
                " ORDER BY doc_id LIMIT ?",
                (last_seq, after, chunk),
            )
            if not rows:
                return
            ids = [row["doc_id"] for row in rows]
            found = self.get_many(ids)
            for doc_id in ids:
                yield doc_id, found.get(doc_id)
            after = ids[-1]

    def pending_ids(self) -> set[str]:
        return {row["doc_id"] for row in self.db.query("SELECT DISTINCT doc_id FROM index_journal")}

    def pending_count(self) -> int:
        return self.db.query("SELECT COUNT(*) AS n FROM index_journal")[0]["n"]

    def settle(self, last_seq: int) -> None:
        """The index now reflects every journal entry up to last_seq."""
        self.db.execute("DELETE FROM index_journal WHERE seq <= ?", (last_seq,))

    def settle_entries(self, seqs: list[int]) -> None:
        """The index now reflects these journal entries (a bulk write indexed them itself); entries
        other processes wrote meanwhile stay for the next sync."""
        with self.db.transaction() as conn:
            for start in range(0, len(seqs), 500):
                chunk = seqs[start : start + 500]
                conn.execute(f"DELETE FROM index_journal WHERE seq IN ({','.join('?' * len(chunk))})", chunk)

    def meta_get(self, key: str) -> str | None:
        rows = self.db.query("SELECT value FROM kb_meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def meta_set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO kb_meta (key, value) VALUES (?, ?)", (key, value))


_INSERT_DOCUMENT = (
    "INSERT OR REPLACE INTO documents (id, kind, title, text, author, date, url, source,"
    " lang, technologies, meta, author_id, content_hash, tags, doc_type, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHUNK = 500  # ids per statement: far below SQLite's limit of bound parameters


def _row(doc: Document, tags: Tags, digest: str, stamp: str) -> tuple:
    return (
        doc.id,
        doc.kind,
        doc.title,
        doc.text,
        doc.author,
        _iso(doc.date),
        doc.url,
        doc.source,
        doc.lang,
        json.dumps(list(doc.technologies)) if doc.technologies else "[]",  # mostly none given
        _JSON(doc.meta),
        doc.meta.get("author_id"),
        digest,
        _JSON(tags.to_json()),
        tags.doc_type,
        stamp,
    )


def _stored_texts(conn: sqlite3.Connection, doc_ids: list[str]) -> list[str]:
    """The full text of each of these stored documents (each id once, as given)."""
    return [full_text(title, text) for title, text in _select_by_id(conn, "title, text", doc_ids)]


def _select_by_id(conn: sqlite3.Connection, columns: str, doc_ids: list[str]) -> Iterator[tuple]:
    for start in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[start : start + _CHUNK]
        sql = f"SELECT {columns} FROM documents WHERE id IN ({','.join('?' * len(chunk))})"
        yield from (tuple(row) for row in conn.execute(sql, chunk))


def _journal(conn: sqlite3.Connection, doc_ids: list[str]) -> list[int]:
    """A journal entry per id, in order; their sequence numbers, ascending."""
    seqs: list[int] = []
    for start in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[start : start + _CHUNK]
        sql = f"INSERT INTO index_journal (doc_id) VALUES {','.join(['(?)'] * len(chunk))} RETURNING seq"
        seqs += sorted(seq for (seq,) in conn.execute(sql, chunk).fetchall())
    return seqs


def _to_document(row) -> Document:
    return Document(
        id=row["id"],
        text=row["text"],
        kind=row["kind"],
        title=row["title"],
        author=row["author"],
        date=datetime.fromisoformat(row["date"]) if row["date"] else None,
        url=row["url"],
        source=row["source"],
        lang=row["lang"],
        technologies=tuple(json.loads(row["technologies"])),
        meta=json.loads(row["meta"]),
    )
