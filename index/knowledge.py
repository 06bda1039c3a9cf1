"""KnowledgeBase: the facade every adapter uses — SQLite for truth, the search engine derived from it.

Writes commit to SQLite (with a journal entry) first, then to the index; `open` replays whatever
the journal still owes, so a crash between the two loses nothing. All index writes go through the
engine's single writer; a search sees a batch entirely or not at all.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from index.database import Database
from index.doctype import CLASSIFIER_VERSION
from index.documents import Answer, Document, Filters, Hit, is_sample
from index.errors import IndexBusy, IndexDamaged, UnknownCountry
from index.extract import heading_parts
from index.glossary import Vocabulary, load_vocabulary
from index.language import LanguageDetector
from index.query import COGNATES, QueryBuilder, QueryPlan
from index.reports import KnowledgeStats
from index.search_engine import RawHit, SearchEngine
from index.sections import ENGLISH, SectionLabels, split_document
from index.store import AuthorVeto, DocumentStore
from index.tagger import TAGGER_VERSION, Tagger, Tags
from index.upkeep import BATCH, IndexUpkeep
from index.validation import validate_document
from index.whoosh import WhooshEngine

log = logging.getLogger(__name__)
ACCESS = ("write", "read", "check")
# A bulk ingest is indexed every this many documents: one Whoosh commit holds a batch's postings,
# runs and terms in memory, so a 500 MB export peaks like a 20 MB one (and shows its progress).
INDEX_BATCH = 20_000
SYNC_ROUNDS = 3
RERANK_DEPTH = 50
COORD_FLOOR = 0.5
TOPIC_FLOOR = 0.6  # a document that only mentions the question's concept in passing keeps this much
FOCUS_SPREAD = 0.5  # how much a document naming many concepts equally (a list, an agenda) loses
KIND_PRIOR = {"post": 1.0, "workshop-summary": 1.1, "case-study": 1.1}  # curated write-ups over chat
# Asked for experiences (the default), members want reports before questions, agendas and lists;
# asked for slides or a recording, the post that shares them; asked when, the announcement.
TYPE_PRIOR = {
    "experience": {"experience": 1.0, "other": 0.7, "resource": 0.5, "event": 0.4, "question": 0.2},
    "resource": {"resource": 1.0, "experience": 0.8, "other": 0.7, "event": 0.7, "question": 0.3},
    "event": {"event": 1.0, "resource": 0.75, "experience": 0.5, "other": 0.5, "question": 0.5},
}


class KnowledgeBase(IndexUpkeep):
    def __init__(
        self,
        db: Database,
        index_dir: Path,
        glossary: Vocabulary,
        countries: Vocabulary,
        *,
        fingerprint: str = "",
        max_query_chars: int = 500,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        veto: AuthorVeto | None = None,
        access: str = "write",
        verify_contents: bool = False,
        engine: SearchEngine | None = None,
    ):
        """`engine`: the search engine (index.search_engine); Whoosh in `index_dir` when not given."""
        if access not in ACCESS:
            raise ValueError(f"access must be one of {', '.join(ACCESS)}")
        self.access = access
        self.store = DocumentStore(db, veto)
        self.engine: SearchEngine = engine or WhooshEngine(index_dir, verify_contents=verify_contents)
        self.glossary = glossary
        self.countries = countries
        self.tagger = Tagger(glossary, countries, LanguageDetector())
        self.queries = QueryBuilder(glossary, countries, self.engine, self.store.lexicon, max_query_chars)
        self.clock = clock
        self.fingerprint = fingerprint
        self._closed = False

    @classmethod
    def open(
        cls,
        db: Database,
        index_dir: Path,
        *,
        glossary_path: Path,
        countries_path: Path,
        max_query_chars: int = 500,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        veto: AuthorVeto | None = None,
        access: str = "write",
        verify_contents: bool = False,
        engine: SearchEngine | None = None,
    ) -> KnowledgeBase:
        """Open (creating if needed) and reconcile the index with the database; the application
        seeds sample content afterwards (index.samples).

        `veto` names the authors whose documents must not be stored (opted-out members).
        `access="read"`: this process only reads (`ask`, `index stats`): opening and closing write
        nothing and take no lock while the index is sound; a missing or damaged one is still
        rebuilt. `access="check"`: open as it is, repair nothing (`index check`).
        `verify_contents`: also compare every index file's bytes with the checksums recorded when
        it was written, for a long-running process (the bot) that should not serve flipped bytes."""
        glossary = load_vocabulary(glossary_path, "glossary")
        countries = load_vocabulary(countries_path, "countries")
        engine = engine or WhooshEngine(index_dir, verify_contents=verify_contents)
        digest = hashlib.sha256(engine.schema_version.encode())
        digest.update(f"doctype {CLASSIFIER_VERSION} tagger {TAGGER_VERSION}".encode())
        for path in (glossary_path, countries_path):
            if path.exists():
                digest.update(path.read_bytes())
        kb = cls(
            db,
            index_dir,
            glossary,
            countries,
            fingerprint=digest.hexdigest(),
            max_query_chars=max_query_chars,
            clock=clock,
            veto=veto,
            access=access,
            verify_contents=verify_contents,
            engine=engine,
        )
        if access != "check":
            kb.reconcile()
        return kb

    # -- writing ---------------------------------------------------------------------------------

    def analyse(self, doc: Document) -> Document:
        tags = self.tagger.tag(doc)
        return replace(doc, lang=doc.lang or tags.lang, technologies=doc.technologies or tags.technologies)

    def upsert(self, doc: Document) -> str:
        return self.upsert_many([doc])[0]

    def upsert_many(
        self,
        docs: Iterable[Document],
        progress: Callable[[int], None] | None = None,
        *,
        index_batch: int = INDEX_BATCH,
    ) -> list[str]:
        """Commit to SQLite batch by batch (`progress(n)` after each) and index every `index_batch`
        documents in one Whoosh commit: few segments for a bulk ingest, yet the memory of a commit
        is bounded by the batch, not by the size of the export."""
        outcomes: list[str] = []
        batch: list[Document] = []
        unindexed = 0
        for doc in docs:
            batch.append(validate_document(doc))
            if len(batch) >= min(BATCH, index_batch):
                outcomes += self._store_batch(batch, progress)
                unindexed += len(batch)
                batch = []
                if unindexed >= index_batch:
                    self.sync()
                    unindexed = 0
        if batch:
            outcomes += self._store_batch(batch, progress)
        self.sync()
        return outcomes

    def _store_batch(self, batch: list[Document], progress: Callable[[int], None] | None) -> list[str]:
        outcomes = self.store.upsert(list(zip(batch, self.tagger.tag_many(batch), strict=True)), self.clock())
        if progress:
            progress(len(batch))
        return outcomes

    def record(self, doc: Document) -> str:
        """Commit a document to SQLite and the journal only, inside the caller's open transaction if
        there is one (a status change and the document it publishes commit together); `sync()` then
        indexes it, or the next open replays it."""
        doc = validate_document(doc)
        return self.store.upsert([(doc, self.tagger.tag(doc))], self.clock())[0]

    def record_sectioned(
        self,
        doc: Document,
        *,
        section_chars: int,
        labels: SectionLabels | Callable[[Document], SectionLabels] = ENGLISH,
    ) -> list[str]:
        """`record` for a document that may be long: past `section_chars` it goes in as sections
        (index.sections, cut at its headings or paragraphs) under it, and the sections an earlier
        version had beyond the new ones are removed, all in the caller's transaction. Returns the
        ids recorded; `record_removal` of the document removes its sections too."""
        pieces = split_document(doc, heading_parts(doc.text), paged=False, limit=section_chars, labels=labels)
        for piece in pieces:
            self.record(piece)
        kept = {piece.id for piece in pieces}
        for stale in self.store.section_ids([doc.id]):
            if stale not in kept:
                self.store.delete([stale], journal_missing=True)
        return [piece.id for piece in pieces]

    def record_removal(self, doc_id: str) -> None:
        """Delete a document (with its sections, if it was long) in SQLite and journal its removal
        from the index even if SQLite never had it (an index left ahead of SQLite by a crash); like
        `record`, `sync()` applies it."""
        self.store.delete([doc_id, *self.store.section_ids([doc_id])], journal_missing=True)

    def delete(self, doc_id: str) -> bool:
        deleted = self.store.delete([doc_id])
        self.sync()
        return bool(deleted)

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete documents, with the sections of any long one (index.sections), from the database and
        the index; returns the ids that existed."""
        doc_ids = list(doc_ids)
        deleted = self.store.delete([*doc_ids, *self.store.section_ids(doc_ids)])
        self.sync()
        return deleted

    def remove_stale_sections(self, current: dict[str, set[str]]) -> list[str]:
        """After documents were re-added: delete the sections each one had before beyond `current`
        (document id -> the ids of its sections now), so a shorter new version leaves none behind."""
        if not current:
            return []
        stale = [
            section
            for parent, section in self.store.section_pairs(list(current))
            if section not in current[parent]
        ]
        return self.remove(stale) if stale else []

    def ids_matching(
        self, *, kind: str | None = None, sources: Iterable[str] = (), sample: bool = False
    ) -> list[str]:
        """Ids of the documents of one kind, from one of `sources` (a file, or any file under a folder,
        or a channel as `#name`), or seeded as samples; the given criteria combine with AND."""
        return self.store.ids_matching(kind=kind, sources=list(sources), sample=sample)

    def existing_ids(self, doc_ids: Iterable[str]) -> set[str]:
        return self.store.existing_ids(doc_ids)

    def delete_where(self, *, author_id: str | None = None, channel_id: str | None = None) -> int:
        """Remove every document by one author (opt-out) or from one channel or thread (deleted thread);
        exactly one of the two is given. Returns how many were removed."""
        deleted = self.store.delete(self.store.ids_where(author_id=author_id, channel_id=channel_id))
        self.sync()
        return len(deleted)

    def sync(self) -> int:
        """Bring the index up to date with the journal, in one commit; returns the documents applied."""
        applied = 0
        for _round in range(SYNC_ROUNDS):  # changes other processes queued while this one wrote
            last_seq = self.store.last_journal_seq()
            if not last_seq:
                break
            try:
                applied += self.engine.write(self.store.journal_changes(last_seq))
            except IndexBusy as exc:
                # Safe in SQLite; the journal is applied by whichever process writes next.
                log.warning("%s; %d change(s) stay queued", exc, self.store.pending_count())
                break
            except IndexDamaged as exc:
                return self.repair(str(exc))  # the rebuild includes every journalled change
            self.store.settle(last_seq)
        return applied

    # -- reading ---------------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        return self.store.get(doc_id)

    def search(
        self, question: str, filters: Filters | None = None, limit: int = 5, offset: int = 0
    ) -> Answer:
        """The answer to a question; a damaged index is rebuilt from the database and asked again."""
        try:
            return self._search(question, filters, limit, offset)
        except IndexDamaged as exc:
            self.repair(str(exc))
        return self._search(question, filters, limit, offset)

    def _search(self, question: str, filters: Filters | None, limit: int, offset: int) -> Answer:
        plan = self.queries.build(question)
        filters = self._resolve_country(filters)
        raw, total, counts = self.engine.search(plan.search(filters, limit=max(offset + limit, RERANK_DEPTH)))
        tags = self.store.tags_many([h.id for h in raw]) if raw else {}
        raw = self._with_cognates(raw, plan, tags)
        families = [{c} | self.glossary.related(c) for c in plan.concepts]
        # Coordination: an answer that covers more of the question (its words, concepts, country)
        # beats one that repeats a single part of it many times.
        scored = sorted(
            (
                (
                    h.score
                    * (COORD_FLOOR + plan.coverage(h.matched))
                    * plan.place_factor(h.matched)
                    * _focus(families, tags.get(h.id))
                    * KIND_PRIOR.get(h.kind, 1.0)
                    * TYPE_PRIOR[plan.wants].get(h.doc_type, 1.0),
                    h,
                )
                for h in raw
            ),
            key=lambda pair: -pair[0],
        )
        page = scored[offset : offset + limit]
        stored = self.store.get_many([h.id for _, h in page])
        hits = []
        for score, raw_hit in page:
            if raw_hit.id not in stored:
                continue  # deleted between the search and the lookup
            doc, tags = stored[raw_hit.id]
            hits.append(
                Hit(
                    id=doc.id,
                    kind=doc.kind,
                    title=doc.title or _first_line(doc.text),
                    snippet=self.engine.snippet(doc.text, tags.lang, plan.highlight.get(tags.lang, set())),
                    score=score,
                    lang=tags.lang,
                    technologies=tags.technologies,
                    author=doc.author,
                    date=doc.date,
                    url=doc.url,
                    countries=tags.countries,
                    doc_type=tags.doc_type,
                    sample=is_sample(doc),
                )
            )
        return Answer(
            query=plan.text,
            results=hits,
            total=total,
            did_you_mean=plan.suggestion([h.matched for _, h in page]),
            counts=counts,
        )

    def _with_cognates(self, raw: list[RawHit], plan: QueryPlan, tags: dict[str, Tags]) -> list[RawHit]:
        """Add to each answer's matched terms the question's cognates it shares (read from its tags)."""
        wanted = plan.cognates()
        if not wanted or not raw:
            return raw
        shared = {doc_id: wanted.intersection(t.cognates) for doc_id, t in tags.items()}
        return [
            replace(h, matched=h.matched | {(COGNATES, key) for key in shared.get(h.id, ())}) for h in raw
        ]

    def _resolve_country(self, filters: Filters | None) -> Filters | None:
        """Accept a country by code ("PE") or by any name the gazetteer knows ("Perú")."""
        if filters is None or not filters.country:
            return filters
        code = filters.country.strip()
        if code.upper() in self.countries.concepts:
            return replace(filters, country=code.upper())
        found = self.countries.match(code)
        if not found:  # a filter nothing can match is a typo, not an empty answer
            raise UnknownCountry(code, tuple(sorted(self.countries.concepts)))
        return replace(filters, country=found.most_common(1)[0][0])

    def authors(self, prefix: str = "", limit: int = 25) -> list[str]:
        return self.store.authors(prefix, limit)

    def stats(self) -> KnowledgeStats:
        counts = self.store.counts()
        return KnowledgeStats(
            documents=self.store.count(),
            by_kind=counts["kind"],
            by_lang=counts["lang"],
            by_technology=counts["technology"],
            index_bytes=self.engine.size_bytes(),
            pending=self.store.pending_count(),
            samples=len(self.store.ids_matching(kind=None, sources=[], sample=True)),
        )

    def close(self) -> None:
        """Apply what the journal still owes and release the index; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self.access == "write":
            self.sync()
        self.engine.close()


def _focus(families: list[set[str]], tags: Tags | None) -> float:
    """Is the question's concept what the document is about, or one item of a list it names?
    Each concept's share of the document's mentions (a related concept counts for it, hence
    `families`), against its main concept's; a document naming many concepts equally loses more."""
    if not families or tags is None or not tags.concepts:
        return 1.0
    top = max(tags.concepts.values())
    spread = (top / sum(tags.concepts.values())) ** FOCUS_SPREAD  # 1 when one concept dominates
    shares = [max(tags.concepts.get(c, 0) for c in family) / top for family in families]
    return TOPIC_FLOOR + (1 - TOPIC_FLOOR) * spread * sum(shares) / len(shares)


def _first_line(text: str, limit: int = 100) -> str:
    line = next((ln.strip(" #*") for ln in text.splitlines() if ln.strip(" #*")), "")
    return line if len(line) <= limit else line[: line.rfind(" ", 0, limit) or limit] + " …"
