"""What the knowledge base reports about itself: statistics, and what `index check` found."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class IndexReport:
    """What `index check` found: facts to show, and problems (none when the index is sound)."""

    facts: list[str]
    problems: list[str]
