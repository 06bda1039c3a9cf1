"""The real KnowledgeBase, recording what the adapters asked of it: adapter tests assert both on what
reached the core and on what the core answered, with no stand-in for the search itself."""

from __future__ import annotations

from index.documents import Answer, Document, Filters
from index.knowledge import KnowledgeBase


class RecordingKnowledge:
    def __init__(self, kb: KnowledgeBase):
        self._kb = kb
        self.searches: list[tuple[str, Filters | None, int, int]] = []
        self.rebuilt = 0

    def __getattr__(self, name: str):
        return getattr(self._kb, name)

    def search(
        self, question: str, filters: Filters | None = None, limit: int = 5, offset: int = 0
    ) -> Answer:
        self.searches.append((question, filters, limit, offset))
        return self._kb.search(question, filters, limit, offset)

    def rebuild(self, progress=None) -> int:
        self.rebuilt += 1
        return self._kb.rebuild(progress)

    @property
    def docs(self) -> dict[str, Document]:
        return {doc.id: doc for doc, _ in self._kb.store.all()}
