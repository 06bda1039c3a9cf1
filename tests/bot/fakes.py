"""A small in-memory stand-in for the KnowledgeBase interface, so adapter tests need no search index."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from index.documents import Answer, Document, Filters, Hit, QueryError
from index.knowledge import KnowledgeStats


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


class FakeKnowledge:
    def __init__(self, docs: list[Document] | None = None):
        self.docs: dict[str, Document] = {}
        self.closed = False
        self.rebuilt = 0
        self.searches: list[tuple[str, Filters | None, int, int]] = []
        for doc in docs or []:
            self.upsert(doc)

    def upsert(self, doc: Document) -> str:
        old = self.docs.get(doc.id)
        self.docs[doc.id] = doc
        return "added" if old is None else ("unchanged" if old == doc else "updated")

    def upsert_many(self, docs, progress=None) -> list[str]:
        return [self.upsert(doc) for doc in docs]

    def delete(self, doc_id: str) -> bool:
        return self.docs.pop(doc_id, None) is not None

    def delete_where(self, *, author_id: str) -> int:
        gone = [i for i, d in self.docs.items() if d.meta.get("author_id") == author_id]
        for doc_id in gone:
            del self.docs[doc_id]
        return len(gone)

    def get(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)

    def analyse(self, doc: Document) -> Document:
        return replace(doc, lang=doc.lang or "en")

    def search(
        self, question: str, filters: Filters | None = None, limit: int = 5, offset: int = 0
    ) -> Answer:
        self.searches.append((question, filters, limit, offset))
        words = [w for w in re.findall(r"\w+", _fold(question)) if len(w) > 2]
        if not words:
            raise QueryError("the question has no words to search for")
        f = filters or Filters()
        matches = []
        for doc in self.docs.values():
            text = _fold(f"{doc.title} {doc.text}")
            score = sum(text.count(w) for w in words)
            if not score:
                continue
            if f.technology and f.technology not in doc.technologies:
                continue
            if f.kind and f.kind != doc.kind:
                continue
            if f.author and f.author.lower() != doc.author.lower():
                continue
            matches.append((score, doc))
        matches.sort(key=lambda m: (-m[0], m[1].id))
        hits = [
            Hit(
                id=d.id,
                kind=d.kind,
                title=d.title,
                snippet=d.text[:300],
                score=float(s),
                lang=d.lang or "en",
                technologies=d.technologies,
                author=d.author,
                date=d.date,
                url=d.url,
                countries=tuple(d.meta.get("countries", "").split(",")) if d.meta.get("countries") else (),
            )
            for s, d in matches[offset : offset + limit]
        ]
        did_you_mean = "blockchain" if "blokchain" in words else None
        return Answer(query=question, results=hits, total=len(matches), did_you_mean=did_you_mean)

    def authors(self, prefix: str = "", limit: int = 25) -> list[str]:
        names = sorted({d.author for d in self.docs.values() if d.author})
        return [n for n in names if _fold(n).startswith(_fold(prefix))][:limit]

    def rebuild(self) -> int:
        self.rebuilt += 1
        return len(self.docs)

    def stats(self) -> KnowledgeStats:
        kinds: dict[str, int] = {}
        for d in self.docs.values():
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        return KnowledgeStats(documents=len(self.docs), by_kind=kinds)

    def close(self) -> None:
        self.closed = True
