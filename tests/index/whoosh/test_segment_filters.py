"""Filters read per segment (bitmaps and a day column) must agree with what the filters mean,
across several segments, commits after the cache was filled, deletions and documents without a date."""

from __future__ import annotations

from datetime import UTC, datetime

from index.documents import Document, Filters
from index.whoosh.segment_filters import FilterSpec, SegmentFilters
from tests.conftest import post


def day(year: int, month: int, dom: int) -> datetime:
    return datetime(year, month, dom, tzinfo=UTC)


def ids(answer) -> set[str]:
    return {hit.id for hit in answer.results}


def test_date_range_over_several_segments_and_commits(kb):
    # One document per commit: each write is its own segment (until Whoosh merges them).
    kb.upsert(post("old", "precintos electrónicos en la frontera", date=day(2020, 3, 1)))
    kb.upsert(post("mid", "precintos electrónicos en el puerto", date=day(2022, 6, 15)))
    kb.upsert(Document(id="undated", text="precintos electrónicos sin fecha"))
    question = "precintos electrónicos"
    assert ids(kb.search(question, Filters(since=day(2021, 1, 1)))) == {"mid"}
    assert ids(kb.search(question, Filters(until=day(2021, 1, 1)))) == {"old"}
    assert ids(kb.search(question, Filters(since=day(2022, 6, 15), until=day(2022, 6, 15)))) == {"mid"}
    assert ids(kb.search(question)) == {"old", "mid", "undated"}  # no date filter: undated ones count

    kb.upsert(post("new", "precintos electrónicos en el aeropuerto", date=day(2024, 1, 2)))  # after caching
    assert ids(kb.search(question, Filters(since=day(2021, 1, 1)))) == {"mid", "new"}
    kb.delete("mid")
    assert ids(kb.search(question, Filters(since=day(2021, 1, 1)))) == {"new"}


def test_term_filters_combine_with_each_other_and_with_dates(kb):
    kb.upsert_many(
        [
            post("a", "Blockchain para el OEA en Perú", kind="case-study", date=day(2023, 1, 10)),
            post("b", "Blockchain para el OEA en Chile", date=day(2023, 1, 10)),
            post("c", "Blockchain pour l'OEA au Pérou", kind="case-study", date=day(2019, 1, 10)),
        ]
    )
    question = "blockchain OEA"
    assert ids(kb.search(question, Filters(kind="case-study"))) == {"a", "c"}
    assert ids(kb.search(question, Filters(kind="case-study", lang="es"))) == {"a"}
    assert ids(kb.search(question, Filters(kind="case-study", since=day(2020, 1, 1)))) == {"a"}
    assert ids(kb.search(question, Filters(country="PE", technology="blockchain"))) == {"a", "c"}
    nothing = kb.search(question, Filters(kind="workshop-summary"))
    assert nothing.results == [] and nothing.total == 0


def test_cache_forgets_segments_that_are_gone(kb):
    for i in range(12):  # enough small commits for Whoosh to merge segments away
        kb.upsert(post(f"p{i}", f"precintos electrónicos número {i}", date=day(2023, 1, 1 + i)))
        kb.search("precintos", Filters(since=day(2023, 1, 1), kind="post"))
    engine = kb.engine
    live = {leaf.segment().segment_id() for leaf, _ in engine._searcher.reader().leaf_readers()}
    cached = engine._filters.cache.segment_ids()
    assert cached <= live
    assert len(ids(kb.search("precintos", Filters(since=day(2023, 1, 6)), limit=20))) == 7


def test_no_filter_is_no_allowed_set(kb):
    kb.upsert(post("a", "precintos"))
    assert SegmentFilters("day").allowed(kb.engine._searcher.reader(), FilterSpec()) is None
