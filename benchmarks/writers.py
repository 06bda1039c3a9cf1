"""`python -m benchmarks.writers CORPUS.jsonl`: ways to write the search index on every core, compared.

The choice behind index.whoosh.segment_workers. On the same documents (SQLite left out: only analysis and
Whoosh), in a fresh index each:

- serial: this process tags each document and adds it to one Whoosh writer (the serial path);
- mpwriter-merge: this process tags, Whoosh's MpWriter (procs=2) indexes in its sub-processes and
  merges their postings into one segment at commit (its default);
- mpwriter-segments: the same with multisegment=True (the sub-processes' segments kept as they are);
- segment-workers: the bot's pool: each worker tags and indexes, its segment kept as it is.

Prints wall seconds and processor seconds (this process and every worker) for each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import index  # noqa: F401  (silences whoosh's SyntaxWarnings before it is imported)
from index.glossary import load_vocabulary
from index.ingest import _jsonl
from index.validation import validate_document
from index.whoosh.writer_comparison import WAYS, write

ROOT = Path(__file__).resolve().parent.parent


def read_documents(path: Path, limit: int) -> list:
    docs = []
    for item in _jsonl(path, "doc", 2**40):
        if item[0] == "doc":
            docs.append(validate_document(item[1]))
            if len(docs) >= limit:
                break
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.writers", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a JSON lines corpus (benchmarks/out/corpus/)")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ways", default=",".join(WAYS))
    args = parser.parse_args(argv)
    docs = read_documents(args.corpus, args.posts)
    glossary = load_vocabulary(ROOT / "config" / "glossary.yaml", "glossary")
    countries = load_vocabulary(ROOT / "config" / "countries.yaml", "countries")
    print("| way | wall s | CPU s (all processes) | documents | segments |")
    print("|---|---:|---:|---:|---:|")
    for way in args.ways.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"writers-{way}-"))
        try:
            r = write(way, docs, folder, (glossary, countries), args.workers)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"| {r['way']} | {r['seconds']} | {r['cpu_seconds']} | {r['documents']:,} | {r['segments']} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
