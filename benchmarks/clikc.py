"""Our side of the benchmark: the bot's own code paths, nothing re-implemented.

Ingest goes through what `clikc-bot index add FILE.jsonl` runs, questions through
`KnowledgeBase.search` (what `/ask` runs: expansion, filters, highlighting, did-you-mean), and a new
post through `KnowledgeBase.upsert` (what the Discord adapter calls when a message arrives).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from benchmarks.corpus import Post, Question
from benchmarks.measure import dir_bytes
from bot.app import App
from bot.config import DEFAULT_CONFIG, load_config
from bot.search.filters import build_filters
from index.documents import Document, Filters, QueryError
from index.ingest import ingest_paths

INGEST_WORKERS = 2  # issue 17 measures the pool on both cores (`index add --workers 2`)


def filters_for(question: Question) -> Filters:
    """The question's filters (technology/kind/author/lang/since/until); its dates are whole days."""
    return build_filters(**question.filters, whole_days=True)


def document_for(post: Post) -> Document:
    """A new post as the Discord adapter hands it over: language and tags left to the bot."""
    return Document(
        id=post.id,
        text=post.text,
        kind=post.kind,
        title=post.title,
        author=post.author,
        date=datetime.fromisoformat(post.date),
        url=post.url,
        source=f"#{post.channel}",
    )


class ClikcEngine:
    name = "clikc"

    def __init__(self, work_dir: Path):
        self.data_dir = work_dir / "data"
        self.app = App(load_config(DEFAULT_CONFIG, self.data_dir))  # the project's shipped settings
        self.kb = self.app.knowledge  # opens (and seeds) the knowledge base
        self.did_you_mean = 0
        self.query_errors = 0
        self.skipped = 0

    def ingest_file(self, corpus: Path, truth: Path | None = None) -> int:
        """Exactly what `clikc-bot index add FILE.jsonl` does (truth is for FTS5 only)."""
        report = ingest_paths(self.kb, [corpus], workers=INGEST_WORKERS)
        self.skipped += len(report.skipped)
        return report.added + report.updated + report.unchanged

    def upsert(self, post: Post) -> None:
        self.kb.upsert(document_for(post))

    def search(self, question: Question, limit: int = 5) -> list[str]:
        try:
            answer = self.kb.search(question.text, filters_for(question), limit=limit)
        except QueryError:
            self.query_errors += 1
            return []
        if answer.did_you_mean:
            self.did_you_mean += 1
        return [hit.id for hit in answer.results]

    def disk_bytes(self) -> dict[str, int]:
        database = sum(dir_bytes(p) for p in self.data_dir.glob("clikc.db*"))
        search_index = dir_bytes(self.app.config.index_dir)
        return {"total": database + search_index, "database": database, "search_index": search_index}

    def close(self) -> None:
        self.app.close()
