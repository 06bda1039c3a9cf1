"""Plain Whoosh, as a newcomer would set it up (one field, English stemming, an OR of the words):
the baseline benchmarks.search_quality scores the bot against."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser


def plain_whoosh(folder: Path, documents: Iterable[tuple[str, str]]) -> Callable[[str], list[str]]:
    """Index (id, text) pairs in a new `folder`; returns a function from a question to the top 10 ids."""
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=StemmingAnalyzer()))
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema)
    with ix.writer() as writer:
        for doc_id, text in documents:
            writer.add_document(id=doc_id, body=text)
    searcher = ix.searcher()
    parser = QueryParser("body", schema, group=OrGroup)

    def rank(text: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(text), limit=10)]

    return rank
