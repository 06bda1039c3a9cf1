"""Ways to write the Whoosh index on every core, timed side by side (`python -m benchmarks.writers`).

The measurement behind index.whoosh.segment_workers: Whoosh's own MpWriter (merging its
sub-processes' postings, or keeping their segments) against the bot's segment workers and the
serial writer, on the same documents in a fresh index each. Kept here because only index/whoosh/
speaks Whoosh.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from whoosh import index as whoosh_index

from index.fields import document_fields
from index.language import LanguageDetector
from index.tagger import Tagger
from index.whoosh.schema import build_schema
from index.whoosh.segment_workers import WORKER_LIMIT_MB, ParallelWrite

WAYS = ("serial", "mpwriter-merge", "mpwriter-segments", "segment-workers")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # MpWriter's sub-processes, once joined
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def write(way: str, docs: list, folder: Path, tagging: tuple, workers: int) -> dict:
    ix = whoosh_index.create_in(str(folder), build_schema())
    tagger = Tagger(*tagging, LanguageDetector())
    tagger.detector.warm_up()
    cpu, start = cpu_seconds(), time.perf_counter()
    worker_cpu = 0.0
    if way == "segment-workers":
        write = ParallelWrite(folder, tagging, workers=workers, limit_mb=WORKER_LIMIT_MB)
        batches = [docs[i : i + 250] for i in range(0, len(docs), 250)]
        for batch, _found, token in write.analyse(batches):
            write.settle(token, batch, ["added"] * len(batch))
        write.commit(ix, 5.0)
        worker_cpu = sum(u["cpu_seconds"] for u in write.workers.usage)
    else:
        options: dict = {"limitmb": WORKER_LIMIT_MB}
        if way != "serial":
            options.update(procs=workers, multisegment=way == "mpwriter-segments")
        writer = ix.writer(**options)
        for doc in docs:
            writer.add_document(**document_fields(doc, tagger.tag(doc)))
        writer.commit()
    seconds = time.perf_counter() - start
    with whoosh_index.open_dir(str(folder)).searcher() as searcher:
        count, segments = searcher.doc_count(), len(searcher.reader().leaf_readers())
    return {
        "way": way,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds() - cpu + worker_cpu, 2),
        "documents": count,
        "segments": segments,
    }
