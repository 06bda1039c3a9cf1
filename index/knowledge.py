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

from index.analysis import normalize_text
from index.database import Database
from index.documents import KINDS, SAMPLE_META, Answer, Document, Filters, Hit, is_sample
from index.engine import SCHEMA_VERSION, IndexBusy, RawHit, WhooshEngine
from index.errors import InputError
from index.glossary import Vocabulary, load_vocabulary
from index.language import LanguageDetector
from index.query import COGNATES, QueryBuilder, QueryPlan
from index.snippets import snippet
from index.store import AuthorVeto, DocumentStore
from index.tagger import Tagger, Tags

log = logging.getLogger(__name__)
BATCH = 2000
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
    ):
        self.store = DocumentStore(db, veto)
        self.engine = WhooshEngine(index_dir)
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
        seed_dir: Path | None = None,
        max_query_chars: int = 500,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        veto: AuthorVeto | None = None,
    ) -> KnowledgeBase:
        """Open (creating if needed), reconcile the index with the database, seed a fresh one.

        `veto` names the authors whose documents must not be stored (opted-out members)."""
        glossary = load_vocabulary(glossary_path, "glossary")
        countries = load_vocabulary(countries_path, "countries")
        digest = hashlib.sha256(SCHEMA_VERSION.encode())
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
        )
        kb.reconcile()
        if seed_dir is not None and kb.store.meta_get("seeded") is None:
            from index.ingest import ingest_paths

            if seed_dir.exists():
                ingest_paths(kb, [seed_dir], defaults={SAMPLE_META: "true"})
            kb.store.meta_set("seeded", kb.clock().isoformat())
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
            batch.append(_validated(doc))
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

    def delete(self, doc_id: str) -> bool:
        deleted = self.store.delete([doc_id])
        self.sync()
        return bool(deleted)

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete documents from the database and the index; returns the ids that existed."""
        deleted = self.store.delete(doc_ids)
        self.sync()
        return deleted

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
        last_seq = self.store.last_journal_seq()
        if not last_seq:
            return 0
        try:
            applied = self.engine.write(self.store.journal_changes(last_seq))
        except IndexBusy as exc:
            # Safe in SQLite; the journal is applied by whichever process writes next.
            log.warning("%s; %d change(s) stay queued", exc, self.store.pending_count())
            return 0
        self.store.settle(last_seq)
        return applied

    def reconcile(self) -> None:
        """Make the index match the database: replay the journal, or rebuild when it can't be trusted."""
        stale = self.store.meta_get("index_fingerprint") != self.fingerprint
        if stale or self.engine.created:
            self.rebuild()
            return
        self.sync()
        if self.engine.doc_count() != self.store.count():
            in_db, in_index = self.store.all_ids(), self.engine.all_ids()
            missing = self.store.get_many(sorted(in_db - in_index))
            gone = [(doc_id, None) for doc_id in sorted(in_index - in_db)]
            self.engine.write([*gone, *missing.items()])
            log.info("reconciled index: %d added, %d removed", len(missing), len(in_index - in_db))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Re-derive tags, word counts and the whole index from the database, in one Whoosh commit."""
        self.store.meta_set("index_fingerprint", "rebuilding")  # an interrupted rebuild is redone on open
        self.engine.reset()
        self.store.clear_derived()

        def retagged() -> Iterator[tuple[str, tuple[Document, Tags]]]:
            batch: list[tuple[Document, Tags]] = []
            for doc, _ in self.store.all():
                batch.append((doc, self.tagger.tag(doc)))
                if len(batch) >= BATCH:
                    yield from self._retag(batch, progress)
                    batch = []
            yield from self._retag(batch, progress)

        total = self.engine.write(retagged())
        self.store.meta_set("index_fingerprint", self.fingerprint)
        return total

    def _retag(
        self, batch: list[tuple[Document, Tags]], progress
    ) -> Iterator[tuple[str, tuple[Document, Tags]]]:
        self.store.rederive(batch)
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
        plan = self.queries.build(question)
        filters = self._resolve_country(filters)
        raw, total, counts = self.engine.search(
            plan.query, filters, limit=max(offset + limit, RERANK_DEPTH), also_check=plan.aspect_terms()
        )
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
                    snippet=snippet(doc.text, tags.lang, plan.highlight.get(tags.lang, set())),
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


def _validated(doc: Document) -> Document:
    if not doc.id or not doc.id.strip():
        raise InputError("a document needs an id")
    if doc.kind not in KINDS:
        raise InputError(f"document {doc.id}: kind must be one of {', '.join(KINDS)}, not {doc.kind!r}")
    text = normalize_text(doc.text).strip()
    if not text:
        raise InputError(f"document {doc.id}: the text is empty")
    return replace(doc, text=text, title=" ".join(normalize_text(doc.title).split()))


def _first_line(text: str, limit: int = 100) -> str:
    line = next((ln.strip(" #*") for ln in text.splitlines() if ln.strip(" #*")), "")
    return line if len(line) <= limit else line[: line.rfind(" ", 0, limit) or limit] + " …"
