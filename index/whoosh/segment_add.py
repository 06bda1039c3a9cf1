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

With an ArrayPostingPool (a bulk ingest's workers) a field's terms and counts go to the pool as they
are, numbered by the pool, instead of as one tuple per posting.
"""

from __future__ import annotations

from collections import Counter

from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.formats import Existence, Frequency
from whoosh.system import emptybytes, pack_uint
from whoosh.writing import SegmentWriter

from index.analysis import analyse
from index.whoosh.posting_arrays import ArrayPostingPool
from index.whoosh.posting_pool import ChunkedPostingPool
from index.whoosh.tokenizer import FoldingStemTokenizer

_SPACE_SEPARATED = r"[^ \t\r\n]+"  # whoosh.analysis.SpaceSeparatedTokenizer's pattern (KEYWORD fields)


def add_document(writer: SegmentWriter, fields: dict) -> None:
    """`writer.add_document(**fields)`, faster; the same postings, lengths, stored values and
    columns. Boosts and `_stored_` values (which the bot never gives), an unknown field, and a
    writer whose pool is neither of ours take Whoosh's own way."""
    pool = writer.pool  # private API: SegmentWriter.pool
    schema = writer.schema
    arrays = isinstance(pool, ArrayPostingPool)
    if not (arrays or isinstance(pool, ChunkedPostingPool)) or not all(_plain(schema, n) for n in fields):
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
            length = _index(field, fieldname, value, docnum, pool if arrays else postings.append)
        perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
        column = field.column_type
        if column:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    perdocwriter.finish_doc()
    if not arrays:
        pool.add_all(postings)
    writer._added = True  # private API: SegmentWriter._added, what commit checks for new documents
    writer.docnum = docnum + 1


def _index(field, fieldname: str, value, docnum: int, sink) -> int:
    """The field's postings, as add_document makes them (the format's weight times the document's
    boost, 1.0), to `sink`: an ArrayPostingPool, or a function taking each posting tuple. Returns
    the length add_document would store (0 unless scorable)."""
    counts = _counts(field, value)
    if counts is None:
        add = sink.add if isinstance(sink, ArrayPostingPool) else sink
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            if field.scorable:
                length += freq
            add((fieldname, tbytes, docnum, weight * 1.0, vbytes))
        return length
    frequency = type(field.format) is Frequency
    if isinstance(sink, ArrayPostingPool):
        sink.add_terms(fieldname, docnum, counts)
    elif frequency:  # each token's boost (1.0) summed per term, times field_boost
        boost = field.format.field_boost
        for term, freq in counts.items():
            sink((fieldname, term.encode("utf-8"), docnum, float(freq) * boost, pack_uint(freq)))
    else:  # Existence: each distinct term once, weighted field_boost
        boost = field.format.field_boost
        for term in counts:
            sink((fieldname, term.encode("utf-8"), docnum, boost * 1.0, emptybytes))
    if not field.scorable:
        return 0
    return sum(counts.values()) if frequency else len(counts)  # Existence: each term once


def _counts(field, value) -> dict | None:
    """The field's terms and frequencies, read as its analyzer reads them; None for a value,
    format or analyzer this does not read (Whoosh's field.index then does)."""
    if not isinstance(value, str) or type(field.format) not in (Frequency, Existence):
        return None
    analyzer = field.analyzer
    kind = type(analyzer)
    if kind is FoldingStemTokenizer:
        return Counter(analyse(value, analyzer.lang))
    if kind is RegexTokenizer and not analyzer.gaps and analyzer.expression.pattern == _SPACE_SEPARATED:
        return Counter(analyzer.expression.findall(value))
    if kind is IDTokenizer:
        return {value: 1}
    return None


def _plain(schema, name: str) -> bool:
    """A field this function adds as Whoosh would: known, not a boost or `_stored_` value, with no
    term vector or separate spelling field (this schema has none; anything else goes Whoosh's way,
    which also raises Whoosh's error for an unknown field)."""
    if name.startswith("_") or name not in schema:
        return False
    field = schema[name]
    return not field.vector and not field.separate_spelling()
