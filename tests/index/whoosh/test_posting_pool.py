"""A bulk write bigger than the writer's buffer goes through sorted runs: chunked, nothing lost."""

from __future__ import annotations

from index.whoosh import engine
from index.whoosh.posting_pool import ChunkedPostingPool
from tests.conftest import post


def test_bulk_write_through_many_runs_loses_nothing(kb, monkeypatch):
    runs = []
    original = ChunkedPostingPool._write_run

    def counting(self, f, items):
        runs.append(1)
        return original(self, f, items)

    monkeypatch.setattr(ChunkedPostingPool, "_write_run", counting)
    monkeypatch.setattr(engine, "WRITER_LIMIT_MB", 0.05)  # ~250 postings a run
    monkeypatch.setattr("index.whoosh.posting_pool.CHUNK", 7)  # several chunks per run, one partial
    docs = [post(f"d{i}", f"precintos electrónicos código{i} " + " ".join(f"w{i}x{j}" for j in range(40)))
            for i in range(120)]  # fmt: skip
    kb.upsert_many(docs)
    assert len(runs) > 10
    for i in (0, 57, 119):
        assert [hit.id for hit in kb.search(f"código{i}").results] == [f"d{i}"]
    assert kb.search("precintos", limit=200).total == 120
