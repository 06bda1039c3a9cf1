"""Keeping the search index true to SQLite: reconcile on open, repair a damaged index, rebuild, check.

A part of KnowledgeBase (its base class), apart from the facade's reading and writing: the index is
derived, so whatever happens to it, it is made again from the database without losing anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from index.documents import Document
from index.errors import IndexBusy, IndexDamaged
from index.lexicon import Lexicon, document_words
from index.reports import IndexReport
from index.search_engine import ALWAYS, SearchEngine
from index.store import DocumentStore
from index.tagger import Tagger, Tags

log = logging.getLogger("index.knowledge")  # the knowledge base's messages, under its name
BATCH = 2000  # documents tagged and committed to SQLite at a time


class IndexUpkeep:
    """Needs the knowledge base's store, engine, tagger, fingerprint, access and sync()."""

    store: DocumentStore
    engine: SearchEngine
    tagger: Tagger
    fingerprint: str
    access: str
    sync: Callable[[], int]  # apply what the journal owes (KnowledgeBase.sync)

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

        def tagged(docs: list[Document]) -> list[tuple[Document, Tags]]:
            return list(zip(docs, self.tagger.tag_many(docs), strict=True))  # languages found together

        def retagged() -> Iterator[tuple[str, tuple[Document, Tags]]]:
            docs: list[Document] = []
            for doc, _ in self.store.all():
                docs.append(doc)
                if len(docs) >= BATCH:
                    yield from self._retag(tagged(docs), words, progress)
                    docs = []
            yield from self._retag(tagged(docs), words, progress)

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
