"""A document as the fields a search engine indexes, and filters as the terms they must have.

Engine-neutral: every engine (index.whoosh, index.fts5) indexes the same fields and filters by the
same terms, so they answer the same questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from index.analysis import fold
from index.documents import Document, Filters
from index.tagger import Tags

MAX_CONCEPT_REPEAT = 5
KEYWORD_FIELDS = ("kind", "doctype", "lang", "technologies", "countries", "concepts", "author")


def author_key(author: str) -> str:
    return " ".join(fold(author).split())


def day(value: datetime) -> int:
    """Day precision: date filters are by day, and a term per second made every post's date unique."""
    return int(value.timestamp()) // 86_400


def document_fields(doc: Document, tags: Tags) -> dict:
    """id, keyword fields (space-separated terms), `day`, and the text in each language's field."""
    fields: dict = {
        "id": doc.id,
        "kind": doc.kind,
        "doctype": tags.doc_type,
        "lang": " ".join(tags.langs),
        "technologies": " ".join(tags.technologies),
        "countries": " ".join(tags.countries),
        "concepts": " ".join(
            " ".join([cid] * min(n, MAX_CONCEPT_REPEAT)) for cid, n in tags.concepts.items()
        ),
        "author": author_key(doc.author),
    }
    if doc.date:
        fields["day"] = day(doc.date)
    for lang in tags.langs:
        fields[f"text_{lang}"] = doc.full_text
    return fields


@dataclass(frozen=True)
class FilterSpec:
    """What a search is limited to, in index terms: (field, term) pairs that must all be present,
    and an inclusive day range (days since 1970; None for an open end)."""

    terms: tuple[tuple[str, str], ...] = ()
    first_day: int | None = None
    last_day: int | None = None

    @property
    def has_days(self) -> bool:
        return self.first_day is not None or self.last_day is not None


def filter_spec(filters: Filters | None) -> FilterSpec:
    if filters is None:
        return FilterSpec()
    terms = [
        (field, value)
        for field, value in (
            ("technologies", filters.technology),
            ("kind", filters.kind),
            ("doctype", filters.doc_type),
            ("lang", filters.lang),
            ("countries", filters.country),
            ("author", author_key(filters.author) if filters.author else None),
        )
        if value
    ]
    return FilterSpec(
        terms=tuple(terms),
        first_day=day(filters.since) if filters.since else None,
        last_day=day(filters.until) if filters.until else None,
    )
