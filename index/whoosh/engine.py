"""The Whoosh search engine (index.search_engine.SearchEngine) on one machine.

A group that outgrows one machine would add another engine with the same methods (OpenSearch,
Elasticsearch); nothing outside index/whoosh/ knows it is Whoosh.

Each document's text goes into the field of its language (`text_es`, …), analysed with that
language's stop words and stemmer; a query is analysed for all four fields. Concept and country
tags from the glossary are keyword fields, which is what carries a question across languages.

Over 400 lines, and kept whole: every method here shares one index's locks, open generation and
searcher; what can stand apart already does (segment workers, posting pool, matches, facets, filters).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.index import LockError
from whoosh.searching import Searcher

from index.documents import Filters
from index.errors import IndexBusy, IndexDamaged
from index.fields import document_fields, filter_spec
from index.index_folder import CHECKSUMS, IndexFolder, LockTimeout
from index.search_engine import ALWAYS, Change, Found, RawHit, SearchPlan
from index.whoosh.facets import SegmentFacets
from index.whoosh.failures import NO_INDEX, Damaged, NoIndex, Stale, Watched, describe
from index.whoosh.field_lengths import CachedLengthBM25F, SegmentLengths
from index.whoosh.mapped_segments import install as install_mapped_segments
from index.whoosh.matches import matched_terms, noted_matches
from index.whoosh.posting_pool import ChunkedPostingPool
from index.whoosh.queries import whoosh_query
from index.whoosh.schema import SCHEMA_VERSION, build_schema
from index.whoosh.segment_add import add_document
from index.whoosh.segment_filters import SegmentFilters
from index.whoosh.segment_workers import ParallelWrite
from index.whoosh.snippets import snippet
from index.whoosh.summed_or import SummedOr, top_documents

BM25_B, BM25_K1 = 0.75, 1.2
WRITER_WAIT_SECONDS = 5.0
REBUILD_WAIT_SECONDS = 600.0  # a rebuild asked for by a person waits for a long `index add` to end
# Whoosh sorts its posting buffer in one C call that holds the GIL: at 64 MB that stalled the event
# loop for most of a second; 8 MB keeps it under 100 ms at the same ingest speed.
WRITER_LIMIT_MB = 8
T = TypeVar("T")
__all__ = ["IndexBusy", "IndexDamaged", "RawHit", "WhooshEngine", "SCHEMA_VERSION"]


class WhooshEngine:
    """One writer at a time (a lock all processes share), and a searcher replaced after every commit.

    The live index is one generation of the index folder (index.index_folder): a rebuild writes the
    next generation beside it and swaps the pointer, so searches never see a half-built index.
    Any failure to open or read the index, whatever its exception, is reported as IndexDamaged
    (`damage` says why when it happened on open); the knowledge base then rebuilds from SQLite.
    """

    schema_version = SCHEMA_VERSION

    def __init__(self, index_dir: Path, *, verify_contents: bool = False):
        """`verify_contents`: check every file's CRC-32 on opening (about 4 ms per MB: worth it
        for a long-running bot, not for each `ask`); sizes are always checked."""
        install_mapped_segments()
        self.index_dir = index_dir
        self.folder = IndexFolder(index_dir)
        self._lock = threading.RLock()
        # A searcher's segment files have one read position each: two threads reading through the
        # same searcher at once move each other's position and read garbage (UnpicklingError, zlib
        # errors, wrong answers). Searches come from several worker threads (Discord, the web), so
        # every read through the shared searcher holds this lock; the GIL serialised them anyway.
        self._read_lock = threading.Lock()
        self._lengths = SegmentLengths()
        self._weighting = CachedLengthBM25F(self._lengths, B=BM25_B, K1=BM25_K1)
        self._filters = SegmentFilters("day")
        self._facets = SegmentFacets()
        self._ix = None
        self._searcher: Searcher | None = None
        self._generation: Path | None = None
        self._stamp: tuple[int, int] | None = None
        self.damage: str | None = None
        self._open(verify_contents)

    @property
    def created(self) -> bool:
        """True when there was no index to open (a fresh data directory): nothing to trust in it."""
        return self.damage == NO_INDEX

    def _open(self, verify_contents: bool = False) -> None:
        """Open the generation the pointer names; on any failure, note why and keep no index open.
        A pointer replaced meanwhile (another process's rebuild) is followed once."""
        for _attempt in range(2):
            stamp = self.folder.stamp()
            try:
                ix, searcher, generation = self._open_generation(verify_contents)
            except Exception as exc:  # noqa: BLE001 - every way a damaged index fails is damage
                if self.folder.stamp() != stamp:
                    continue
                self._install(None, None, None, stamp, damage=describe(exc))
                return
            self._install(ix, searcher, generation, stamp, damage=None)
            return

    def _open_generation(self, verify_contents: bool = False):
        generation = self.folder.current()
        if generation is None or not whoosh_index.exists_in(str(generation)):
            raise NoIndex()
        version_file = generation / "SCHEMA_VERSION"
        found = version_file.read_text().strip() if version_file.exists() else "none"
        if found != SCHEMA_VERSION:
            raise Stale(f"index schema version {found}, this program needs {SCHEMA_VERSION}")
        if _has_checksums(generation) and (
            problems := self.folder.verify(generation, contents=verify_contents)
        ):
            raise Damaged(problems[0])
        ix = whoosh_index.open_dir(str(generation))
        searcher = ix.searcher(weighting=self._weighting)
        try:
            _touch_segments(searcher)
        except BaseException:
            searcher.close()
            raise
        return ix, searcher, generation

    def _install(self, ix, searcher, generation, stamp, *, damage: str | None) -> None:
        with self._lock:
            self._ix, self._searcher, self._generation, self._stamp = ix, searcher, generation, stamp
            self.damage = damage
            if searcher is not None:
                live = _segment_ids(searcher)
                self._filters.cache.forget_except(live)
                self._facets.cache.forget_except(live)
                self._lengths.cache.forget_except(live)

    def _live_searcher(self) -> Searcher:
        """The searcher for the live generation, reopened after another process's commit or rebuild."""
        searcher = self._searcher  # a reference: a commit may replace it meanwhile
        if self.folder.stamp() != self._stamp:  # a rebuild swapped generations
            self._open()
            searcher = self._searcher
        if searcher is None:
            raise IndexDamaged(self.damage or NO_INDEX)
        if not searcher.up_to_date():  # another process committed (e.g. `index add` beside the bot)
            with self._lock:
                searcher = self._searcher = self._ix.searcher(weighting=self._weighting)
        return searcher

    def _reading(self, read: Callable[[Searcher], T]) -> T:
        """Run a read; a failure is damage, unless a rebuild swapped generations under it (then it
        is run once more on the new one) or every file still has the checksum it was written with
        (then it is this program's fault, raised as it is: rebuilding would not help)."""
        stamp = self._stamp
        for attempt in range(2):
            try:
                searcher = self._live_searcher()
                with self._read_lock:
                    return read(searcher)
            except IndexDamaged:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure to read the index is damage
                failure = exc
            if attempt or self.folder.stamp() == stamp:
                break
            self._open()
        generation = self._generation
        intact = generation is not None and _has_checksums(generation)
        if intact and not self.folder.verify(generation, contents=True):
            raise failure  # every file is as written: a fault of this program, which a rebuild won't fix
        self.damage = describe(failure)
        raise IndexDamaged(self.damage) from failure

    # -- writing ---------------------------------------------------------------------------------

    def write(self, changes: Iterable[Change]) -> int:
        """Apply (id, document or None to delete) changes in one Whoosh commit: searches see all of
        them or none. `changes` may be a long stream (a bulk ingest): one writer, one commit."""
        with self._lock, self._write_lock(WRITER_WAIT_SECONDS):
            if self.folder.stamp() != self._stamp or self._ix is None:
                self._open()  # another process rebuilt, or the index was damaged: look again
            if self._ix is None:
                raise IndexDamaged(self.damage or NO_INDEX)
            count = self._commit(self._ix, changes, fresh=False)
            self.folder.record_checksums(self._generation)
            self._install(self._ix, self._ix.searcher(weighting=self._weighting), self._generation,
                          self._stamp, damage=None)  # fmt: skip
            return count

    @contextlib.contextmanager
    def parallel_write(self, tagging: tuple, workers: int) -> Iterator[ParallelWrite]:
        """A bulk write on every core (index.whoosh.segment_workers): worker processes tag, analyse
        and write segments while the caller commits to SQLite; leaving the block adds them in one
        commit. Holds the write lock throughout, as `write` does; on any failure the live index is
        untouched and the workers' files are gone."""
        with self._lock, self._write_lock(WRITER_WAIT_SECONDS):
            if self.folder.stamp() != self._stamp or self._ix is None:
                self._open()
            if self._ix is None or self._generation is None:
                raise IndexDamaged(self.damage or NO_INDEX)
            write = ParallelWrite(self._generation, tagging, workers=workers, limit_mb=WRITER_LIMIT_MB)
            try:
                yield write
                write.commit(self._ix, WRITER_WAIT_SECONDS)
            except LockError:  # a Whoosh lock left by a program that bypasses ours
                write.cancel()
                raise IndexBusy(
                    f"the search index in {self.index_dir} is being written by another process"
                ) from None
            except BaseException:
                write.cancel()
                raise
            self.folder.record_checksums(self._generation)
            self._install(self._ix, self._ix.searcher(weighting=self._weighting), self._generation,
                          self._stamp, damage=None)  # fmt: skip

    @property
    def opened_stamp(self) -> object:
        """Which generation this engine opened (or failed to): a repair passes it to `rebuild`."""
        return self._stamp

    def rebuild(
        self,
        changes: Iterable[Change],
        *,
        unless_replaced_since: object = ALWAYS,
    ) -> int | None:
        """Write every document into a new generation beside the live one, then make it live in one
        rename. Searches (here and in other processes) answer from the old one until then; writers
        wait for the lock. The old searcher is not closed: a search still running on it finishes
        on its open files.

        `unless_replaced_since` (a repair): if another thread or process made a new generation live
        since that stamp and it opens, nothing is rebuilt and None is returned."""
        note = f"waiting for the search index in {self.index_dir}: another process is writing it"
        with self._lock, self._write_lock(REBUILD_WAIT_SECONDS, note):
            if unless_replaced_since is not ALWAYS and self.folder.stamp() != unless_replaced_since:
                self._open()
                if self.damage is None:
                    return None
            generation = self.folder.new_generation()
            try:
                ix = whoosh_index.create_in(str(generation), build_schema())
                (generation / "SCHEMA_VERSION").write_text(SCHEMA_VERSION)
                count = self._commit(ix, changes, fresh=True)
                self.folder.record_checksums(generation)
                searcher = ix.searcher(weighting=self._weighting)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self.folder.switch_to(generation)
            self._install(ix, searcher, generation, self.folder.stamp(), damage=None)
            self.folder.remove_others(keep=generation)
            return count

    @contextlib.contextmanager
    def _write_lock(self, timeout: float, note: str = "") -> Iterator[None]:
        try:
            with self.folder.locked(timeout, note):
                yield
        except LockTimeout:
            raise IndexBusy(
                f"the search index in {self.index_dir} is being written by another process"
            ) from None

    def _commit(self, ix, changes: Iterable, *, fresh: bool) -> int:
        """Every change in one Whoosh commit. A failure of the index is IndexDamaged; a failure of
        the `changes` stream itself (the database) is raised as it is."""
        source = Watched(changes)
        try:
            writer = ix.writer(limitmb=WRITER_LIMIT_MB, timeout=WRITER_WAIT_SECONDS, delay=0.1)
        except LockError:  # a Whoosh lock left by a program that bypasses ours
            raise IndexBusy(
                f"the search index in {self.index_dir} is being written by another process"
            ) from None
        except Exception as exc:  # noqa: BLE001 - any failure to open a writer is damage
            raise IndexDamaged(describe(exc)) from exc
        count = 0
        try:
            # private API: SegmentWriter.pool, the posting pool a writer sorts its postings in
            writer.pool = ChunkedPostingPool.replacing(writer.pool)
            if fresh:
                for _doc_id, item in source:
                    if item is not None:
                        add_document(writer, document_fields(*item))
                        count += 1
            else:
                # What update_document() does, with one searcher for the whole batch: it opens a
                # new one (every segment's files) per document, which made ingest slower with
                # every segment the index grew.
                with writer.searcher() as committed:
                    for doc_id, item in source:
                        writer.delete_by_term("id", doc_id, searcher=committed)
                        if item is not None:
                            add_document(writer, document_fields(*item))
                            count += 1
            writer.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                writer.cancel()
            if source.failed or not isinstance(exc, Exception):
                raise
            raise IndexDamaged(describe(exc)) from exc
        return count

    # -- reading ---------------------------------------------------------------------------------

    def doc_count(self) -> int:
        return self._reading(lambda searcher: searcher.doc_count())

    def all_ids(self) -> set[str]:
        return self._reading(lambda searcher: {fields["id"] for fields in searcher.all_stored_fields()})

    def size_bytes(self) -> int:
        folder = self._generation or self.index_dir
        try:
            return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        except OSError:
            return 0

    def search(self, plan: SearchPlan) -> Found:
        query = whoosh_query(plan.clauses)
        return Found(*self.search_query(query, plan.filters, plan.limit, plan.also_check))

    def snippet(self, text: str, lang: str, terms: set[str]) -> str:
        return snippet(text, lang, terms)

    def search_query(
        self, query: Q.Query, filters: Filters | None, limit: int, also_check: Iterable[tuple[str, str]] = ()
    ) -> tuple[list[RawHit], int, dict[str, dict[str, int]]]:
        """Top `limit` documents, each with which of the query's terms (and of `also_check`, terms
        worth knowing about but not worth searching by) it contains; the number of matches; and
        how many matches are of each country, technology, kind and type."""
        return self._reading(lambda searcher: self._search(searcher, query, filters, limit, also_check))

    def _search(
        self, searcher: Searcher, query: Q.Query, filters: Filters | None, limit: int, also_check
    ) -> tuple[list[RawHit], int, dict[str, dict[str, int]]]:
        allowed = self._filters.allowed(searcher.reader(), filter_spec(filters))
        if isinstance(query, SummedOr):  # the best matches picked from its score arrays
            top, total = top_documents(query, searcher, allowed, limit)
        else:
            results = searcher.search(query, limit=limit, filter=allowed, optimize=False)
            top, total = [(hit.docnum, hit.score) for hit in results], len(results)
        terms = {(t.fieldname, t.text) for t in query.leaves() if isinstance(t, Q.Term)} | set(also_check)
        docnums = [docnum for docnum, _ in top]
        if isinstance(query, SummedOr) and query.matches:
            matched = noted_matches(searcher, docnums, query.matches)
            noted = set().union(*(by_term.keys() for by_term in query.matches.values()))
            for docnum, found in matched_terms(searcher, docnums, terms - noted).items():
                matched[docnum] |= found
        else:
            matched = matched_terms(searcher, docnums, terms)
        counts = (
            self._facets.counts(searcher.reader(), query.docs, allowed) if isinstance(query, SummedOr) else {}
        )
        hits = []
        for docnum, score in top:
            stored = searcher.stored_fields(docnum)
            hits.append(
                RawHit(
                    stored["id"],
                    score,
                    frozenset(matched[docnum]),
                    stored.get("kind", "post"),
                    stored.get("doctype", ""),
                )
            )
        return hits, total, counts

    def frequency(self, field: str, term: str) -> int:
        """Documents containing the term (0 for unknown terms)."""
        searcher = self._searcher
        if searcher is None:
            raise IndexDamaged(self.damage or NO_INDEX)
        try:
            with self._read_lock:
                return searcher.doc_frequency(field, term)
        except Exception as exc:  # noqa: BLE001 - any failure to read the index is damage
            raise IndexDamaged(describe(exc)) from exc

    def check(self) -> tuple[list[str], list[str]]:
        """(facts, problems) about the live generation: it opens, every segment's stored documents
        read back, and every file's bytes are those written. Takes no lock and writes nothing."""
        generation = self.folder.current()
        if generation is None or not generation.exists():
            return [], [f"there is no search index in {self.index_dir}"]
        facts = [f"generation: {generation.name if generation != self.index_dir else '(single folder)'}"]
        problems = self.folder.verify(generation, contents=True)
        try:
            ix, searcher, _ = self._open_generation()
        except Exception as exc:  # noqa: BLE001
            reason = describe(exc)
            return facts, [*problems, *([] if reason in problems else [f"cannot be opened: {reason}"])]
        try:
            leaves = searcher.reader().leaf_readers()
            facts.append(f"segments: {len(leaves)}, all open")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"a segment cannot be read: {describe(exc)}")
        finally:
            searcher.close()
            ix.close()
        return facts, problems

    def close(self) -> None:
        """Release the index; closing twice is harmless."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._ix = self._searcher = None
            self.damage = "the search index was closed"


def _has_checksums(generation: Path) -> bool:
    return (generation / CHECKSUMS).exists()


def _touch_segments(searcher: Searcher) -> None:
    """Open every segment and read what a search always reads (document counts, the stored
    fields' directory), so a damaged segment is found on open rather than by a question."""
    for leaf, _ in searcher.reader().leaf_readers():
        leaf.doc_count_all()
        if leaf.doc_count_all():
            leaf.stored_fields(leaf.doc_count_all() - 1)


def _segment_ids(searcher: Searcher) -> set[str]:
    segments = (leaf.segment() for leaf, _ in searcher.reader().leaf_readers())
    return {segment.segment_id() for segment in segments if segment is not None}
