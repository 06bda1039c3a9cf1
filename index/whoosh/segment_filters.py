"""Search filters (technology, kind, language, country, author, dates) as per-segment lookups.

Whoosh turns a filter query into a set of every document it allows, walking postings in Python
on every search: a date range over a 100k-post index cost most of a second per question. Here a
term filter is a byte per document and dates a column of days, each read once per segment and
kept while the segment lives (`index.whoosh.segment_cache`).
"""

from __future__ import annotations

from array import array

import numpy as np
from whoosh.idsets import DocIdSet
from whoosh.reading import IndexReader

from index.fields import FilterSpec
from index.whoosh.segment_cache import SegmentCache

NO_DAY = -(2**31)  # the day column's value for a document without a date
MAX_ENTRIES = 256  # per-segment bitmaps and day columns kept; each is a byte or four per document


class AllowedDocs(DocIdSet):
    """The documents a filtered search may return, answered per document number, as Whoosh's
    collector asks (`docnum in allowed`) only for documents the question matched."""

    def __init__(self, members: bytes | None, days: array | None, first: int, last: int):
        self._members = members
        self._days = days
        self._first = first
        self._last = last

    def __bool__(self) -> bool:  # Whoosh treats a falsy filter as no filter at all
        return True

    def __contains__(self, docnum: int) -> bool:
        if self._members is not None and not self._members[docnum]:
            return False
        return self._days is None or self._first <= self._days[docnum] <= self._last

    def mask(self, docnums: np.ndarray) -> np.ndarray:
        """`docnum in self` for each of many document numbers at once."""
        keep = np.ones(len(docnums), dtype=bool)
        if self._members is not None:
            keep &= np.frombuffer(self._members, dtype=np.uint8)[docnums] != 0
        if self._days is not None:
            days = np.frombuffer(self._days, dtype=np.int32)[docnums]
            keep &= (days >= self._first) & (days <= self._last)
        return keep


class SegmentFilters:
    """Builds `AllowedDocs` for a reader from bitmaps and day columns cached by segment."""

    def __init__(self, day_field: str, max_entries: int = MAX_ENTRIES):
        self.day_field = day_field
        self.cache = SegmentCache(max_entries)

    def allowed(self, reader: IndexReader, spec: FilterSpec) -> AllowedDocs | None:
        """None when nothing is filtered."""
        if not spec.terms and not spec.has_days:
            return None
        leaves = sorted(
            ((leaf, base) for leaf, base in reader.leaf_readers() if leaf.segment() is not None),  # not empty
            key=lambda pair: pair[1],
        )
        members = None
        for field, text in spec.terms:
            bitmap = b"".join(self.cache.get(leaf, _term_bitmap, field, text) for leaf, _ in leaves)
            members = bitmap if members is None else _and(members, bitmap)
        days = None
        if spec.has_days:
            days = array("i")
            for leaf, _ in leaves:
                days.extend(self.cache.get(leaf, _day_column, self.day_field))
        first = NO_DAY + 1 if spec.first_day is None else spec.first_day
        last = 2**31 - 1 if spec.last_day is None else spec.last_day
        return AllowedDocs(members, days, first, last)


def _term_bitmap(leaf, field: str, text: str) -> bytes:
    bitmap = bytearray(leaf.doc_count_all())
    if (field, text) in leaf:
        for docnum in leaf.postings(field, text).all_ids():
            bitmap[docnum] = 1
    return bytes(bitmap)


def _day_column(leaf, field: str) -> array:
    count = leaf.doc_count_all()
    if not leaf.has_column(field):
        return array("i", [NO_DAY]) * count
    column = leaf.column_reader(field)
    return array("i", (column[docnum] for docnum in range(count)))


def _and(a: bytes, b: bytes) -> bytes:
    """Byte-wise AND of two 0/1 bitmaps, at C speed through big integers."""
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(len(a), "little")
