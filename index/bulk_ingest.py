"""A long stream of documents (`index add` of an export, a JSON lines file) on every core.

Short streams (a live post, a few files) take the serial path, `KnowledgeBase.upsert_many`, and pay
no process start-up. A stream that reaches `threshold` documents is analysed and indexed by worker
processes (the engine's `parallel_write`: index.whoosh.segment_workers) while this process commits
the batches to SQLite with their journal entries, `COMMIT_DOCS` documents to a transaction, storing
what the serial path would; the search index then takes every document in one commit, and only
then are those journal entries settled. A crash or a failed worker leaves the entries in the
journal, which the next open replays: nothing given is lost.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING

from index.documents import Document
from index.store import content_hash
from index.validation import validate_document

if TYPE_CHECKING:
    from index.knowledge import KnowledgeBase

THRESHOLD = 2000  # documents: below this, starting the workers costs more than it saves
BATCH_DOCS = 250  # documents per message: enough to amortise pickling, small enough to bound memory
# Documents per SQLite transaction: four batches. Measured on 100k posts (the store alone), 0.18-0.20
# ms of CPU per document committed batch by batch, 0.13-0.14 four batches at a time.
COMMIT_DOCS = 1000
CHECKPOINT_PAGES = 10_000  # see Database.checkpoints_every


AUTO = "auto"
AUTO_WORKERS = 2  # at most, for AUTO: each worker holds about 200 MB at 100k posts (README, issue 17)


def worker_count(requested: int | str | None = None) -> int:
    """Workers for a bulk ingest. None means none: the bot's own paths (a live post, an attachment)
    stay in its process beside the event loop. AUTO, `index add`'s default, means one per usable
    core up to AUTO_WORKERS, and none on a single core: at 100k posts on this project's 2-core
    machine two workers import in 45-46 s with 590 MB over all processes, within the 600 MB the
    issue allows (README). A number asks for that many (0 = this process; at most the usable
    cores, 8 at most)."""
    if not requested:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    if requested == AUTO:
        return min(cores, AUTO_WORKERS) if cores > 1 else 0
    return max(1, min(int(requested), cores, 8))


def upsert_stream(
    kb: KnowledgeBase,
    docs: Iterable[Document],
    *,
    workers: int | str | None = None,
    threshold: int | None = None,
) -> list[str]:
    """Like `kb.upsert_many(docs)` (an outcome per document: added, updated, unchanged, opted_out),
    on `workers` processes (default: none, see worker_count) once the stream reaches `threshold` documents,
    when the search engine can write that way (`parallel_write`; Whoosh can, FTS5 needs not).
    `workers=0` keeps everything in this process."""
    threshold = THRESHOLD if threshold is None else threshold
    docs = iter(docs)
    head = list(islice(docs, threshold))
    count = worker_count(workers)
    parallel_write = getattr(kb.engine, "parallel_write", None)
    if len(head) < threshold or count == 0 or parallel_write is None:
        return kb.upsert_many(chain(head, docs))
    return _parallel(kb, chain(head, docs), parallel_write, count)


def _parallel(kb: KnowledgeBase, docs: Iterator[Document], parallel_write, workers: int) -> list[str]:
    outcomes: list[str] = []
    journal: list[int] = []
    digests: deque[list[str]] = deque()  # each batch's content hashes, until its analysis is back

    def batches() -> Iterator[list[Document]]:
        """Batches of the documents whose content is new; the unchanged ones are counted here."""
        for chunk in _chunks((validate_document(doc) for doc in docs), BATCH_DOCS):
            stored = kb.store.content_hashes([doc.id for doc in chunk])
            hashed = [(doc, content_hash(doc)) for doc in chunk]
            fresh = [(doc, digest) for doc, digest in hashed if stored.get(doc.id) != digest]
            outcomes.extend(["unchanged"] * (len(chunk) - len(fresh)))
            if fresh:
                digests.append([digest for _, digest in fresh])
                yield [doc for doc, _ in fresh]

    with (
        kb.store.db.checkpoints_every(CHECKPOINT_PAGES),
        parallel_write((kb.glossary, kb.countries), workers) as write,
    ):
        group = _Group()
        for batch, found, token in write.analyse(batches()):  # in the order of batches()
            group.add(batch, found, token, digests.popleft())
            if group.size >= COMMIT_DOCS:
                outcomes += group.commit(kb, write, journal)
                group = _Group()
        outcomes += group.commit(kb, write, journal)
    kb.store.settle_entries(journal)
    kb.sync()  # what other processes journalled meanwhile
    return outcomes


class _Group:
    """Batches analysed and not yet in SQLite: committed together in one transaction, rows, journal
    entries and word counts, before the workers' segments are. Every batch sharing a transaction
    rewrites the lexicon's pages once instead of once per batch: with its words spread over the
    whole table, that was most of this process's time at 100k posts."""

    def __init__(self) -> None:
        self.parts: list[tuple[list[Document], tuple]] = []  # each batch, with its worker's token
        self.items: list = []
        self.words: list = []
        self.digests: list[str] = []

    @property
    def size(self) -> int:
        return len(self.items)

    def add(self, batch: list[Document], found: list, token: tuple, digests: list[str]) -> None:
        self.parts.append((batch, token))
        self.items += [(doc, analysed.tags) for doc, analysed in zip(batch, found, strict=True)]
        self.words += [analysed.words for analysed in found]
        self.digests += digests

    def commit(self, kb: KnowledgeBase, write, journal: list[int]) -> list[str]:
        if not self.items:
            return []
        done = kb.store.upsert(
            self.items, kb.clock(), words=self.words, journal=journal, digests=self.digests
        )
        start = 0
        for batch, token in self.parts:
            write.settle(token, batch, done[start : start + len(batch)])
            start += len(batch)
        return done


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk
