"""A segment written from an ArrayPostingPool by posting_writer is Whoosh's own, byte for byte.

Each test builds the same documents into two segments: Whoosh's way (SegmentWriter.add_document,
its PostingPool, _finalize_segment) and ours (segment_add.add_document, ArrayPostingPool,
segment_workers._finalize), then compares every file of the two segments."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from index.documents import Document
from index.fields import document_fields
from index.tagger import Tags
from index.whoosh import posting_arrays
from index.whoosh.posting_arrays import ArrayPostingPool, fits
from index.whoosh.schema import build_schema
from index.whoosh.segment_add import add_document
from index.whoosh.segment_workers import _finalize

from .test_segment_add import documents

WORDS = [
    *("customs", "seal", "risk", "border", "cargo", "container", "declaration", "tariff", "audit"),
    *("aduana", "riesgo", "frontera", "carga", "contenedor", "declaración", "arancel", "inspección"),
    *("douane", "risque", "frontière", "cargaison", "conteneur", "déclaration", "tarif", "contrôle"),
    *("alfândega", "risco", "fronteira", "contêiner", "declaração", "tarifa", "fiscalização"),
]


def synthetic(count: int, seed: int = 7) -> list[tuple[Document, Tags]]:
    """Documents over a small vocabulary: most terms have hundreds of postings (several blocks),
    with frequencies and lengths that vary."""
    rng = random.Random(seed)
    langs = [("en",), ("es",), ("fr",), ("pt",), ("es", "en"), ("fr", "pt", "en")]
    items = []
    for n in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 80)))
        tags = Tags(
            langs=langs[n % len(langs)],
            concepts={f"c-{rng.randint(1, 9)}": rng.randint(1, 7) for _ in range(rng.randint(0, 3))},
            countries=tuple(rng.sample(["BR", "MX", "HT", "JM", "CL"], rng.randint(0, 2))),
            technologies=("ai",) if n % 4 == 0 else (),
            doc_type=("experience", "question", "other")[n % 3],
        )
        date = datetime(2023, 1 + n % 12, 1 + n % 28) if n % 5 else None
        items.append((Document(id=f"s{n}", text=text, author=f"author {n % 13}", date=date), tags))
    return items


def segment_files(folder: Path, schema, items, ours: bool, limit_mb: float = 32) -> tuple[dict, int]:
    """The finished segment's files (name with the segment id left out -> bytes), and how many
    runs our pool spilled."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema)
    # private API: _lk=False, a writer without the index lock, as segment_workers makes them
    writer = SegmentWriter(ix, _lk=False, compound=False)
    if ours:
        writer.pool = ArrayPostingPool(writer._tempstorage, schema, limitmb=limit_mb)
    for fields in items:
        if ours:
            add_document(writer, fields)
        else:
            writer.add_document(**fields)
    pool = writer.pool
    runs = sum(len(field.runs) for field in pool.fields.values()) if ours else 0
    segment = _finalize(writer) if ours else writer._finalize_segment()  # private API: Whoosh's own
    segment_id = segment.segment_id()
    files = {p.name.replace(segment_id, "ID"): p.read_bytes() for p in folder.glob(f"*{segment_id}*")}
    if ours:
        with SegmentReader(ix.storage, schema, segment) as reader:
            frequencies = [reader.doc_frequency(field, term) for field, term in reader.all_terms()]
        # not a comparison of trivial segments: terms of one posting and of three blocks or more
        assert min(frequencies) == 1 and max(frequencies) > 2 * 128
    return files, runs


def assert_same(whoosh_way: dict, ours: dict) -> None:
    assert sorted(ours) == sorted(whoosh_way)
    for name in whoosh_way:
        assert ours[name] == whoosh_way[name], name


def bot_items() -> list[dict]:
    return [document_fields(doc, tags) for doc, tags in documents() + synthetic(700)]


@pytest.mark.parametrize(("limit_mb", "chunk"), [(32, None), (0.02, 500)])
def test_the_same_files_as_whoosh_for_the_bots_schema(tmp_path, monkeypatch, limit_mb, chunk):
    """The bot's schema (every field kind it has), with nothing spilled and with many runs merged
    in many small chunks."""
    if chunk:
        monkeypatch.setattr(posting_arrays, "CHUNK_POSTINGS", chunk)
    items = bot_items()
    whoosh_way, _ = segment_files(tmp_path / "whoosh", build_schema(), items, ours=False)
    ours, runs = segment_files(tmp_path / "ours", build_schema(), items, ours=True, limit_mb=limit_mb)
    assert_same(whoosh_way, ours)
    assert (runs > 3) == (limit_mb < 1)
    assert len(ours["ID.pst"]) > 100_000 and len(ours["ID.trm"]) > 10_000


def other_schema() -> Schema:
    """Boosted fields (weights that are not whole numbers), Whoosh's own analyzer and numbers
    (terms that are not UTF-8) take the ways in that the bot's schema does not."""
    return Schema(
        key=ID(stored=True, field_boost=2.5),
        body=TEXT(analyzer=StandardAnalyzer(), phrase=False, field_boost=1.3),
        tags=KEYWORD(scorable=True, field_boost=0.7),
        number=NUMERIC(int, stored=True),
        note=STORED(),
    )


def other_items(count: int) -> list[dict]:
    rng = random.Random(11)
    items = []
    for n in range(count):
        fields = {
            "key": f"k{n}" if n % 50 else "shared",
            "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40))),
            "tags": " ".join(rng.choice(["a", "b", "c", "d"]) for _ in range(rng.randint(0, 5))),
            "number": rng.randint(-5000, 5000),
            "note": {"n": n},
        }
        if n % 7 == 0:
            fields["_boost"] = 1.7  # the whole document boosted: add_document takes Whoosh's way
        if n % 11 == 0:
            fields["_body_boost"] = 0.3
        items.append(fields)
    return items


@pytest.mark.parametrize("limit_mb", [32, 0.01])
def test_the_same_files_with_boosts_numbers_and_whooshs_analyzers(tmp_path, limit_mb):
    schema = other_schema()
    assert fits(schema)
    items = other_items(600)
    whoosh_way, _ = segment_files(tmp_path / "whoosh", schema, items, ours=False)
    ours, runs = segment_files(tmp_path / "ours", schema, items, ours=True, limit_mb=limit_mb)
    assert_same(whoosh_way, ours)
    assert (runs > 0) == (limit_mb < 1)


def test_a_pool_given_documents_out_of_order_still_sorts_them(tmp_path):
    """Whoosh's way in (`add`), documents in any order, spilled: the pool gives Whoosh's order."""
    schema = other_schema()
    folder = tmp_path / "ix"
    folder.mkdir()
    storage = whoosh_index.create_in(str(folder), schema).storage
    pool = ArrayPostingPool(storage, schema, limitmb=0.001)
    rng = random.Random(3)
    items = set()
    for _ in range(3000):
        term = rng.choice(WORDS).encode("utf-8")
        doc = rng.randint(0, 400)
        weight = rng.choice([1.0, 2.0, 0.75])
        items.add(("tags", term, doc, weight, (int(weight) or 1).to_bytes(4, "big")))
        items.add(("key", term, doc, 2.5, b""))
    added = {}
    for item in sorted(items, key=lambda _: rng.random()):
        if item[:3] not in added:  # one posting per field, term and document, as a writer gives
            added[item[:3]] = item
            pool.add(item)
    assert sum(len(field.runs) for field in pool.fields.values()) > 2
    assert list(pool.iter_postings()) == sorted(added.values())
    assert not list(folder.glob("*.run"))  # the runs were removed once read


def test_schemas_it_cannot_hold():
    assert not fits(Schema(body=TEXT()))  # positions
    assert not fits(Schema(body=TEXT(phrase=False, vector=True)))
    with pytest.raises(ValueError):
        ArrayPostingPool(None, Schema(body=TEXT()))


def test_term_numbers_and_frequencies_past_two_bytes(tmp_path):
    """A field's numbers start at 2 bytes and widen when one does not fit, spilled or not."""
    schema = Schema(words=KEYWORD(scorable=True))
    folder = tmp_path / "ix"
    folder.mkdir()
    storage = whoosh_index.create_in(str(folder), schema).storage
    pool = ArrayPostingPool(storage, schema, limitmb=0.2)
    expected = []
    for doc in range(8):
        counts = {f"w{doc}-{n}": 1 + n % 3 for n in range(10_000)}
        if doc == 5:
            counts["huge"] = 70_000
        pool.add_terms("words", doc, counts)
        expected += [("words", t.encode(), doc, float(f), f.to_bytes(4, "big")) for t, f in counts.items()]
    field = pool.fields["words"]
    assert field.runs and len(field.ids) > 65_536
    assert list(pool.iter_postings()) == sorted(expected)
