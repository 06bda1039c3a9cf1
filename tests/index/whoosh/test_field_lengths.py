"""Scoring with field lengths read once per segment gives exactly Whoosh's BM25F scores."""

from __future__ import annotations

from whoosh.scoring import BM25F

from index.whoosh.engine import BM25_B, BM25_K1
from index.whoosh.queries import whoosh_query
from tests.conftest import post


def test_same_scores_as_whoosh_bm25f_across_segments(kb):
    kb.upsert_many(
        [post(f"d{i}", "precintos electrónicos " + "contenedores aduana " * (i % 9)) for i in range(40)]
    )
    kb.upsert(post("t", "precintos", title="Contenedores y precintos en el puerto"))  # a second segment
    query = whoosh_query(kb.queries.build("precintos contenedores aduana").clauses)
    engine = kb.engine
    plain = engine._ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
    try:
        theirs = [(h.docnum, round(h.score, 9)) for h in plain.search(query, limit=None)]
        ours = [(h.docnum, round(h.score, 9)) for h in engine._searcher.search(query, limit=None)]
    finally:
        plain.close()
    assert ours == theirs and len(ours) == 41
    assert len(engine._searcher.reader().leaf_readers()) == 2  # both segments scored from the cache
    assert len(engine._lengths.cache.segment_ids()) == 2


def test_lengths_of_merged_away_segments_are_dropped(kb):
    for i in range(12):
        kb.upsert(post(f"p{i}", f"precintos electrónicos número {i}"))
        kb.search("precintos electrónicos")
    live = {leaf.segment().segment_id() for leaf, _ in kb.engine._searcher.reader().leaf_readers()}
    assert kb.engine._lengths.cache.segment_ids() <= live
