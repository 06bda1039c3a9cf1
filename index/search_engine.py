"""The search engine interface: documents in, an engine-neutral plan searched, ranked hits out.

Everything above this (query building, ranking, the knowledge base) speaks these plain types; an
engine (index.whoosh, index.fts5) turns a plan into its own query. `tests/index/test_engine_contract.py`
is what a new engine must pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from index.documents import Document, Filters
from index.tagger import Tags

ALWAYS = object()  # rebuild(unless_replaced_since=ALWAYS): rebuild whatever happened meanwhile
Change = tuple[str, tuple[Document, Tags] | None]  # (id, the document and its tags, or None to delete)


@dataclass(frozen=True)
class Term:
    """One index term: `field` is `text_<lang>` (a stem), `concepts`, `countries`, … ."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class BestOf:
    """The same word searched in several fields (its stem in each language): a document gets the
    best of them, once — a post written in two languages does not count a word twice."""

    terms: tuple[Term, ...]
    boost: float = 1.0


Clause = Term | BestOf


@dataclass(frozen=True)
class SearchPlan:
    """What to ask the engine: scores of the clauses summed per document (BM25 per term, times its
    boost), limited by `filters`; `also_check` are terms to report on the top hits without searching."""

    clauses: tuple[Clause, ...]
    filters: Filters | None = None
    limit: int = 10
    also_check: frozenset[tuple[str, str]] = frozenset()

    def terms(self) -> set[tuple[str, str]]:
        """Every (field, term) the clauses search."""
        found: set[tuple[str, str]] = set()
        for clause in self.clauses:
            for term in clause.terms if isinstance(clause, BestOf) else (clause,):
                found.add((term.field, term.text))
        return found


@dataclass(frozen=True)
class RawHit:
    """A hit as the engine ranked it, before the knowledge base re-ranks it."""

    id: str
    score: float
    matched: frozenset[tuple[str, str]] = frozenset()  # (field, term) pairs the document matched
    kind: str = "post"
    doc_type: str = ""


class Found(NamedTuple):
    hits: list[RawHit]  # best first
    total: int  # every document the plan matched (within the filters)
    counts: dict[str, dict[str, int]]  # facet (country, technology, kind, type) -> value -> matches


class SearchEngine(Protocol):
    """A derived, rebuildable index. Failures to read or write it raise index.errors.IndexDamaged
    (the knowledge base then rebuilds it from SQLite) or IndexBusy (another process writes)."""

    index_dir: Path
    schema_version: str  # part of the knowledge base's fingerprint: a change rebuilds the index
    damage: str | None  # why the index could not be opened, or None

    @property
    def created(self) -> bool:
        """True when there was no index to open (a fresh data directory)."""

    @property
    def opened_stamp(self) -> object:
        """Which generation was opened; `rebuild(unless_replaced_since=...)` takes it back."""

    def write(self, changes: Iterable[Change]) -> int:
        """Apply the changes atomically: searches see all of them or none. Returns documents added."""

    def rebuild(self, changes: Iterable[Change], *, unless_replaced_since: object = ALWAYS) -> int | None:
        """Replace the whole index with these documents; None when another rebuild made it moot."""

    def search(self, plan: SearchPlan) -> Found: ...

    def snippet(self, text: str, lang: str, terms: set[str]) -> str:
        """The best passage of `text` with the `terms` (stems of `lang`) in **bold**."""

    def frequency(self, field: str, term: str) -> int:
        """Documents containing the term (0 for unknown terms)."""

    def doc_count(self) -> int: ...

    def all_ids(self) -> set[str]: ...

    def size_bytes(self) -> int: ...

    def check(self) -> tuple[list[str], list[str]]:
        """(facts, problems) about the index, changing nothing."""

    def close(self) -> None: ...
