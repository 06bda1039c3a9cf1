"""The search backend: Whoosh on one machine, behind a small interface (write, search, spelling).

A group that outgrows one machine would add another backend with the same methods (OpenSearch,
Elasticsearch); nothing above this module knows it is Whoosh.

Each document's text goes into the field of its language (`text_es`, …), analysed with that
language's stop words and stemmer; a query is analysed for all four fields. Concept and country
tags from the glossary are keyword fields, which is what carries a question across languages.
"""

from __future__ import annotations

import bisect
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import Searcher

from index import mapped_segments
from index.analysis import FoldingStemTokenizer, fold
from index.documents import LANGUAGES, Document, Filters
from index.facets import SegmentFacets
from index.field_lengths import CachedLengthBM25F, SegmentLengths
from index.posting_pool import ChunkedPostingPool
from index.segment_filters import NO_DAY, FilterSpec, SegmentFilters
from index.summed_or import SummedOr
from index.tagger import Tags

SCHEMA_VERSION = "10"  # bump when fields or analysis change: the index is then rebuilt from SQLite
MAX_CONCEPT_REPEAT = 5
BM25_B, BM25_K1 = 0.75, 1.2
WRITER_WAIT_SECONDS = 5.0
# Whoosh sorts its posting buffer in one C call that holds the GIL: at 64 MB that stalled the event
# loop for most of a second; 8 MB keeps it under 100 ms at the same ingest speed.
WRITER_LIMIT_MB = 8


class IndexBusy(RuntimeError):
    """Another process (the running bot, an `index add`) holds Whoosh's write lock."""


def build_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "doctype": ID(stored=True),  # experience, question, event, resource, other: re-ranked and filtered by
        "lang": KEYWORD(),
        "technologies": KEYWORD(),
        "countries": KEYWORD(scorable=True),
        "concepts": KEYWORD(scorable=True),
        "author": ID(),
        "day": COLUMN(NumericColumn("i", default=NO_DAY)),  # days since 1970: a column, read to filter
    }
    for lang in LANGUAGES:  # no positions: questions are matched by terms and concepts, not phrases
        fields[f"text_{lang}"] = TEXT(analyzer=FoldingStemTokenizer(lang), phrase=False)
    return Schema(**fields)


def author_key(author: str) -> str:
    return " ".join(fold(author).split())


def _day(value: datetime) -> int:
    """Day precision: date filters are by day, and a term per second made every post's date unique."""
    return int(value.timestamp()) // 86_400


@dataclass(frozen=True)
class RawHit:
    id: str
    score: float
    matched: frozenset[tuple[str, str]] = frozenset()  # (field, term) pairs the document matched
    kind: str = "post"
    doc_type: str = ""


class WhooshEngine:
    """One writer at a time (a lock), and a searcher replaced after every commit."""

    def __init__(self, index_dir: Path):
        mapped_segments.install()
        self.index_dir = index_dir
        self._lock = threading.RLock()
        # A searcher's segment files have one read position each: two threads reading through the
        # same searcher at once move each other's position and read garbage (UnpicklingError, zlib
        # errors, wrong answers). Searches come from several worker threads (Discord, the web), so
        # every read through the shared searcher holds this lock; the GIL serialised them anyway.
        self._read_lock = threading.Lock()
        self._lengths = SegmentLengths()
        self._weighting = CachedLengthBM25F(self._lengths, B=BM25_B, K1=BM25_K1)
        self._ix = self._open_or_create()
        self._searcher: Searcher = self._ix.searcher(weighting=self._weighting)
        self._filters = SegmentFilters("day")
        self._facets = SegmentFacets()

    def _open_or_create(self):
        version_file = self.index_dir / "SCHEMA_VERSION"
        trusted = version_file.exists() and version_file.read_text().strip() == SCHEMA_VERSION
        if trusted and whoosh_index.exists_in(str(self.index_dir)):
            return whoosh_index.open_dir(str(self.index_dir))
        return self._create()

    def _create(self):
        if self.index_dir.exists():
            shutil.rmtree(self.index_dir)
        self.index_dir.mkdir(parents=True)
        ix = whoosh_index.create_in(str(self.index_dir), build_schema())
        (self.index_dir / "SCHEMA_VERSION").write_text(SCHEMA_VERSION)
        self.created = True
        return ix

    created = False  # True when this process had to start an empty index (nothing to trust in it)

    # -- writing ---------------------------------------------------------------------------------

    def write(self, changes: Iterable[tuple[str, tuple[Document, Tags] | None]]) -> int:
        """Apply (id, document or None to delete) changes in one Whoosh commit: searches see all of
        them or none. `changes` may be a long stream (a bulk ingest): one writer, one commit."""
        with self._lock:
            try:
                writer = self._ix.writer(limitmb=WRITER_LIMIT_MB, timeout=WRITER_WAIT_SECONDS, delay=0.1)
            except LockError:
                raise IndexBusy(
                    f"the search index in {self.index_dir} is being written by another process"
                ) from None
            writer.pool = ChunkedPostingPool.replacing(writer.pool)
            count = 0
            try:
                # What update_document() does, with one searcher for the whole batch: it opens a
                # new one (every segment's files) per document, which made ingest slower with
                # every segment the index grew.
                with writer.searcher() as committed:
                    for doc_id, item in changes:
                        writer.delete_by_term("id", doc_id, searcher=committed)
                        if item is not None:
                            writer.add_document(**self._fields(*item))
                            count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            # A new searcher, not refresh(): refresh() closes the readers of segments a merge
            # removed, so a search still running on the old searcher in another thread fails
            # with ReaderClosed. The old one is freed when its last search lets go of it.
            self._searcher = self._ix.searcher(weighting=self._weighting)
            live = _segment_ids(self._searcher)
            self._filters.cache.forget_except(live)
            self._facets.cache.forget_except(live)
            self._lengths.cache.forget_except(live)
            return count

    def _fields(self, doc: Document, tags: Tags) -> dict:
        fields: dict = {
            "id": doc.id,
            "kind": doc.kind,
            "doctype": tags.doc_type,
            "lang": " ".join(tags.langs),
            "technologies": " ".join(tags.technologies),
            "countries": " ".join(tags.countries),
            "concepts": " ".join(
                " ".join([cid] * min(n, MAX_CONCEPT_REPEAT)) for cid, n in tags.concepts.items()
            ),
            "author": author_key(doc.author),
        }
        if doc.date:
            fields["day"] = _day(doc.date)
        for lang in tags.langs:
            fields[f"text_{lang}"] = doc.full_text
        return fields

    def reset(self) -> None:
        """Start from an empty index (a rebuild follows). The old searcher is not closed: a search
        still running on it in another thread finishes on its open files (freed when it lets go)."""
        with self._lock:
            self._ix = self._create()
            self._searcher = self._ix.searcher(weighting=self._weighting)

    # -- reading ---------------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._read_lock:
            return self._searcher.doc_count()

    def all_ids(self) -> set[str]:
        with self._read_lock:
            return {fields["id"] for fields in self._searcher.all_stored_fields()}

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())

    def search(
        self, query: Q.Query, filters: Filters | None, limit: int, also_check: Iterable[tuple[str, str]] = ()
    ) -> tuple[list[RawHit], int, dict[str, dict[str, int]]]:
        """Top `limit` documents, each with which of the query's terms (and of `also_check`, terms
        worth knowing about but not worth searching by) it contains; the number of matches; and
        how many matches are of each country, technology, kind and type."""
        searcher = self._searcher  # a reference: a commit may replace it meanwhile
        if not searcher.up_to_date():  # another process committed (e.g. `index add` beside the bot)
            with self._lock:
                searcher = self._searcher = self._ix.searcher(weighting=self._weighting)
        with self._read_lock:
            allowed = self._filters.allowed(searcher.reader(), filter_spec(filters))
            results = searcher.search(query, limit=limit, filter=allowed, optimize=False)
            terms = {(t.fieldname, t.text) for t in query.leaves() if isinstance(t, Q.Term)} | set(also_check)
            docnums = [hit.docnum for hit in results]
            if isinstance(query, SummedOr) and query.matches:
                matched = _noted_matches(searcher, docnums, query.matches)
                noted = set().union(*(by_term.keys() for by_term in query.matches.values()))
                for docnum, found in _matched_terms(searcher, docnums, terms - noted).items():
                    matched[docnum] |= found
            else:
                matched = _matched_terms(searcher, docnums, terms)
            counts = (
                self._facets.counts(searcher.reader(), query.docs, allowed)
                if isinstance(query, SummedOr)
                else {}
            )
            hits = [
                RawHit(
                    hit["id"],
                    hit.score,
                    frozenset(matched[hit.docnum]),
                    hit.get("kind", "post"),
                    hit.get("doctype", ""),
                )
                for hit in results
            ]
            return hits, len(results), counts

    def frequency(self, field: str, term: str) -> int:
        """Documents containing the term (0 for unknown terms)."""
        with self._read_lock:
            return self._searcher.doc_frequency(field, term)

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            self._ix.close()


def _segment_ids(searcher: Searcher) -> set[str]:
    segments = (leaf.segment() for leaf, _ in searcher.reader().leaf_readers())
    return {segment.segment_id() for segment in segments if segment is not None}


def _noted_matches(
    searcher: Searcher, docnums: list[int], noted: dict[str, dict[tuple[str, str], list[int]]]
) -> dict[int, set[tuple[str, str]]]:
    """Which terms each document matched, from what SummedOr noted while scoring each segment."""
    leaves = sorted((base, leaf.segment()) for leaf, base in searcher.reader().leaf_readers())
    bases = [base for base, _ in leaves]
    matched: dict[int, set[tuple[str, str]]] = {}
    for docnum in docnums:
        base, segment = leaves[bisect.bisect_right(bases, docnum) - 1]
        local = docnum - base
        by_term = noted.get(segment.segment_id(), {}) if segment is not None else {}
        matched[docnum] = {
            term
            for term, docs in by_term.items()
            if (i := bisect.bisect_left(docs, local)) < len(docs) and docs[i] == local
        }
    return matched


def _matched_terms(
    searcher: Searcher, docnums: list[int], terms: set[tuple[str, str]]
) -> dict[int, set[tuple[str, str]]]:
    """Which of the query's terms each of a few documents contains, by skipping through postings.

    Whoosh's own `terms=True` records matches for every document it scores, which cost more than
    the search itself; the re-ranking needs them for the top few only.
    """
    matched: dict[int, set[tuple[str, str]]] = {docnum: set() for docnum in docnums}
    targets = sorted(docnums)
    reader = searcher.reader()
    for field, text in terms:
        if (field, text) not in reader:
            continue
        postings = reader.postings(field, text)
        for docnum in targets:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                matched[docnum].add((field, text))
    return matched


def filter_spec(filters: Filters | None) -> FilterSpec:
    if filters is None:
        return FilterSpec()
    terms = [
        (field, value)
        for field, value in (
            ("technologies", filters.technology),
            ("kind", filters.kind),
            ("doctype", filters.doc_type),
            ("lang", filters.lang),
            ("countries", filters.country),
            ("author", author_key(filters.author) if filters.author else None),
        )
        if value
    ]
    return FilterSpec(
        terms=tuple(terms),
        first_day=_day(filters.since) if filters.since else None,
        last_day=_day(filters.until) if filters.until else None,
    )
