"""KnowledgeBase: the facade every adapter uses — SQLite for truth, the search engine derived from it.

Writes commit to SQLite (with a journal entry) first, then to the index; `open` replays whatever
the journal still owes, so a crash between the two loses nothing. All index writes go through the
engine's single writer; a search sees a batch entirely or not at all.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from index.database import Database
from index.documents import Answer, Document, Filters, Hit, is_sample
from index.errors import IndexBusy, IndexDamaged, InputError
from index.glossary import Vocabulary, load_vocabulary
from index.language import LanguageDetector
from index.lexicon import Lexicon, document_words
from index.query import COGNATES, QueryBuilder, QueryPlan
from index.search_engine import ALWAYS, RawHit, SearchEngine
from index.store import AuthorVeto, DocumentStore
from index.tagger import Tagger, Tags
from index.validation import validate_document
from index.whoosh import WhooshEngine

log = logging.getLogger(__name__)
ACCESS = ("write", "read", "check")
BATCH = 2000
SYNC_ROUNDS = 3
RERANK_DEPTH = 50
COORD_FLOOR = 0.5
TOPIC_FLOOR = 0.6  # a document that only mentions the question's concept in passing keeps this much
FOCUS_SPREAD = 0.5  # how much a document naming many concepts equally (a list, an agenda) loses
KIND_PRIOR = {"post": 1.0, "workshop-summary": 1.1, "case-study": 1.1}  # curated write-ups over chat
# Asked for experiences (the default), members want reports before questions, agendas and lists;
# asked for slides or a recording, the post that shares them; asked when, the announcement.
TYPE_PRIOR = {
    "experience": {"experience": 1.0, "other": 0.7, "resource": 0.7, "event": 0.6, "question": 0.2},
    "resource": {"resource": 1.0, "experience": 0.8, "other": 0.7, "event": 0.7, "question": 0.3},
    "event": {"event": 1.0, "resource": 0.75, "experience": 0.5, "other": 0.5, "question": 0.5},
}


@dataclass(frozen=True)
class KnowledgeStats:
    documents: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_lang: dict[str, int] = field(default_factory=dict)
    by_technology: dict[str, int] = field(default_factory=dict)
    index_bytes: int = 0
    pending: int = 0  # writes committed to SQLite, not yet in the search index
    samples: int = 0  # demo documents seeded from the samples folder

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "by_kind": self.by_kind,
            "by_lang": self.by_lang,
            "by_technology": self.by_technology,
            "index_bytes": self.index_bytes,
            "pending": self.pending,
            "samples": self.samples,
        }


class UnknownCountry(InputError):
    """A --country value the gazetteer does not know; `choices` are the codes it knows."""

    def __init__(self, value: str, choices: tuple[str, ...]):
        super().__init__(f"unknown country {value!r}: give a code or a name of {', '.join(choices)}")
        self.value = value
        self.choices = choices


@dataclass(frozen=True)
class IndexReport:
    """What `index check` found: facts to show, and problems (none when the index is sound)."""

    facts: list[str]
    problems: list[str]


class KnowledgeBase:
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
        self, docs: Iterable[Document], progress: Callable[[int], None] | None = None
    ) -> list[str]:
        """Commit to SQLite batch by batch (`progress(n)` after each), then index them all in one
        Whoosh commit: a bulk ingest writes one segment instead of one (and a merge) per batch."""
        outcomes: list[str] = []
        batch: list[Document] = []
        for doc in docs:
            batch.append(validate_document(doc))
            if len(batch) >= BATCH:
                outcomes += self._store_batch(batch, progress)
                batch = []
        if batch:
            outcomes += self._store_batch(batch, progress)
        self.sync()
        return outcomes

    def _store_batch(self, batch: list[Document], progress: Callable[[int], None] | None) -> list[str]:
        outcomes = self.store.upsert([(doc, self.tagger.tag(doc)) for doc in batch], self.clock())
        if progress:
            progress(len(batch))
        return outcomes

    def record(self, doc: Document) -> str:
        """Commit a document to SQLite and the journal only, inside the caller's open transaction if
        there is one (a status change and the document it publishes commit together); `sync()` then
        indexes it, or the next open replays it."""
        doc = validate_document(doc)
        return self.store.upsert([(doc, self.tagger.tag(doc))], self.clock())[0]

    def record_removal(self, doc_id: str) -> None:
        """Delete a document in SQLite and journal its removal from the index even if SQLite never
        had it (an index left ahead of SQLite by a crash); like `record`, `sync()` applies it."""
        self.store.delete([doc_id], journal_missing=True)

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

    def reconcile(self) -> None:
        """Make the index match the database: replay the journal, or rebuild when it can't be trusted.
        A reading process only repairs: the journal is applied by the next process that writes."""
        if self.engine.damage:
            self.repair(self.engine.damage)
            return
        if self.store.meta_get("index_fingerprint") != self.fingerprint:
            self.repair("the glossary, the countries or the index schema changed")
            return
        if self.access != "write":
            return
        self.sync()
        try:
            if self.engine.doc_count() == self.store.count():
                return
            in_db, in_index = self.store.all_ids(), self.engine.all_ids()
            missing = self.store.get_many(sorted(in_db - in_index))
            gone = [(doc_id, None) for doc_id in sorted(in_index - in_db)]
            self.engine.write([*gone, *missing.items()])
        except IndexDamaged as exc:
            self.repair(str(exc))
            return
        except IndexBusy as exc:
            log.warning("%s; the index is reconciled with the database by the next command", exc)
            return
        log.info("reconciled index: %d added, %d removed", len(missing), len(in_index - in_db))

    def repair(self, reason: str) -> int:
        """Rebuild an index that cannot be used, saying why in one line. Several threads (or
        processes) finding the same damage rebuild it once: the others use the new one."""
        fresh = self.engine.created and self.store.meta_get("index_fingerprint") is None  # a new data dir
        total = self._rebuild(None, unless_replaced_since=self.engine.opened_stamp)
        if total is None:
            return self.engine.doc_count()
        if fresh:
            log.info("created the search index in %s from the database", self.engine.index_dir)
        else:
            log.warning(
                "search index in %s: %s; rebuilt it from the database (%d documents)",
                self.engine.index_dir,
                reason,
                total,
            )
        return total

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Re-derive tags, word counts and the whole index from the database, in one Whoosh commit,
        beside the live index: searches answer from the old one until the new one replaces it."""
        total = self._rebuild(progress)
        assert total is not None
        return total

    def _rebuild(
        self, progress: Callable[[int], None] | None, *, unless_replaced_since: object = ALWAYS
    ) -> int | None:
        before = self.store.meta_get("index_fingerprint")
        self.store.meta_set("index_fingerprint", "rebuilding")  # an interrupted rebuild is redone on open
        last_seq = self.store.last_journal_seq()  # the rebuild reads every change up to here
        words = self.store.lexicon_draft()

        def retagged() -> Iterator[tuple[str, tuple[Document, Tags]]]:
            batch: list[tuple[Document, Tags]] = []
            for doc, _ in self.store.all():
                batch.append((doc, self.tagger.tag(doc)))
                if len(batch) >= BATCH:
                    yield from self._retag(batch, words, progress)
                    batch = []
            yield from self._retag(batch, words, progress)

        try:
            try:
                total = self.engine.rebuild(retagged(), unless_replaced_since=unless_replaced_since)
            except IndexBusy:  # it never started: the live index is what it was
                if before is not None:
                    self.store.meta_set("index_fingerprint", before)
                raise
            if total is None:  # another thread or process rebuilt it meanwhile
                self.store.meta_set("index_fingerprint", self.fingerprint)
                return None
            words.publish()
        finally:
            words.discard()
        self.store.settle(last_seq)
        self.store.meta_set("index_fingerprint", self.fingerprint)
        self.sync()  # what other processes committed while the rebuild ran
        return total

    def _retag(
        self, batch: list[tuple[Document, Tags]], words: Lexicon.Draft, progress
    ) -> Iterator[tuple[str, tuple[Document, Tags]]]:
        self.store.rederive(batch)
        words.count(document_words(doc.full_text) for doc, _ in batch)
        if progress and batch:
            progress(len(batch))
        for doc, tags in batch:
            yield doc.id, (doc, tags)

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

    def check(self) -> IndexReport:
        """Verify the index against the database without changing either: every file as written,
        every segment opens, the same documents (less the changes the journal still owes)."""
        facts, problems = self.engine.check()
        if self.store.meta_get("index_fingerprint") != self.fingerprint:
            problems.append(
                "built with another glossary, countries list or schema, or its rebuild was interrupted"
            )
        try:
            in_index, count = self.engine.all_ids(), self.engine.doc_count()
        except IndexDamaged as exc:
            if not problems:
                problems.append(f"cannot be read: {exc}")
            return IndexReport(facts, problems)
        pending = self.store.pending_ids()
        in_db = self.store.all_ids()
        facts.append(f"documents: {len(in_db)} in the database, {count} in the index")
        if pending:
            facts.append(
                f"{len(pending)} change(s) saved in the database wait to be indexed by the next write"
            )
        if count != len(in_index):
            problems.append(f"{count - len(in_index)} document(s) are indexed more than once")
        for what, ids in (
            ("in the database but not in the index", in_db - in_index - pending),
            ("in the index but not in the database", in_index - in_db - pending),
        ):
            if ids:
                shown = ", ".join(sorted(ids)[:3]) + (", …" if len(ids) > 3 else "")
                problems.append(f"{len(ids)} document(s) {what}: {shown}")
        return IndexReport(facts, problems)

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
