"""A bulk ingest on every core: worker processes analyse documents and each writes its own segment.

Each worker tags the documents it is sent (language, concepts, countries, type), reads their words
for the spelling lexicon, and adds them to a Whoosh segment of its own (analysis, stemming, the
posting sort and the segment's files: most of an ingest's time). It sends the tags and words back;
this process commits them to SQLite, and when every document is in SQLite the engine adds the
workers' segments to the index in one commit. Nothing is searchable before that commit, as with the
serial path, and nothing is lost: SQLite still commits first, with a journal entry per document.

Measured against Whoosh's own multi-process writer (MpWriter) at 10k posts: see DESIGN.md.

Over 400 lines because it is one protocol: the parent's side (threads that send and receive, the
flow of batches, the final commit) and the worker's (its loop and its segment) read the messages
the other writes, and are changed together.

Workers start from the fork server (never `fork` from a process with threads and a mapped index),
ignore Ctrl-C (this process stops them), exit when this process goes away (their pipe closes), and a
worker that fails or dies makes the ingest fail with one line saying so; its segment files are
removed and the live index is untouched.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import fields
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from index.documents import Document
from index.errors import InputError
from index.fields import document_fields
from index.language import LanguageDetector
from index.lexicon import document_words
from index.tagger import Tagger, Tags
from index.whoosh.posting_arrays import ArrayPostingPool, fits
from index.whoosh.posting_pool import ChunkedPostingPool
from index.whoosh.posting_writer import can_write, write_fields
from index.whoosh.segment_add import add_document
from index.whoosh.written_lengths import WrittenLengths

try:  # not on Windows: a worker then reports no usage
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
# A worker's posting buffer. The bot's own writer keeps 8 MB because sorting it holds the GIL of the
# bot's event loop; a worker has no loop to stall, and a larger buffer spills fewer sorted runs.
WORKER_LIMIT_MB = 32
_SHUTDOWN_SECONDS = 5.0


class WorkerFailed(InputError):
    """A worker could not index its documents; the message says which and why, in one line (an
    InputError so every adapter shows it as that line; the live index is untouched, so this is not
    IndexDamaged, which would rebuild it)."""


class Analysed(NamedTuple):
    """What a worker found in one document: its tags and its distinct words (for the lexicon)."""

    tags: Tags
    words: list[str]

    @staticmethod
    def message(tags: Tags, words: Iterable[str]) -> tuple:
        """What a worker sends for one document: plain values (the tags' fields, the words joined),
        which this process unpickles seven times faster than the dataclass and a set of strings.
        Joined by NUL, which no folded word holds (a few fold to several words with spaces)."""
        return (*(getattr(tags, name) for name in _TAG_FIELDS), "\0".join(words))

    @classmethod
    def read(cls, message: tuple) -> Analysed:
        *values, words = message
        return cls(Tags(*values), words.split("\0") if words else [])


_TAG_FIELDS = tuple(f.name for f in fields(Tags))


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ctx


class SegmentWorkers:
    """A pool of segment-writing workers over one index folder (the engine's live generation).

    `analyse(batches)` yields, batch by batch and in order, each document with what its worker found;
    `finish()` returns the workers' segments, `cancel()` stops them and removes their files.

    Each worker has its next batch waiting while it works on one (`DEPTH` sent and not answered), so
    it never waits on this process committing the previous one. Nothing here ever blocks on a pipe:
    a thread per worker sends (a batch is larger than a pipe holds, and the worker reads it only when
    it is done with the one before) and another receives (an answer is too, and the worker reads
    nothing until it is taken), so neither side can wait on the other with both pipes full. Memory
    stays bounded whatever the length of the stream: at most `DEPTH` times the number of workers
    batches are between being read from the stream and being handed to the caller."""

    DEPTH = 2

    def __init__(self, folder: Path, tagging: tuple, *, workers: int, limit_mb: int):
        self.folder = folder
        self._ctx = _context()
        self._workers: list[tuple[Any, Connection]] = []
        self._segment_ids: list[str] = []
        self._counts: list[int] = []  # documents sent to each worker: its local document numbers
        self._finished = False
        self.usage: list[dict[str, float]] = []  # each worker's, once finished
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()  # (worker, kind, payload), as they come
        self._outboxes: list[queue.SimpleQueue] = []  # messages for each worker's sending thread
        self._received: list[deque] = []  # each worker's messages, in its order, until taken
        self._closed: list[bool] = []  # a worker's last message came: the end of its pipe is expected
        self._threads: list[threading.Thread] = []
        try:
            for number in range(workers):
                mine, theirs = self._ctx.Pipe(duplex=True)
                process = self._ctx.Process(
                    target=_serve,
                    args=(theirs, str(folder), tagging, limit_mb, number),
                    name=f"clikc-index-{number}",
                    daemon=True,
                )
                process.start()
                theirs.close()
                self._workers.append((process, mine))
                self._counts.append(0)
                self._outboxes.append(queue.SimpleQueue())
                self._received.append(deque())
                self._closed.append(False)
                for role in (self._send_loop, self._receive_loop):
                    thread = threading.Thread(target=role, args=(number,), daemon=True,
                                              name=f"clikc-index-{number}-{role.__name__[1:-5]}")  # fmt: skip
                    thread.start()
                    self._threads.append(thread)
            for number in range(workers):
                self._segment_ids.append(self._receive(number, "started"))
        except BaseException:
            self.cancel()
            raise

    @property
    def size(self) -> int:
        return len(self._workers)

    def analyse(
        self, batches: Iterable[list[Document]]
    ) -> Iterator[tuple[list[Document], list[Analysed], int, int]]:
        """(batch, what was found per document, worker number, that worker's first document number),
        in the order of `batches`. Each batch is sent as soon as its worker (batch i, worker i mod
        n) has room, also while the caller works on an answer, so workers never wait on the caller."""
        flow = _Flow(self, iter(batches))
        flow.refill()
        while flow.pending:
            number, batch, first = flow.pending.popleft()
            found = [Analysed.read(message) for message in self._receive(number, "analysed", flow)]
            flow.refill()
            yield batch, found, number, first

    def finish(self) -> list[Any]:
        """Each worker's finished segment (Whoosh Segment objects), in worker order."""
        for number in range(self.size):
            self._send(number, ("finish", None))
        finished = [self._receive(number, "segment") for number in range(self.size)]
        segments = [segment for segment, _ in finished]
        self.usage = [usage for _, usage in finished]
        self._finished = True
        self._stop()
        return segments

    def cancel(self) -> None:
        """Stop every worker now and remove whatever segment files they wrote. Safe to call twice."""
        self._stop(kill=True)
        if not self._finished:
            self.remove_files()

    def remove_files(self) -> None:
        for segment_id in self._segment_ids:
            for path in self.folder.glob(f"{segment_id}.*"):
                with contextlib.suppress(OSError):
                    path.unlink()
        for number in range(len(self._workers)):
            _remove_tree(self.folder / _temp_name(number))
        _remove_tree(self.folder / "MAIN.tmp")  # made by each worker's writer; we hold the only lock

    def _send(self, number: int, message: tuple) -> None:
        """Queued for the worker's sending thread: returns at once, whatever the worker is doing."""
        self._outboxes[number].put(message)

    def _receive(self, number: int, expected: str, flow: _Flow | None = None) -> Any:
        """Worker `number`'s next message, taking the others' as they come meanwhile (a worker
        that failed stops the ingest as soon as it says so, whichever is awaited); each answer
        lets `flow` send that worker its next batch at once."""
        while not self._received[number]:
            sender, kind, payload = self._inbox.get()
            if kind == "error":
                raise WorkerFailed(f"indexing worker {sender} failed: {payload}")
            if kind == "gone":
                if self._closed[sender]:
                    continue  # it finished: its pipe closes after its last message
                raise self._died(sender)
            self._received[sender].append((kind, payload))
            if kind == "segment":
                self._closed[sender] = True
            elif flow is not None and kind == "analysed":
                flow.answered(sender)
        kind, payload = self._received[number].popleft()
        if kind != expected:  # pragma: no cover - a protocol bug
            raise WorkerFailed(f"indexing worker {number} sent {kind!r}, expected {expected!r}")
        return payload

    def _send_loop(self, number: int) -> None:
        """A worker's sending thread: its messages in order, until None. A worker that went away is
        reported by the receiving thread, which sees its pipe close."""
        _, conn = self._workers[number]
        outbox = self._outboxes[number]
        while (message := outbox.get()) is not None:
            try:
                conn.send(message)
            except (OSError, EOFError, ValueError):  # its pipe is broken, or closed by _stop
                return
            except Exception as exc:  # noqa: BLE001 - a message that cannot be sent (pickling)
                reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
                self._inbox.put((number, "error", f"could not be sent its documents: {reason}"))
                return

    def _receive_loop(self, number: int) -> None:
        """A worker's receiving thread: each message into the inbox as soon as it comes, so the
        worker never waits to be read; its pipe's end as "gone"."""
        _, conn = self._workers[number]
        while True:
            try:
                kind, payload = conn.recv()
            except (OSError, EOFError, ValueError):  # closed by the worker (finished or dead) or by _stop
                self._inbox.put((number, "gone", None))
                return
            except Exception as exc:  # noqa: BLE001 - a message that cannot be read (unpickling)
                self._inbox.put((number, "error", f"sent what could not be read: {type(exc).__name__}"))
                return
            self._inbox.put((number, kind, payload))

    def _died(self, number: int) -> WorkerFailed:
        process, _ = self._workers[number]
        process.join(_SHUTDOWN_SECONDS)
        return WorkerFailed(
            f"indexing worker {number} stopped unexpectedly (exit status {process.exitcode});"
            " nothing of this ingest was added to the search index"
        )

    def _stop(self, kill: bool = False) -> None:
        for outbox in self._outboxes:
            outbox.put(None)
        for process, _ in self._workers:
            if kill and process.is_alive():
                process.kill()
        for process, _ in self._workers:
            process.join(_SHUTDOWN_SECONDS)
            if process.is_alive():  # pragma: no cover - a worker stuck in C code
                process.kill()
                process.join()
        for thread in self._threads:  # each sees its pipe's end once its worker is gone
            thread.join(_SHUTDOWN_SECONDS)
        for _, conn in self._workers:
            conn.close()


class _Flow:
    """The batches of one `analyse`: those sent and not yet handed to the caller, in order, and how
    many each worker has not answered. Batch i goes to worker i mod n, as it always has: which
    worker writes a document decides its place in the index, and so the order of answers that
    score the same, which must not change with the timing of a run. A worker is sent its next
    batch as soon as it has fewer than DEPTH unanswered, even while the caller is committing."""

    def __init__(self, workers: SegmentWorkers, batches: Iterator[list[Document]]):
        self.workers = workers
        self.batches: Iterator[list[Document]] | None = batches
        self.pending: deque[tuple[int, list[Document], int]] = deque()
        self.unanswered = [0] * workers.size
        self.turn = 0  # the worker the next batch goes to

    def answered(self, number: int) -> None:
        self.unanswered[number] -= 1
        self.refill()

    def refill(self) -> None:
        workers = self.workers
        while self.batches is not None and self.unanswered[self.turn] < SegmentWorkers.DEPTH:
            batch = next(self.batches, None)
            if batch is None:
                self.batches = None
                return
            number = self.turn
            workers._send(number, ("docs", batch))
            self.pending.append((number, batch, workers._counts[number]))
            workers._counts[number] += len(batch)
            self.unanswered[number] += 1
            self.turn = (number + 1) % workers.size


def _temp_name(number: int) -> str:
    return f"MAIN.worker{number}.tmp"


def _remove_tree(path: Path) -> None:
    if not path.is_dir():
        return
    for child in path.iterdir():
        with contextlib.suppress(OSError):
            child.unlink()
    with contextlib.suppress(OSError):
        path.rmdir()


# -- in the worker --------------------------------------------------------------------------------


def _serve(conn: Connection, folder: str, tagging: tuple, limit_mb: int, number: int) -> None:
    """A worker's life: open a segment writer, index what it is sent, finish or be cancelled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    writer = None
    try:
        writer, tagger = _open(folder, tagging, limit_mb, number)
        conn.send(("started", writer.newsegment.segment_id()))
        while True:
            kind, payload = conn.recv()
            if kind == "docs":
                tagged = zip(payload, tagger.tag_many(payload), strict=True)  # languages: batch at once
                conn.send(("analysed", [_add(writer, doc, tags) for doc, tags in tagged]))
            elif kind == "finish":
                segment = _finalize(writer)
                writer._tempstorage.destroy()  # private API: the writer's own temporary folder
                writer = None
                conn.send(("segment", (segment, _usage())))
                return
    except (EOFError, OSError, KeyboardInterrupt):  # the parent went away or stopped us
        pass
    except Exception as exc:  # noqa: BLE001 - reported as one line; the parent stops the ingest
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"))
    finally:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
                writer._tempstorage.destroy()  # private API
        conn.close()


def _finalize(writer):
    """What SegmentWriter._finalize_segment does: the same segment, sooner. An ArrayPostingPool's
    sorted arrays are written by index.whoosh.posting_writer; any other pool's postings go through
    Whoosh's add_postings, with the field lengths it asks for per posting read once per field."""
    writer.perdocwriter.close()
    reader = writer.per_document_reader()
    try:
        lengths = WrittenLengths(reader)
        pool, fieldwriter = writer.pool, writer.fieldwriter
        if isinstance(pool, ArrayPostingPool) and can_write(fieldwriter):
            write_fields(fieldwriter, writer.schema, pool.sorted_fields(), lengths.array)
        else:
            fieldwriter.add_postings(writer.schema, lengths, pool.iter_postings())
            fieldwriter.close()
    finally:
        reader.close()
    writer._close_segment()  # private API (with the two below): the rest of _finalize_segment
    writer._assemble_segment()
    return writer.get_segment()


def _usage() -> dict[str, float]:
    """This worker's processor seconds and peak resident memory, for the log."""
    if resource is None:  # pragma: no cover
        return {"cpu_seconds": 0.0, "peak_rss_mb": 0.0}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def _open(folder: str, tagging: tuple, limit_mb: int, number: int):
    glossary, countries = tagging
    tagger = Tagger(glossary, countries, LanguageDetector())
    ix = whoosh_index.open_dir(folder)
    # private API: _lk=False, a writer that takes no lock (the parent holds it), as MpWriter's do
    writer = SegmentWriter(ix, _lk=False, limitmb=limit_mb)
    # Whoosh gives every writer of an index the same temporary folder (the parent's writer removes
    # it when it finishes); each worker needs one of its own.
    writer._tempstorage = ix.storage.temp_storage(_temp_name(number))  # private API
    # private API: SegmentWriter.pool (and _tempstorage above), replaced before any document
    if fits(writer.schema):
        writer.pool = ArrayPostingPool(writer._tempstorage, writer.schema, limitmb=limit_mb)
    else:
        writer.pool = ChunkedPostingPool(writer._tempstorage, writer.newsegment, limitmb=limit_mb)
    return writer, tagger


def _add(writer, doc: Document, tags: Tags) -> tuple:
    add_document(writer, document_fields(doc, tags))
    return Analysed.message(tags, document_words(doc.full_text))


# -- the parent's side of one bulk write ------------------------------------------------------------

KEPT = ("added", "updated")


class ParallelWrite:
    """One bulk write: documents analysed by the workers, the outcome of each noted by the caller
    (`settle`), then `commit(ix)` adds the segments with every document the caller did not keep (and
    every earlier copy of an id given twice) deleted, and deletes the replaced ids' old versions."""

    def __init__(self, folder: Path, tagging: tuple, *, workers: int, limit_mb: int):
        self.limit_mb = limit_mb
        self.workers = SegmentWorkers(folder, tagging, workers=workers, limit_mb=WORKER_LIMIT_MB)
        self._dropped: list[set[int]] = [set() for _ in range(self.workers.size)]
        self._where: dict[str, int] = {}  # id -> worker number << 40 | document number in its segment
        self._replaced: list[str] = []

    def analyse(
        self, batches: Iterable[list[Document]]
    ) -> Iterator[tuple[list[Document], list[Analysed], tuple]]:
        for batch, found, number, first in self.workers.analyse(batches):
            yield batch, found, (number, first)

    def settle(self, token: tuple, batch: list[Document], outcomes: list[str]) -> None:
        number, first = token
        for offset, (doc, outcome) in enumerate(zip(batch, outcomes, strict=True)):
            if outcome not in KEPT:
                self._dropped[number].add(first + offset)
                continue
            earlier = self._where.get(doc.id)
            if earlier is not None:  # the same id earlier in this ingest: the later one wins
                self._dropped[earlier >> 40].add(earlier & ((1 << 40) - 1))
            self._where[doc.id] = number << 40 | (first + offset)
            if outcome == "updated":
                self._replaced.append(doc.id)

    def commit(self, ix, timeout: float) -> int:
        """The workers' segments into the index in one commit; returns the documents added."""
        segments = self.workers.finish()
        writer = ix.writer(limitmb=self.limit_mb, timeout=timeout, delay=0.1)
        try:
            if self._replaced and any(s.doc_count() for s in writer.segments):
                with writer.searcher() as committed:
                    for doc_id in self._replaced:
                        writer.delete_by_term("id", doc_id, searcher=committed)
            added = 0
            for segment, dropped in zip(segments, self._dropped, strict=True):
                for docnum in dropped:
                    segment.delete_document(docnum)
                added += segment.doc_count()
            # private API below: MpWriter's multi-segment commit, step by step (whoosh.multiproc)
            final = writer._merge_segments(None, None, None)  # the usual merge of small segments
            final += [segment for segment in segments if segment.doc_count()]
            if writer._added:
                final.append(writer._finalize_segment())
            else:
                writer._close_segment()
            writer._commit_toc(final)
            writer._finish()
            usage = self.workers.usage
            log.info(
                "bulk write: %d documents in %d segments; workers used %s",
                added, len(segments),
                ", ".join(f"{u['cpu_seconds']:.1f} s CPU, {u['peak_rss_mb']:.0f} MB" for u in usage),
            )  # fmt: skip
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            self.workers.remove_files()
            raise
        return added

    def cancel(self) -> None:
        self.workers.cancel()
