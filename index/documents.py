"""Plain data that crosses the knowledge base's boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from index.errors import InputError

KINDS = ("post", "workshop-summary", "case-study")
LANGUAGES = ("en", "es", "fr", "pt")
TECHNOLOGIES = ("blockchain", "iot", "analytics")
DOC_TYPES = ("experience", "question", "event", "resource", "other")  # what a document is (index.doctype)


@dataclass(frozen=True)
class Document:
    """One thing the bot can answer from: a post, a workshop summary or a case study.

    `lang` and `technologies` may be left empty: the knowledge base detects them. Values given
    here (front matter, a moderator's correction) win over detection.
    """

    id: str
    text: str
    kind: str = "post"
    title: str = ""
    author: str = ""
    date: datetime | None = None  # timezone-aware (UTC when the source gives no zone)
    url: str = ""
    source: str = ""  # file path or channel the document came from, for people reading stats
    lang: str = ""
    technologies: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)  # e.g. author_id, channel_id, message_id

    @property
    def full_text(self) -> str:
        """Title and text as one string: what tagging and every index field read."""
        return full_text(self.title, self.text)


def full_text(title: str, text: str) -> str:
    return f"{title}\n{text}" if title else text


@dataclass(frozen=True)
class Filters:
    """Restrictions on an answer; every field is optional and they combine with AND."""

    technology: str | None = None
    kind: str | None = None
    author: str | None = None
    lang: str | None = None
    country: str | None = None
    doc_type: str | None = None  # experience, question, event, resource, other (index.doctype)
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    snippet: str  # best passage, matched words wrapped in ** **
    score: float
    lang: str
    technologies: tuple[str, ...]
    author: str
    date: datetime | None
    url: str
    countries: tuple[str, ...] = ()
    doc_type: str = ""
    sample: bool = False  # demo content (seeded from the samples folder), to be marked wherever shown

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "lang": self.lang,
            "technologies": list(self.technologies),
            "author": self.author,
            "date": self.date.isoformat() if self.date else None,
            "url": self.url,
            "countries": list(self.countries),
            "type": self.doc_type,
            "sample": self.sample,
        }


@dataclass(frozen=True)
class Answer:
    query: str
    results: list[Hit]
    total: int = 0  # matches before the limit, for "more" pagination
    did_you_mean: str | None = None
    # Over all matches, not only those shown: facet (country, technology, kind, type) -> value -> n
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "results": [hit.to_json() for hit in self.results],
            "total": self.total,
            "did_you_mean": self.did_you_mean,
            "counts": self.counts,
        }


SAMPLE_META = "sample"  # meta key set on documents seeded from the demo's samples folder


def is_sample(doc: Document) -> bool:
    return doc.meta.get(SAMPLE_META) == "true"


class QueryError(InputError):
    """A question that cannot be searched (empty, nothing but punctuation); the message is for users."""
