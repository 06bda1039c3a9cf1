"""A long ingest on worker processes (index.bulk_ingest, index.whoosh.segment_workers): the same index and
database as the serial path, and a failure, a dead worker or Ctrl-C leaves no process, no stray file
and no lost document."""

from __future__ import annotations

import json
import os
import pickle
import random
import signal
import threading
from pathlib import Path

import pytest

from benchmarks.corpus import CorpusGenerator
from index.bulk_ingest import upsert_stream, worker_count
from index.ingest import ingest_paths
from index.knowledge import KnowledgeBase
from index.lexicon import document_words
from index.tagger import Tags
from index.whoosh.segment_workers import Analysed, SegmentWorkers, WorkerFailed
from tests.conftest import CONFIG_DIR, open_kb, post

POSTS = 90
THRESHOLD = 20  # the pool starts at this many documents (the real default is far higher)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """Generated Discord-like posts in four languages."""
    gen = CorpusGenerator(11, CONFIG_DIR / "glossary.yaml")
    return [gen.post(i).ingest_record() for i in range(POSTS)]


@pytest.fixture
def corpus(tmp_path, records) -> Path:
    return write_jsonl(tmp_path / "posts.jsonl", records)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """The pool from 20 documents on, 10 per batch, each committed alone: every worker gets several
    batches, and the database several transactions."""
    monkeypatch.setattr("index.bulk_ingest.THRESHOLD", THRESHOLD)
    monkeypatch.setattr("index.bulk_ingest.BATCH_DOCS", 10)
    monkeypatch.setattr("index.bulk_ingest.COMMIT_DOCS", 10)


def ingest(kb: KnowledgeBase, path: Path, workers: int):
    return ingest_paths(kb, [path], workers=workers, limits=None)


def index_contents(kb: KnowledgeBase) -> dict:
    """Everything a search can see, by document id rather than by internal document number."""
    searcher = kb.engine._live_searcher()
    reader = searcher.reader()
    ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
    postings = {}
    for field, term in reader.all_terms():
        matcher = reader.postings(field, term)
        found = []
        while matcher.is_active():
            if matcher.id() in ids:
                found.append((ids[matcher.id()], matcher.weight()))
            matcher.next()
        if found:
            postings[(field, term)] = sorted(found)
    stored = {fields["id"]: fields for _, fields in reader.iter_docs()}
    lengths = {
        (ids[docnum], field): reader.doc_field_length(docnum, field) or 0  # None or 0: no length
        for docnum in ids
        for field in ("concepts", "countries", "text_en", "text_es", "text_fr", "text_pt")
    }
    return {"postings": postings, "stored": stored, "lengths": lengths, "count": reader.doc_count()}


def database_contents(kb: KnowledgeBase) -> dict:
    db = kb.store.db
    # Tags as data: concepts with equal counts come in set order, which differs between processes.
    return {
        "documents": [
            (row["id"], row["text"], json.loads(row["tags"]), row["doc_type"], row["content_hash"])
            for row in db.query("SELECT id, text, tags, doc_type, content_hash FROM documents ORDER BY id")
        ],
        "lexicon": [tuple(row) for row in db.query("SELECT word, docs FROM lexicon ORDER BY word")],
        "journal": kb.store.pending_count(),
    }


def test_workers_build_the_same_index_and_database_as_the_serial_path(tmp_path, corpus):
    serial, parallel = open_kb(tmp_path / "serial"), open_kb(tmp_path / "parallel")
    try:
        one = ingest(serial, corpus, workers=0)
        two = ingest(parallel, corpus, workers=2)
        assert (two.added, two.updated, two.skipped) == (one.added, one.updated, one.skipped)
        assert one.added == POSTS
        assert index_contents(parallel) == index_contents(serial)
        assert database_contents(parallel) == database_contents(serial)
        assert database_contents(parallel)["journal"] == 0
        assert len(list((tmp_path / "parallel" / "index").rglob("*.tmp"))) == 0
        # The same scores; documents with equal scores may come in another order (document numbers).
        for question in ("contenedores refrigerados", "customs inspection", "blockchain"):
            answers = [kb.search(question, limit=POSTS).results for kb in (serial, parallel)]
            assert answers[0]
            assert [sorted((round(h.score, 9), h.id) for h in answer) for answer in answers] == [
                sorted((round(h.score, 9), h.id) for h in answers[0])
            ] * 2
    finally:
        for kb in (serial, parallel):
            kb.close()
            kb.store.db.close()


def test_reingesting_through_workers_changes_nothing_and_an_edit_replaces_the_old_version(
    tmp_path, corpus, records
):
    kb = open_kb(tmp_path / "data")
    try:
        ingest(kb, corpus, workers=2)
        before = index_contents(kb)
        again = ingest(kb, corpus, workers=2)
        assert (again.added, again.updated, again.unchanged) == (0, 0, POSTS)
        assert index_contents(kb) == before

        lines = corpus.read_text(encoding="utf-8").splitlines()
        first = json.loads(lines[0])
        first["text"] = "Probamos escáneres de rayos X para contenedores refrigerados en Manzanillo."
        edited = tmp_path / "edited.jsonl"
        edited.write_text("\n".join([json.dumps(first, ensure_ascii=False), *lines[1:]]) + "\n", "utf-8")
        report = ingest(kb, edited, workers=2)
        assert (report.updated, report.unchanged) == (1, POSTS - 1)
        assert kb.engine.doc_count() == before["count"]
        hits = kb.search("escáneres rayos X Manzanillo").results
        assert hits and hits[0].id == first["id"]

        twice = [*records, {**records[7], "text": "Edited: contenedores refrigerados en Manzanillo."}]
        report = ingest(kb, write_jsonl(tmp_path / "twice.jsonl", twice), workers=2)
        assert kb.get(records[7]["id"]).text.startswith("Edited")  # the later of the two wins
        assert kb.engine.doc_count() == POSTS
        found = [h.id for h in kb.search("contenedores refrigerados", limit=POSTS).results]
        assert found.count(records[7]["id"]) == 1
        assert index_contents(kb)["stored"][records[7]["id"]]["id"] == records[7]["id"]
    finally:
        kb.close()
        kb.store.db.close()


def test_a_short_ingest_starts_no_worker(kb, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a short ingest must not start the pool")

    monkeypatch.setattr(SegmentWorkers, "__init__", refuse)
    docs = [post(f"p{i}", f"Precintos electrónicos número {i} en la frontera.") for i in range(5)]
    assert upsert_stream(kb, docs, workers=2, threshold=THRESHOLD) == ["added"] * 5
    assert kb.engine.doc_count() == 5


@pytest.fixture
def started(monkeypatch) -> list[SegmentWorkers]:
    """Every pool the test starts, to check afterwards that none of its processes is left."""
    pools: list[SegmentWorkers] = []
    original = SegmentWorkers.__init__

    def recording(self, *args, **kwargs):
        pools.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(SegmentWorkers, "__init__", recording)
    return pools


def assert_cleaned_up(kb: KnowledgeBase, pools: list[SegmentWorkers], files_before: set[str]) -> None:
    assert pools
    for pool in pools:
        for process, _ in pool._workers:
            assert not process.is_alive()
    generation = kb.engine.folder.current()
    assert {p.name for p in generation.iterdir()} == files_before


def test_a_failing_batch_stops_the_workers_and_keeps_every_document_for_the_next_sync(
    kb, corpus, started, monkeypatch
):
    files_before = {p.name for p in kb.engine.folder.current().iterdir()}
    calls = 0
    upsert = kb.store.upsert

    def fail_on_the_third(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # Ctrl-C in the middle of an ingest
        return upsert(*args, **kwargs)

    monkeypatch.setattr(kb.store, "upsert", fail_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        ingest(kb, corpus, workers=2)
    assert_cleaned_up(kb, started, files_before)
    assert kb.engine.doc_count() == 0  # the live index is untouched
    stored = kb.store.count()
    assert stored == 20 and kb.store.pending_count() == 20  # two batches committed, journalled
    assert kb.sync() == 20
    assert kb.engine.doc_count() == 20


def test_batches_committed_together_are_stored_together_and_a_failure_keeps_those_committed(
    kb, corpus, records, started, monkeypatch
):
    """Three batches to a transaction: the one after a failure is lost whole, never in part, and
    every document of those before it is stored and journalled for the next sync."""
    monkeypatch.setattr("index.bulk_ingest.COMMIT_DOCS", 30)
    calls: list[int] = []
    upsert = kb.store.upsert

    def fail_on_the_second(items, *args, **kwargs):
        calls.append(len(items))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return upsert(items, *args, **kwargs)

    monkeypatch.setattr(kb.store, "upsert", fail_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        ingest(kb, corpus, workers=2)
    assert calls == [30, 30]
    assert kb.engine.doc_count() == 0
    assert kb.store.all_ids() == {record["id"] for record in records[:30]}
    assert kb.store.pending_count() == 30
    assert kb.sync() == 30


def test_a_worker_that_dies_fails_the_ingest_with_one_line(kb, corpus, started, monkeypatch):
    files_before = {p.name for p in kb.engine.folder.current().iterdir()}
    original = SegmentWorkers.analyse

    def kill_one(self, batches):
        os.kill(self._workers[1][0].pid, signal.SIGKILL)
        yield from original(self, batches)

    monkeypatch.setattr(SegmentWorkers, "analyse", kill_one)
    with pytest.raises(WorkerFailed, match=r"indexing worker 1 stopped unexpectedly \(exit status -9\)"):
        ingest(kb, corpus, workers=2)
    assert_cleaned_up(kb, started, files_before)
    assert kb.engine.doc_count() == 0


def test_a_worker_error_is_reported_as_one_line(tmp_path):
    from whoosh import index as whoosh_index

    from index.whoosh.schema import build_schema

    folder = tmp_path / "ix"
    folder.mkdir()
    whoosh_index.create_in(str(folder), build_schema())
    pool = SegmentWorkers(folder, (None, None), workers=1, limit_mb=8)  # no glossary: tagging fails
    try:
        with pytest.raises(WorkerFailed, match=r"^indexing worker 0 failed: AttributeError: .*"):
            list(pool.analyse([[post("p1", "Precintos electrónicos en la frontera.")]]))
    finally:
        pool.cancel()
    assert not pool._workers[0][0].is_alive()
    assert not [p.name for p in folder.iterdir() if p.suffix in (".seg", ".tmp") or p.is_dir()]


def test_the_pool_is_automatic_only_where_asked_and_only_on_more_than_one_core(monkeypatch):
    """The library's default stays in one process (the bot's own paths, beside its event loop);
    `index add`'s default, auto, takes one worker per usable core up to two, none on one core."""
    assert worker_count(None) == 0 and worker_count(0) == 0
    for cores, expected in ((1, 0), (2, 2), (8, 2)):
        monkeypatch.setattr("os.sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert worker_count("auto") == expected
        assert worker_count(3) == min(3, cores)


def test_each_document_is_hashed_once_and_validated_without_copies(tmp_path, corpus, monkeypatch):
    """The parent's share of a bulk ingest: the content hash that decided a document was new is the
    one stored (not computed again), and a document already valid is not copied when checked again."""
    import index.bulk_ingest
    import index.store
    import index.validation

    hashed: list[str] = []
    real_hash = index.store.content_hash

    def counting(doc):
        hashed.append(doc.id)
        return real_hash(doc)

    copies: list[str] = []
    real_replace = index.validation.replace

    def copying(doc, **changes):
        copies.append(doc.id)
        return real_replace(doc, **changes)

    monkeypatch.setattr(index.bulk_ingest, "content_hash", counting)
    monkeypatch.setattr(index.store, "content_hash", counting)
    monkeypatch.setattr(index.validation, "replace", copying)
    kb = open_kb(tmp_path / "kb")
    try:
        hashed.clear()
        copies.clear()
        report = ingest(kb, corpus, workers=2)
        assert report.added == POSTS
        assert sorted(hashed) == sorted(set(hashed)) and len(hashed) == POSTS
        assert len(copies) <= POSTS  # at most one normalising copy each, none when checked again
        stored = {
            row["id"]: row["content_hash"]
            for row in kb.store.db.query("SELECT id, content_hash FROM documents")
        }
        assert all(stored[doc_id] for doc_id in hashed)
    finally:
        kb.close()


def test_batches_and_answers_larger_than_a_pipe_holds_flow_both_ways_without_deadlock(
    kb, started, monkeypatch
):
    """Two batches of about a megabyte in flight per worker, each answered by as much again (every
    document has hundreds of long distinct words): were this process to send while a worker sends
    to it, with neither reading, the ingest would never end. The guard below only stops a hang."""
    monkeypatch.setattr("index.bulk_ingest.BATCH_DOCS", 40)
    monkeypatch.setattr("index.bulk_ingest.COMMIT_DOCS", 80)  # two batches to a transaction
    assert SegmentWorkers.DEPTH >= 2
    rng = random.Random(5)
    vocabulary = [f"zq{n:05d}{'abcdefghijklmnopqrstuvwxyz'[n % 26] * 20}" for n in range(8_000)]
    docs = [post(f"big{i}", " ".join(rng.sample(vocabulary, 800))) for i in range(160)]
    outcome: list = []
    ingest = threading.Thread(target=lambda: outcome.append(upsert_stream(kb, docs, workers=2, threshold=20)))
    ingest.start()
    ingest.join(600)
    if ingest.is_alive():  # a deadlock: stop the workers so the test fails instead of hanging
        for pool in started:
            pool.cancel()
        ingest.join(30)
        pytest.fail("the bulk ingest deadlocked on its pipes")
    assert outcome == [["added"] * 160]
    assert all(started[0]._counts) and sum(started[0]._counts) == 160  # both workers took batches
    assert kb.engine.doc_count() == 160 and kb.store.pending_count() == 0
    assert kb.store.lexicon.frequency(vocabulary[0]) == sum(vocabulary[0] in d.text.split() for d in docs)


def test_what_a_worker_finds_crosses_the_pipe_as_plain_values_and_comes_back_the_same():
    tags = Tags(langs=("es", "en"), concepts={"seals": 2}, countries=("PA",), doc_type="experience")
    words = document_words("ﷺ Precintos electrónicos en Panamá")  # one word folds to four with spaces
    message = Analysed.message(tags, words)
    assert all(type(value) in (tuple, dict, str) for value in message)
    found = Analysed.read(pickle.loads(pickle.dumps(message)))
    assert found.tags == tags and sorted(found.words) == sorted(words)
    assert Analysed.read(Analysed.message(Tags(langs=("en",)), set())).words == []
