"""The document store writes a whole batch in a few statements: it must store, journal and count
exactly what writing the documents one by one would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.database import Database
from index.lexicon import document_words
from index.store import DocumentStore
from index.tagger import Tags
from tests.conftest import post

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)


def refuse_mallory(conn, authors: set[str]) -> set[str]:
    return {"mallory"} & authors


def store_at(path) -> DocumentStore:
    return DocumentStore(Database(path), veto=refuse_mallory)


def contents(store: DocumentStore) -> dict:
    db = store.db
    return {
        "documents": [tuple(row) for row in db.query("SELECT * FROM documents ORDER BY id")],
        "lexicon": [tuple(row) for row in db.query("SELECT word, docs FROM lexicon ORDER BY word")],
        "journal": [tuple(row) for row in db.query("SELECT seq, doc_id FROM index_journal ORDER BY seq")],
    }


def tagged(doc):
    return doc, Tags(langs=("es",), concepts={"seals": 1}, doc_type="experience")


STORED_FIRST = [
    post("kept", "Precintos electrónicos en la frontera de Panamá."),
    post("edited", "Escáneres de rayos X en el puerto de Manzanillo."),
    post("edited-twice", "Un piloto de blockchain aduanero en Perú."),
]

BATCH = [
    post("kept", "Precintos electrónicos en la frontera de Panamá."),  # unchanged
    post("edited", "Escáneres de contenedores refrigerados en Manzanillo."),  # replaces a stored copy
    post("new", "Gestión de riesgo con inteligencia artificial en Chile."),
    post("new", "Gestión de riesgo con aprendizaje automático en Chile."),  # replaces the first copy
    post("new", "Gestión de riesgo con aprendizaje automático en Chile."),  # a third, the same: unchanged
    post("edited-twice", "Un piloto de blockchain aduanero en Perú."),  # unchanged, then edited below
    post("edited-twice", "Blockchain aduanero: el piloto terminó en Lima."),
    post("edited-twice", "Blockchain aduanero: resultados del piloto en Lima."),
    post("refused", "Mis datos no deben guardarse.", meta={"author_id": "mallory"}),
    post("named", "Ventanilla única en Costa Rica.", meta={"author_id": "alice", "channel_id": "9"}),
]


@pytest.mark.parametrize("words_given", [False, True], ids=["words read here", "words given"])
def test_a_batch_in_one_call_writes_what_one_call_per_document_writes(tmp_path, words_given):
    one_call, one_by_one = store_at(tmp_path / "one.db"), store_at(tmp_path / "many.db")
    try:
        for store in (one_call, one_by_one):
            store.upsert([tagged(doc) for doc in STORED_FIRST], NOW)
            store.settle(store.last_journal_seq())

        words = [document_words(doc.full_text) for doc in BATCH] if words_given else None
        journal: list[int] = []
        outcomes = one_call.upsert([tagged(doc) for doc in BATCH], NOW, words=words, journal=journal)
        expected = []
        for number, doc in enumerate(BATCH):
            given = [words[number]] if words else None
            expected += one_by_one.upsert([tagged(doc)], NOW, words=given)

        assert outcomes == expected == [
            "unchanged", "updated", "added", "updated", "unchanged",
            "unchanged", "updated", "updated", "opted_out", "added",
        ]  # fmt: skip
        assert contents(one_call) == contents(one_by_one)
        assert journal == [seq for seq, _ in contents(one_call)["journal"]]
        lexicon = dict(contents(one_call)["lexicon"])
        assert "inteligencia" not in lexicon and "termino" not in lexicon  # replaced words uncounted
        assert lexicon["aprendizaje"] == 1 and lexicon["resultados"] == 1 and lexicon["precintos"] == 1
    finally:
        for store in (one_call, one_by_one):
            store.db.close()


def test_a_batch_longer_than_one_statement_takes_is_written_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("index.store._CHUNK", 3)
    store = store_at(tmp_path / "kb.db")
    try:
        docs = [post(f"p{i}", f"Informe número {i} sobre precintos.") for i in range(8)]
        journal: list[int] = []
        assert store.upsert([tagged(doc) for doc in docs], NOW, journal=journal) == ["added"] * 8
        assert journal == list(range(1, 9))
        edits = [post(f"p{i}", f"Informe corregido {i} sobre escáneres.") for i in range(8)]
        assert store.upsert([tagged(doc) for doc in edits], NOW) == ["updated"] * 8
        assert store.lexicon.frequency("precintos") == 0 and store.lexicon.frequency("escaneres") == 8
        assert store.pending_count() == 16
    finally:
        store.db.close()


def test_a_bulk_write_checkpoints_less_often_and_the_setting_comes_back_after_it(tmp_path):
    db = Database(tmp_path / "kb.db")
    try:

        def pages() -> int:
            return db.query("PRAGMA wal_autocheckpoint")[0][0]

        default = pages()
        with db.checkpoints_every(10_000):
            assert pages() == 10_000
        assert pages() == default
        with pytest.raises(RuntimeError), db.checkpoints_every(5_000):
            raise RuntimeError("the ingest failed")
        assert pages() == default
    finally:
        db.close()


def test_the_log_is_cut_back_after_a_bulk_write(tmp_path):
    """SQLite keeps its write-ahead log at the largest size it reached; a bulk write lets it grow to
    thousands of pages, so it is cut when the write ends."""
    db = Database(tmp_path / "kb.db")
    try:
        db.execute("CREATE TABLE filler (text TEXT)")
        with db.checkpoints_every(10_000):
            for _ in range(20):
                with db.transaction() as conn:
                    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 4000,)] * 50)
            assert (tmp_path / "kb.db-wal").stat().st_size > 1_000_000
        assert (tmp_path / "kb.db-wal").stat().st_size == 0
        assert db.query("SELECT count(*) FROM filler")[0][0] == 1000
    finally:
        db.close()
