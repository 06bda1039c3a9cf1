"""A document added to a Whoosh segment writer without Whoosh's per-token machinery: the same segment.

`SegmentWriter.add_document` analyses each field through its format, which runs the analyzer as a
stream of Token objects, counts them in two dictionaries, encodes each term in a generator, and
hands the pool one posting at a time (checking and sizing each). This schema's analyzers are simple
enough to read directly: a text field's is index.analysis itself (tokenizer.FoldingStemTokenizer),
an ID field's takes the whole value as its term, a KEYWORD field's splits it on white space. So the
terms and counts come straight from those, and the document's postings go to the pool at once. A
field analysed any other way goes through Whoosh's own `field.index`. What reaches the pool and the
per-document writer is what `add_document` gives them, posting for posting
(tests/index/whoosh/test_segment_add.py builds a segment both ways and compares everything).
"""

from __future__ import annotations

from collections import Counter

from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.formats import Existence, Frequency
from whoosh.system import emptybytes, pack_uint
from whoosh.writing import SegmentWriter

from index.analysis import analyse
from index.whoosh.posting_pool import ChunkedPostingPool
from index.whoosh.tokenizer import FoldingStemTokenizer

_SPACE_SEPARATED = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer's pattern (KEYWORD fields)


def add_document(writer: SegmentWriter, fields: dict) -> None:
    """`writer.add_document(**fields)`, faster; the same postings, lengths, stored values and
    columns. Boosts and `_stored_` values (which the bot never gives), an unknown field, and a
    writer whose pool is not chunked take Whoosh's own way."""
    pool = writer.pool  # private API: SegmentWriter.pool
    schema = writer.schema
    if not isinstance(pool, ChunkedPostingPool) or not all(_plain(schema, name) for name in fields):
        writer.add_document(**fields)
        return
    writer._check_state()  # private API: SegmentWriter._check_state, raises if the writer is closed
    perdocwriter = writer.perdocwriter  # private API: SegmentWriter.perdocwriter
    docnum = writer.docnum  # private API: SegmentWriter.docnum, the next document number
    postings: list[tuple] = []
    perdocwriter.start_doc(docnum)
    for fieldname in sorted(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            length = _index(field, fieldname, value, docnum, postings)
        perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
        column = field.column_type
        if column:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    perdocwriter.finish_doc()
    pool.add_all(postings)
    writer._added = True  # private API: SegmentWriter._added, what commit checks for new documents
    writer.docnum = docnum + 1


def _index(field, fieldname: str, value, docnum: int, postings: list[tuple]) -> int:
    """The field's postings appended (as add_document makes them: the format's weight times the
    document's boost, 1.0); returns the length add_document would store (0 unless scorable)."""
    analyzer, form = field.analyzer, type(field.format)
    if isinstance(value, str) and form in (Frequency, Existence):
        boost = field.format.field_boost
        kind = type(analyzer)
        counts = None
        if kind is FoldingStemTokenizer:
            counts = Counter(analyse(value, analyzer.lang))
        elif kind is RegexTokenizer and not analyzer.gaps and analyzer.expression.pattern == _SPACE_SEPARATED:
            counts = Counter(analyzer.expression.findall(value))
        elif kind is IDTokenizer:
            counts = {value: 1}
        if counts is not None:
            if form is Frequency:  # each token's boost (1.0) summed per term, times field_boost
                for term, freq in counts.items():
                    postings.append(
                        (fieldname, term.encode("utf-8"), docnum, float(freq) * boost, pack_uint(freq))
                    )
            else:  # Existence: each distinct term once, weighted field_boost
                for term in counts:
                    postings.append((fieldname, term.encode("utf-8"), docnum, boost * 1.0, emptybytes))
            return sum(counts.values()) if field.scorable else 0
    length = 0
    for tbytes, freq, weight, vbytes in field.index(value):
        if field.scorable:
            length += freq
        postings.append((fieldname, tbytes, docnum, weight * 1.0, vbytes))
    return length


def _plain(schema, name: str) -> bool:
    """A field this function adds as Whoosh would: known, not a boost or `_stored_` value, with no
    term vector or separate spelling field (this schema has none; anything else goes Whoosh's way,
    which also raises Whoosh's error for an unknown field)."""
    if name.startswith("_") or name not in schema:
        return False
    field = schema[name]
    return not field.vector and not field.separate_spelling()
