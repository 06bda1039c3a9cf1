"""The Whoosh index's fields: one text field per language, keyword fields for tags and filters."""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema

from index.documents import LANGUAGES
from index.whoosh.segment_filters import NO_DAY
from index.whoosh.tokenizer import FoldingStemTokenizer

SCHEMA_VERSION = "12"  # bump when fields or analysis change: the index is then rebuilt from SQLite


def build_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "doctype": ID(stored=True),  # experience, question, event, resource, other: re-ranked and filtered by
        "lang": KEYWORD(),
        "technologies": KEYWORD(),
        "countries": KEYWORD(scorable=True),
        "concepts": KEYWORD(scorable=True),
        "author": ID(),
        "day": COLUMN(NumericColumn("i", default=NO_DAY)),  # days since 1970: a column, read to filter
    }
    for lang in LANGUAGES:  # no positions: questions are matched by terms and concepts, not phrases
        fields[f"text_{lang}"] = TEXT(analyzer=FoldingStemTokenizer(lang), phrase=False)
    return Schema(**fields)
