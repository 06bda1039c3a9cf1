"""BM25F with each segment's field lengths read once into a list, not looked up per posting.

BM25 divides by the document's field length, and Whoosh 2.7.4 fetches it for every posting it
scores through five layers of calls (reader, per-document reader, column, file, struct): on the
100k benchmark index that lookup was a third of a question's time. The lengths are a byte per
document in the segment's column file; here they are decoded once per segment and field and kept
while the segment lives (`index.whoosh.segment_cache`). Scores are the same numbers.
"""

from __future__ import annotations

from array import array

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # private API: the lengths column's name
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

from index.whoosh.compat import warn_once
from index.whoosh.segment_cache import SegmentCache

MAX_ENTRIES = 64  # (segment, field) arrays kept: four bytes per document each
_DECODED = [byte_to_length(b) if b else 1 for b in range(256)]  # 1: Whoosh's default for no length


class SegmentLengths:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.cache = SegmentCache(max_entries)

    def lengths(self, leaf, fieldname: str) -> array | None:
        """Decoded field lengths by document number, or None where the reader is not a segment's."""
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        if segment is None:
            return None  # an empty index's reader: nothing to score
        if getattr(leaf, "_perdoc", None) is None:  # private API: SegmentReader._perdoc
            warn_once("Whoosh's segment reader has no _perdoc: field lengths are read the slow way")
            return None
        return self.cache.get(leaf, _read, fieldname)


def _read(leaf, fieldname: str) -> array:
    perdoc, doccount = leaf._perdoc, leaf.doc_count_all()  # private API: SegmentReader._perdoc
    lenfield = _lenfield(fieldname)
    if not perdoc.has_column(lenfield):
        return array("I", [1]) * doccount
    column = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
    # private API: a fixed-width column reader's file, start and count; one byte per document, in order
    raw = column._dbfile.get(column._basepos, column._count)
    decoded = array("I", [_DECODED[b] for b in raw])  # an array: the garbage collector never walks it
    decoded.extend([1] * (doccount - len(decoded)))  # trailing documents without this field
    return decoded


class CachedLengthBM25F(BM25F):
    """Whoosh's BM25F, scoring with lengths from `SegmentLengths`."""

    def __init__(self, lengths: SegmentLengths, B: float = 0.75, K1: float = 1.2):
        super().__init__(B=B, K1=K1)
        self.segment_lengths = lengths

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            lengths = self.segment_lengths.lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__  # private API: BM25FScorer.dfl, its field-length lookup
        return scorer
