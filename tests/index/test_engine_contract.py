"""What every search engine (index.search_engine.SearchEngine) must do, run against each of them:
a new engine is done when it passes this file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.analysis import fold, stem
from index.documents import Document, Filters
from index.errors import IndexDamaged
from index.fts5 import Fts5Engine
from index.search_engine import ALWAYS, BestOf, SearchEngine, SearchPlan, Term
from index.tagger import Tags
from index.whoosh import WhooshEngine
from tests.conftest import open_kb, post

ENGINES: dict[str, Callable[[Path], SearchEngine]] = {
    "whoosh": lambda folder: WhooshEngine(folder),
    "fts5": lambda folder: Fts5Engine(folder),
}


@pytest.fixture(params=sorted(ENGINES))
def engine(request, tmp_path: Path) -> Iterator[SearchEngine]:
    made = ENGINES[request.param](tmp_path / "index")
    made.rebuild([])  # a fresh data directory: the knowledge base builds an empty index first
    yield made
    made.close()


def doc(doc_id: str, text: str, lang: str = "es", **tags) -> tuple[str, tuple[Document, Tags]]:
    when = tags.pop("date", datetime(2023, 5, 1, tzinfo=UTC))
    kind = tags.pop("kind", "post")
    author = tags.pop("author", "Ana Pérez")
    document = Document(id=doc_id, text=text, kind=kind, author=author, date=when)
    return doc_id, (document, Tags(langs=(lang,), **tags))


def term(lang: str, word: str) -> Term:
    """A word as the query builder searches it: folded, then stemmed."""
    return Term(f"text_{lang}", stem(lang, fold(word)))


def es(word: str) -> Term:
    return term("es", word)


def ids(found) -> list[str]:
    return [hit.id for hit in found.hits]


def test_documents_are_added_replaced_and_deleted(engine: SearchEngine) -> None:
    assert engine.write([doc("a", "precintos electrónicos"), doc("b", "contenedores en el puerto")]) == 2
    assert engine.doc_count() == 2 and engine.all_ids() == {"a", "b"}
    engine.write([doc("a", "escáneres de rayos x")])  # the same id again: replaced, not added
    assert engine.doc_count() == 2
    assert ids(engine.search(SearchPlan((es("precintos"),)))) == []
    assert ids(engine.search(SearchPlan((es("escáneres"),)))) == ["a"]
    engine.write([("b", None), ("never-there", None)])
    assert engine.all_ids() == {"a"}


def test_a_rebuild_replaces_everything_unless_another_made_it_moot(engine: SearchEngine) -> None:
    engine.write([doc("old", "precintos")])
    stamp = engine.opened_stamp
    assert (
        engine.rebuild([doc("new", "precintos"), doc("other", "puerto")], unless_replaced_since=ALWAYS) == 2
    )
    assert engine.all_ids() == {"new", "other"}
    assert engine.rebuild([doc("x", "puerto")], unless_replaced_since=stamp) is None  # already rebuilt
    assert engine.all_ids() == {"new", "other"}


def test_hits_are_ordered_by_summed_boosted_scores(engine: SearchEngine) -> None:
    engine.write(
        [
            doc("one-word", "precintos y otras cosas del puerto de carga"),
            doc("both-words", "precintos en contenedores del puerto de carga"),
            doc("concept", "un texto sin las palabras", concepts={"e-seal": 1}),
            doc("nothing", "escáneres de rayos"),
        ]
    )
    found = engine.search(SearchPlan((es("precintos"), es("contenedores"))))
    assert ids(found) == ["both-words", "one-word"] and found.total == 2
    assert [h.score for h in found.hits] == sorted((h.score for h in found.hits), reverse=True)
    boosted = engine.search(SearchPlan((es("precintos"), Term("concepts", "e-seal", boost=50.0))))
    assert ids(boosted)[0] == "concept"
    assert ("concepts", "e-seal") in boosted.hits[0].matched
    assert engine.search(SearchPlan((es("precintos"),), limit=1)).total == 2  # counted beyond the limit


def test_a_word_in_several_languages_counts_once(engine: SearchEngine) -> None:
    engine.write([doc("es", "precintos electrónicos"), doc("pt", "lacres eletrônicos", lang="pt")])
    word = BestOf((term("es", "electrónicos"), term("pt", "eletrônicos")))
    found = engine.search(SearchPlan((word,)))
    assert sorted(ids(found)) == ["es", "pt"]
    assert all(len(hit.matched) == 1 for hit in found.hits)


def test_filters_limit_what_is_found(engine: SearchEngine) -> None:
    engine.write(
        [
            doc(
                "pe",
                "precintos",
                countries=("PE",),
                technologies=("rfid",),
                date=datetime(2022, 1, 5, tzinfo=UTC),
            ),
            doc("mx", "precintos", countries=("MX",), kind="case-study", author="Luis Gómez"),
            doc("en", "precintos", lang="en", doc_type="question"),
        ]
    )
    plan = (term("es", "precintos"), term("en", "precintos"))

    def only(filters: Filters) -> list[str]:
        return sorted(ids(engine.search(SearchPlan(plan, filters))))

    assert only(Filters()) == ["en", "mx", "pe"]
    assert only(Filters(country="PE")) == ["pe"]
    assert only(Filters(technology="rfid")) == ["pe"]
    assert only(Filters(kind="case-study")) == ["mx"]
    assert only(Filters(author="luis gomez")) == ["mx"]  # accents and case do not matter
    assert only(Filters(lang="en")) == ["en"]
    assert only(Filters(doc_type="question")) == ["en"]
    assert only(Filters(until=datetime(2022, 12, 31, tzinfo=UTC))) == ["pe"]
    assert only(Filters(since=datetime(2023, 1, 1, tzinfo=UTC))) == ["en", "mx"]
    assert only(Filters(country="PE", kind="case-study")) == []


def test_counts_cover_every_match_and_hits_carry_kind_and_type(engine: SearchEngine) -> None:
    engine.write(
        [
            doc(f"d{i}", "precintos", countries=("PE",) if i < 3 else ("MX",), doc_type="experience")
            for i in range(5)
        ]
        + [doc("cs", "precintos", kind="case-study", doc_type="resource")]
    )
    found = engine.search(SearchPlan((es("precintos"),), limit=2))
    assert found.total == 6 and len(found.hits) == 2
    assert found.counts["country"] == {"PE": 3, "MX": 2}
    assert found.counts["kind"] == {"post": 5, "case-study": 1}
    assert found.counts["type"] == {"experience": 5, "resource": 1}
    cs = engine.search(SearchPlan((es("precintos"),), Filters(kind="case-study"))).hits[0]
    assert (cs.kind, cs.doc_type) == ("case-study", "resource")


def test_terms_to_check_are_reported_on_hits_without_being_searched(engine: SearchEngine) -> None:
    engine.write([doc("a", "precintos en el puerto"), doc("b", "puerto")])
    port = (es("puerto").field, es("puerto").text)
    found = engine.search(SearchPlan((es("precintos"),), also_check=frozenset({port})))
    assert ids(found) == ["a"] and found.hits[0].matched == {
        (es("precintos").field, es("precintos").text),
        port,
    }


def test_term_frequencies(engine: SearchEngine) -> None:
    engine.write([doc("a", "precintos"), doc("b", "precintos y puerto"), doc("c", "sealed", lang="en")])
    assert engine.frequency(*astuple(es("precintos"))[:2]) == 2
    assert engine.frequency("lang", "en") == 1
    assert engine.frequency("text_es", "absent") == 0


def test_snippets_bold_the_matched_words(engine: SearchEngine) -> None:
    text = "Intro. " + "relleno " * 80 + "Usamos **precintos** electrónicos en el puerto. " + "fin " * 80
    snippet = engine.snippet(text, "es", {es("precintos").text})
    assert "**precintos**" in snippet and len(snippet) < 400 and "****" not in snippet
    assert engine.snippet("Sin coincidencias aquí.", "es", {es("puerto").text}) == "Sin coincidencias aquí."


def test_an_unreadable_index_is_reported_as_damage(engine: SearchEngine, tmp_path: Path) -> None:
    engine.write([doc("a", "precintos")])
    engine.close()
    reopened = type(engine)(tmp_path / "index")
    try:
        assert reopened.all_ids() == {"a"} and reopened.damage is None
        for path in (tmp_path / "index").rglob("*"):
            if path.is_file() and path.stat().st_size > 100:
                path.write_bytes(b"\0" * path.stat().st_size)
        with pytest.raises(IndexDamaged):
            broken = type(engine)(tmp_path / "index")
            try:
                if broken.damage is None:
                    broken.search(SearchPlan((es("precintos"),)))
                    broken.all_ids()
                raise IndexDamaged(broken.damage or "read garbage without noticing")
            finally:
                broken.close()
    finally:
        reopened.close()


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_the_knowledge_base_answers_through_either_engine(name: str, tmp_path: Path) -> None:
    kb = open_kb(tmp_path / "data", engine=ENGINES[name](tmp_path / "data" / "index"))
    try:
        kb.upsert_many(
            [
                post("es", "Usamos precintos electrónicos en contenedores del puerto del Callao, Perú."),
                post("en", "Our electronic seals pilot at the port went well."),
                post("other", "Capacitación en gestión de riesgos."),
            ]
        )
        answer = kb.search("precintos electrónicos")
        assert {hit.id for hit in answer.results} == {"es", "en"}  # the concept carries it into English
        assert "**" in answer.results[0].snippet
        assert kb.search("precintos electrónicos", filters=Filters(lang="en")).results[0].id == "en"
    finally:
        kb.close()
        kb.store.db.close()
