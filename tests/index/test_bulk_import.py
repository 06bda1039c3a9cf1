"""Bulk imports (issue 14): indexed in bounded batches while they stream, and every skip counted
by kind, with only the first ones named, so a huge export costs what a small one does."""

from __future__ import annotations

import json

from bot.cli import main
from index import analysis, ingest
from index.ingest import IngestReport, ingest_paths, parse_file
from tests.conftest import CONFIG_DIR, post
from tests.index.test_hostile_files import export, message


def test_a_bulk_import_is_indexed_batch_by_batch_while_it_streams(kb):
    """One Whoosh commit per batch: its postings, runs and terms are all that is held, however
    long the stream. Before, the whole import was indexed in one commit at the end."""
    searchable_while_streaming = []

    def stream():
        for i in range(35):
            if i == 25:  # two batches of ten are in: both must be searchable already
                searchable_while_streaming.append(kb.search("precintos", limit=50).total)
            yield post(f"d{i}", f"precintos electrónicos número {i}")

    outcomes = kb.upsert_many(stream(), index_batch=10)
    assert outcomes == ["added"] * 35
    assert searchable_while_streaming == [20]
    assert kb.search("precintos", limit=50).total == 35
    assert kb.store.pending_count() == 0


def test_skips_are_counted_by_kind_and_only_the_first_are_listed(kb, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LISTED_SKIPS", 3)
    bad = [message(f"x{i}") for i in range(5)]  # no valid message id
    good = [message(str(i), f"precintos electrónicos {i}") for i in range(1, 4)]
    tmp_path = tmp_path / "src"
    tmp_path.mkdir()
    (tmp_path / "chat.json").write_text(export(good + bad), encoding="utf-8")
    lines = "\n".join(['{"text": "escáneres en el puerto"}', "{not json", "[1]"])
    (tmp_path / "posts.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "slides.pptx").write_text("x", encoding="utf-8")
    report = ingest_paths(kb, [tmp_path], limits=None)
    assert report.added == 4
    assert report.skipped_counts == {"message": 5, "line": 2, "file": 1}
    assert report.skipped_total == 8 and len(report.skipped) == 3
    assert report.to_json()["skipped_counts"] == {"file": 1, "line": 2, "message": 5}


def test_index_add_says_what_it_left_out_by_kind(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_LISTED_SKIPS", 2)
    bad = [message(f"x{i}") for i in range(4)]
    bot = message("9", "Anuncio", author={"id": "12", "name": "bot", "isBot": True})
    path = tmp_path / "chat.json"
    path.write_text(export([message("1"), bot, *bad]), encoding="utf-8")
    config = ["--config", str(CONFIG_DIR / "clikc.yaml"), "--data-dir", str(tmp_path / "var")]
    status = main([*config, "index", "add", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[0] == "added 1, updated 0, unchanged 0, skipped 4 (4 messages)"
    assert lines[1] == f"  note: {path}: left out 1 bot messages"
    assert lines[2] == f"  skipped {path}: message x0: no valid message id"
    assert lines[4] == "  … and 2 more skipped (the first 2 are listed)"
    assert len(lines) == 5


def test_a_single_skipped_file_keeps_the_short_summary():
    report = IngestReport()
    report.skip("notes/a.pptx", "unsupported file type '.pptx'")
    assert report.skipped_total == 1 and report.skipped_counts == {"file": 1}
    assert json.loads(json.dumps(report.to_json()))["skipped"] == [
        {"path": "notes/a.pptx", "reason": "unsupported file type '.pptx'"}
    ]


def test_word_caches_stay_bounded_over_many_distinct_words(monkeypatch):
    """A large import meets hundreds of thousands of distinct words: each cache keeps at most
    WORD_CACHE_SIZE of them (they held up to 1.6 million, ~200 MB)."""
    monkeypatch.setattr(analysis.stem, "_cache", {lang: {} for lang in analysis.LANGUAGES})
    for n in range(analysis.WORD_CACHE_SIZE + 500):
        analysis.stem("es", f"palabra{n}")
    assert 0 < len(analysis.stem._cache["es"]) <= analysis.WORD_CACHE_SIZE


def test_an_export_is_read_message_by_message_not_whole(tmp_path):
    """Issue 14: exports were read whole (a 14 MB export took 209 MB). The first documents come
    while most of the file is still unread."""
    messages = [message(str(n), f"precintos electrónicos en el puerto {n} " * 5) for n in range(1, 5001)]
    path = tmp_path / "chat.json"
    path.write_text(export(messages), encoding="utf-8")
    size = path.stat().st_size
    items = parse_file(str(path), "chat", {}, 10 * 2**20, 100 * 2**20)
    docs = 0
    for item in items:
        if item[0] == "doc":
            docs += 1
        elif item[0] == "progress":
            break
    assert docs == 500 and item[1] < size / 4, (item, size)
    items.close()
