"""The in-place reader that replaces Whoosh's copying one must read exactly what BytesIO would."""

from __future__ import annotations

import io
import pickle

from index.whoosh.mapped_segments import _ViewReader


def test_view_reader_reads_like_bytesio():
    data = b"line one\nline two\n" + pickle.dumps({"terms": [1, 2, 3]}, protocol=-1) + b"tail"
    ours, theirs = _ViewReader(memoryview(data)), io.BytesIO(data)
    for f in (ours, theirs):
        f.seek(0)
    assert ours.readline() == theirs.readline()
    assert ours.read(4) == theirs.read(4)
    assert ours.tell() == theirs.tell()
    assert ours.readline() == theirs.readline()
    assert pickle.load(ours) == pickle.load(theirs)
    assert ours.read() == theirs.read() == b"tail"
    assert ours.read(10) == theirs.read(10) == b""
    ours.seek(-4, 2)
    theirs.seek(-4, 2)
    buffer_a, buffer_b = bytearray(8), bytearray(8)
    assert ours.readinto(buffer_a) == theirs.readinto(buffer_b) == 4
    assert buffer_a == buffer_b


def test_searches_read_segments_in_place(kb):
    from tests.conftest import post

    kb.upsert_many([post(f"d{i}", f"precintos electrónicos número {i}") for i in range(30)])
    reader = kb.engine._searcher.reader()
    postings = reader.postings("text_es", "precint")
    assert len(list(postings.all_ids())) == 30
    assert type(postings._postfile.file).__name__ == "_ViewReader"  # not a BytesIO copy
