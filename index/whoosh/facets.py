"""How many of a question's matches are from each country, technology, kind and type.

"Which administrations use RFID?" is answered at a glance by counts over all the matches, not only
the five shown. Per segment, each facet field is read once into a code per document (its set of
values), kept while the segment lives; counting the matches is then one numpy bincount per field.
"""

from __future__ import annotations

from array import array
from collections import Counter

import numpy as np
from whoosh.reading import IndexReader

from index.whoosh.segment_cache import SegmentCache

FACETS = {"country": "countries", "technology": "technologies", "kind": "kind", "type": "doctype"}


class SegmentFacets:
    def __init__(self, max_entries: int = 64):
        self.cache = SegmentCache(max_entries)

    def counts(self, reader: IndexReader, matched: dict[str, np.ndarray], allowed=None) -> dict[str, dict]:
        """Facet -> value -> matches. `matched`: segment id -> its matching document numbers (local);
        `allowed`: the search's filter (global document numbers), or None."""
        totals: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for leaf, base in reader.leaf_readers():
            segment = leaf.segment()
            docs = matched.get(segment.segment_id()) if segment is not None else None
            if docs is None or not len(docs):
                continue
            docs = np.asarray(docs, dtype=np.int64)
            if allowed is not None:
                docs = docs[allowed.mask(docs + base)]
            for name, field in FACETS.items():
                codes, combos = self.cache.get(leaf, _codes, field)
                found, first, count = np.unique(
                    np.frombuffer(codes, dtype=np.uint32)[docs], return_index=True, return_counts=True
                )
                order = np.argsort(first, kind="stable")  # first seen first: ties keep that order
                for code, n in zip(found[order].tolist(), count[order].tolist(), strict=True):
                    for value in combos[code]:
                        totals[name][value] += n
        return {name: dict(counter.most_common()) for name, counter in totals.items()}


def _codes(leaf, field: str) -> tuple[array, list[tuple[str, ...]]]:
    """A code per document and the value sets the codes stand for (code 0: no value)."""
    values: dict[int, list[str]] = {}
    if field in leaf.schema:
        for text in leaf.field_terms(field):
            for docnum in leaf.postings(field, text).all_ids():
                values.setdefault(docnum, []).append(text)
    codes = array("I", bytes(4 * leaf.doc_count_all()))
    combos: list[tuple[str, ...]] = [()]
    index: dict[tuple[str, ...], int] = {(): 0}
    for docnum, found in values.items():
        key = tuple(found)
        code = index.get(key)
        if code is None:
            code = index[key] = len(combos)
            combos.append(key)
        codes[docnum] = code
    return codes, combos
