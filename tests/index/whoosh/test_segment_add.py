"""segment_add.add_document builds the segment Whoosh's own add_document builds: every term, posting
(document, weight, encoded value), field length, stored field and column value compared."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.documents import Document
from index.fields import document_fields
from index.tagger import Tags
from index.whoosh.posting_pool import ChunkedPostingPool
from index.whoosh.schema import build_schema
from index.whoosh.segment_add import add_document

CORPUS = Path(__file__).resolve().parents[2] / "evalset" / "corpus"
LANGS = [("en",), ("es",), ("fr",), ("pt",), ("es", "en"), ("fr", "pt", "en")]


def documents() -> list[tuple[Document, Tags]]:
    """The project's evaluation corpus, tagged by hand in turn with every language mix, concepts
    (repeated past the cap), countries and types; then a few texts at the edges."""
    items = []
    for n, path in enumerate(sorted(CORPUS.glob("*.md"))):
        tags = Tags(
            langs=LANGS[n % len(LANGS)],
            concepts={"c-seal": n % 7, "c-risk": 1} if n % 3 else {},
            countries=("BR", "MX")[: n % 3],
            technologies=("ai",) if n % 4 == 0 else (),
            doc_type=("experience", "question", "other")[n % 3],
        )
        date = datetime(2023, 1 + n % 12, 1 + n % 28) if n % 5 else None
        doc = Document(
            id=f"d{n}",
            text=path.read_text(encoding="utf-8"),
            title=f"Title {n}",
            author=f"Áuthor {n % 9}",
            date=date,
        )
        items.append((doc, tags))
    edges = [
        "",
        "the of and de la le o a",  # only stop words
        "Électronique ÉLECTRONIQUE électronique electronique œuvre STRASSE ß İstanbul naïve",
        "seal seal seal seals sealing SEAL " * 50,
        "数字 海关 таможня جمارك 2024-05-01 10:30 v1.2.3 x_y_z",
    ]
    for n, text in enumerate(edges):
        tags = Tags(langs=LANGS[n % len(LANGS)], concepts={"c-seal": 9})
        items.append((Document(id=f"Edge-{n} ID", text=text, author=""), tags))
    return items


def build(folder: Path, add, limit_mb: float) -> whoosh_index.Index:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer()
    # a small buffer: the postings are sorted into several runs and merged, as in a bulk ingest
    writer.pool = ChunkedPostingPool(writer._tempstorage, writer.newsegment, limitmb=limit_mb)
    for doc, tags in documents():
        add(writer, document_fields(doc, tags))
    writer.commit()
    return ix


def contents(ix) -> dict:
    with ix.searcher() as searcher:
        reader = searcher.reader()
        schema = ix.schema
        found: dict = {"docs": reader.doc_count_all(), "stored": list(reader.iter_docs())}
        for name in schema.names():
            field = schema[name]
            if field.indexed:
                postings = {}
                for term in reader.field_terms(name):
                    matcher = reader.postings(name, term)
                    rows = []
                    while matcher.is_active():
                        rows.append((matcher.id(), matcher.weight(), matcher.value()))
                        matcher.next()
                    postings[term] = rows
                found[f"postings {name}"] = postings
            if field.scorable:
                found[f"total length {name}"] = reader.field_length(name)
                found[f"max length {name}"] = reader.max_field_length(name)
                found[f"lengths {name}"] = [
                    reader.doc_field_length(n, name) for n in range(reader.doc_count_all())
                ]
            if reader.has_column(name):
                column = reader.column_reader(name)
                found[f"column {name}"] = [column[n] for n in range(reader.doc_count_all())]
    return found


@pytest.mark.parametrize("limit_mb", [0.02, 8])
def test_the_same_segment_as_whooshs_add_document(tmp_path, limit_mb):
    whoosh_way = contents(build(tmp_path / "whoosh", lambda w, fields: w.add_document(**fields), limit_mb))
    ours = contents(build(tmp_path / "ours", add_document, limit_mb))
    assert whoosh_way.keys() == ours.keys()
    for key in whoosh_way:
        assert ours[key] == whoosh_way[key], key
    # not a comparison of two empty indexes
    assert whoosh_way["docs"] == len(documents()) > 100
    assert len(whoosh_way["postings text_en"]) > 1000 and whoosh_way["postings concepts"]
    assert any(weight > 1 for rows in whoosh_way["postings text_es"].values() for _, weight, _ in rows)


def test_boosts_and_unknown_fields_take_whooshs_way(tmp_path):
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer()
    writer.pool = ChunkedPostingPool.replacing(writer.pool)
    add_document(writer, {"id": "a", "text_en": "seal seal", "_text_en_boost": 2.0})
    with pytest.raises(Exception, match="No field named 'nonsense'"):
        add_document(writer, {"id": "b", "nonsense": "x"})
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.reader().postings("text_en", "seal").weight() == 4.0


def test_the_same_postings_reach_the_pool(tmp_path):
    """Before the codec: each posting tuple (field, term, document, weight, encoded value) as
    Whoosh's add_document hands it to the pool, and the per-document writer's fields."""
    pools = []
    for name, add in (("whoosh", lambda w, fields: w.add_document(**fields)), ("ours", add_document)):
        folder = tmp_path / name
        folder.mkdir()
        writer = whoosh_index.create_in(str(folder), build_schema()).writer()
        writer.pool = ChunkedPostingPool(writer._tempstorage, writer.newsegment, limitmb=64)
        for doc, tags in documents():
            add(writer, document_fields(doc, tags))
        current = writer.pool.current  # private API: the pool's unsorted buffer (nothing spilled)
        pools.append(([(f, t, d, w, type(w), v) for f, t, d, w, v in current], writer.pool.fieldnames))
        writer.cancel()
    assert pools[0][0] and not writer.pool.runs
    assert sorted(pools[1][0]) == sorted(pools[0][0])
    assert pools[1][1] == pools[0][1]
