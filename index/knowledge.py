"""KnowledgeBase: the facade every adapter uses (INTERFACE ONLY — implementation lands next)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.database import Database
from index.documents import Answer, Document, Filters


@dataclass(frozen=True)
class KnowledgeStats:
    documents: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_lang: dict[str, int] = field(default_factory=dict)
    by_technology: dict[str, int] = field(default_factory=dict)
    index_bytes: int = 0
    pending: int = 0  # writes committed to SQLite, not yet in the search index


class KnowledgeBase:
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
    ) -> KnowledgeBase:
        raise NotImplementedError

    def upsert(self, doc: Document) -> str:
        """Commit to SQLite, then index. Returns 'added', 'updated' or 'unchanged'."""
        raise NotImplementedError

    def upsert_many(
        self, docs: Iterable[Document], progress: Callable[[int], None] | None = None
    ) -> list[str]:
        raise NotImplementedError

    def delete(self, doc_id: str) -> bool:
        raise NotImplementedError

    def delete_where(self, *, author_id: str) -> int:
        """Remove every document whose meta['author_id'] is this (privacy opt-out)."""
        raise NotImplementedError

    def get(self, doc_id: str) -> Document | None:
        raise NotImplementedError

    def analyse(self, doc: Document) -> Document:
        """The document with detected lang and technologies filled in where it gave none."""
        raise NotImplementedError

    def search(
        self, question: str, filters: Filters | None = None, limit: int = 5, offset: int = 0
    ) -> Answer:
        raise NotImplementedError

    def authors(self, prefix: str = "", limit: int = 25) -> list[str]:
        raise NotImplementedError

    def rebuild(self) -> int:
        raise NotImplementedError

    def stats(self) -> KnowledgeStats:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
