"""SummedOr must score and count exactly as Whoosh's own Or does, only faster."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from whoosh import query as Q

from index.whoosh.queries import whoosh_query
from index.whoosh.summed_or import SummedOr
from tests.conftest import post


def test_same_scores_order_and_total_as_whoosh_or(kb):
    kb.upsert_many(
        [
            post(f"d{i}", f"precintos electrónicos {'contenedores ' * (i % 4)}puerto{i % 5} aduana")
            for i in range(60)
        ]
    )
    kb.upsert(post("other", "nada que ver"))  # a second segment
    kb.delete("d7")  # a segment with a deleted document: its postings come filtered
    searcher = kb.engine._searcher
    assert any(leaf.has_deletions() for leaf, _ in searcher.reader().leaf_readers())
    parts = [
        Q.Term("text_es", "precint"),
        Q.Term("text_es", "contenedor", boost=2.0),
        Q.Term("text_es", "puerto3"),
        Q.Term("text_es", "absent"),
    ]
    theirs = searcher.search(Q.Or(parts), limit=20, optimize=False)
    ours = searcher.search(SummedOr(parts), limit=20, optimize=False)
    assert [(h.docnum, round(h.score, 9)) for h in ours] == [(h.docnum, round(h.score, 9)) for h in theirs]
    assert len(ours) == len(theirs) == 59
    allowed = {hit.docnum for hit in theirs}  # a filter, as the engine passes one
    assert len(searcher.search(SummedOr(parts), limit=5, filter=allowed, optimize=False)) == 20


def test_no_match_and_copy(kb):
    kb.upsert(post("a", "precintos"))
    searcher = kb.engine._searcher
    assert len(searcher.search(SummedOr([Q.Term("text_es", "absent")]), limit=5)) == 0
    matcher = SummedOr([Q.Term("text_es", "precint"), Q.Term("text_es", "absent")]).matcher(searcher)
    assert type(matcher).__name__ == "_SummedMatcher"
    copy = matcher.copy()
    assert (copy.id(), copy.score(), copy.max_quality()) == (
        matcher.id(),
        matcher.score(),
        matcher.max_quality(),
    )


def test_questions_are_built_as_summed_or(kb):
    assert isinstance(whoosh_query(kb.queries.build("precintos electrónicos en la aduana").clauses), SummedOr)


def test_matched_terms_noted_while_scoring_equal_a_walk_of_the_postings(kb):
    from index.whoosh.matches import matched_terms as _matched_terms

    kb.upsert_many([post(f"d{i}", f"precintos {'contenedores ' * (i % 3)}puerto{i % 4}") for i in range(30)])
    kb.upsert(post("late", "contenedores en el puerto1"))  # a second segment
    engine = kb.engine
    parts = [
        Q.Term("text_es", "precint"),
        Q.Term("text_es", "contenedor", boost=0.5),
        Q.Term("text_es", "puerto1"),
    ]
    query = SummedOr(parts)
    hits, total, _ = engine.search_query(query, None, limit=40)
    assert total == 31 and len(query.matches) == 2  # noted for both segments
    terms = {(t.fieldname, t.text) for t in parts}
    searcher = engine._searcher
    walked = _matched_terms(searcher, [h.docnum for h in searcher.search(Q.Or(parts), limit=40)], terms)
    by_id = {searcher.stored_fields(docnum)["id"]: found for docnum, found in walked.items()}
    assert {h.id: set(h.matched) for h in hits} == by_id
    single = engine.search_query(SummedOr([Q.Term("text_es", "puerto1")]), None, limit=40)[0]  # nothing noted
    assert {h.id for h in single} == {h.id for h in hits if ("text_es", "puerto1") in h.matched}
    assert all(h.matched == {("text_es", "puerto1")} for h in single)


def test_top_documents_equal_whoosh_or_ranking_with_deletions_and_filters(kb):
    """The engine's own path (score arrays, no collector) ranks and counts exactly as Whoosh's Or,
    filtered by Whoosh's way of filtering, including ties, deleted documents and several segments."""
    from index.fields import FilterSpec
    from index.whoosh.summed_or import top_documents

    kb.upsert_many(
        [
            post(f"d{i}", f"precintos electrónicos {'contenedores ' * (i % 4)}puerto{i % 5} aduana")
            for i in range(150)  # more than one 128-posting block per term
        ]
    )
    later = datetime(2024, 2, 1, tzinfo=UTC)
    kb.upsert_many([post(f"e{i}", f"contenedores puerto{i % 3}", date=later) for i in range(20)])
    kb.delete("d7")
    kb.delete("e3")
    engine = kb.engine
    searcher = engine._searcher
    assert len(searcher.reader().leaf_readers()) >= 2
    parts = [
        Q.Term("text_es", "precint"),
        Q.Term("text_es", "contenedor", boost=2.0),
        Q.Term("text_es", "puerto3"),
        Q.Term("text_es", "absent"),
    ]
    for limit in (1, 5, 40, 500):
        theirs = searcher.search(Q.Or(parts), limit=limit, optimize=False)
        top, total = top_documents(SummedOr(parts), searcher, None, limit)
        assert top == [(hit.docnum, hit.score) for hit in theirs]  # exactly the same numbers
        assert total == len(theirs) == 168
    first = (later - datetime(1970, 1, 1, tzinfo=UTC)).days
    allowed = engine._filters.allowed(searcher.reader(), FilterSpec(first_day=first))
    docnums = [hit.docnum for hit in searcher.search(Q.Or(parts), limit=None, optimize=False)]
    assert allowed.mask(np.array(docnums)).tolist() == [d in allowed for d in docnums]
    theirs = searcher.search(Q.Or(parts), limit=10, filter=allowed, optimize=False)
    top, total = top_documents(SummedOr(parts), searcher, allowed, 10)
    assert top == [(hit.docnum, hit.score) for hit in theirs]
    assert total == len(theirs) == 19  # the later posts only
