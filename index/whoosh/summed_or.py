"""An OR of many terms, scored term by term into a table of the documents it matches.

Whoosh's default OR steps every term's postings together through a binary tree of union matchers
(several Python calls per posting per level). Its array variant (PreloadedOr) adds scores term by
term, but then clears and scans a slot for every document of the index, matched or not, in Python.
Here a term's postings are read a block at a time (128 postings) and scored with numpy into a
per-segment array: BM25 written out with the same operations in the same order, so the same
numbers as Whoosh's, at C speed. `top_documents` then picks the best matches from those arrays
directly, where Whoosh's collector would call back into Python for every matched document.
A term's boost is applied in the sum rather than by a matcher wrapped around its postings.
"""

from __future__ import annotations

from array import array

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.scoring import BM25FScorer


class SummedOr(Q.Or):
    """Also notes, per segment, which documents each term matched (`matches`): re-ranking asks that
    of the top answers, and walking the postings again to find out cost more than noting it here."""

    JOINT = " sumOR "

    def __init__(self, subqueries, boost=1.0, **kwargs):
        super().__init__(subqueries, boost=boost, **kwargs)
        self.matches: dict[str, dict[tuple[str, str], list[int]]] = {}  # segment id -> term -> docnums
        self.docs: dict[str, np.ndarray] = {}  # segment id -> every document it matched, in order

    def matcher(self, searcher, context=None):
        # Whoosh's Or hands a single subquery its own matcher: nothing would be noted for it.
        docnums, scores = self.segment_scores(searcher, context)
        if not len(docnums):
            return NullMatcher()
        return _SummedMatcher(docnums.tolist(), scores.tolist())

    def segment_scores(self, searcher, context=None) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers in order, their summed scores) in one segment's searcher; notes the
        documents each term matched (`matches`) and all of them (`docs`)."""
        reader = searcher.reader()
        size = reader.doc_count_all() if self.subqueries else 0
        total = _Scores(size)
        noted: dict[tuple[str, str], list[int]] = {}
        for sub in self.subqueries:
            if isinstance(sub, OneOf):
                # One word in several language fields: its best field counts, once.
                best = _Scores(size)
                for term in sub.subqueries:
                    _add_term(term, searcher, context, best, noted, keep_best=True)
                total.add_best(best, sub.boost)
            else:
                _add_term(sub, searcher, context, total, noted, keep_best=False)
        segment = reader.segment() if size else None
        if segment is not None:
            self.matches[segment.segment_id()] = noted
        docnums = np.flatnonzero(total.hit) if size else np.zeros(0, dtype=np.int64)
        if segment is not None and len(docnums):
            self.docs[segment.segment_id()] = docnums
        return docnums, total.score[docnums] * self.boost


class OneOf(Q.Or):
    """The same word searched in several fields (its stem in each language): inside a SummedOr a
    document gets the best of them, not their sum — a post written in two languages, or a list of
    translations, does not count a word twice."""

    JOINT = " oneOF "


class _Scores:
    """A score and a matched flag for every document of one segment."""

    def __init__(self, size: int):
        self.score = np.zeros(size)
        self.hit = np.zeros(size, dtype=bool)

    def add(self, ids: np.ndarray, values: np.ndarray) -> None:
        self.score[ids] += values  # a term's postings name each document once
        self.hit[ids] = True

    def keep_best(self, ids: np.ndarray, values: np.ndarray) -> None:
        better = values > self.score[ids]
        ids = ids[better]
        self.score[ids] = values[better]
        self.hit[ids] = True

    def add_best(self, best: _Scores, boost: float) -> None:
        found = np.flatnonzero(best.hit)
        self.score[found] += best.score[found] * boost
        self.hit[found] = True


def top_documents(query: SummedOr, searcher, allowed, limit: int) -> tuple[list[tuple[int, float]], int]:
    """(global document number, score) of the best `limit` matches allowed by the filter, best
    first and, at equal scores, in document order (as Whoosh's top collector ranks them); and how
    many matches the filter allowed in all."""
    context = searcher.context()  # what Whoosh's own search passes its matchers
    found_docs, found_scores = [], []
    for subsearcher, offset in searcher.leaf_searchers():
        docnums, scores = query.segment_scores(subsearcher, context)
        if not len(docnums):
            continue
        docnums = docnums + offset
        if allowed is not None:
            keep = allowed.mask(docnums)
            docnums, scores = docnums[keep], scores[keep]
        found_docs.append(docnums)
        found_scores.append(scores)
    if not found_docs:
        return [], 0
    docnums, scores = np.concatenate(found_docs), np.concatenate(found_scores)
    order = np.lexsort((docnums, -scores))[:limit]  # score, highest first; then document number
    return list(zip(docnums[order].tolist(), scores[order].tolist(), strict=True)), len(docnums)


def _add_term(sub, searcher, context, scores: _Scores, noted: dict, keep_best: bool) -> None:
    """Score one subquery's postings into `scores`: added to what is there, or (keep_best) the
    larger of the two. Notes which documents it matched."""
    boost = 1.0
    if isinstance(sub, Q.Term) and sub.boost != 1.0:  # applied here, not by a wrapping matcher
        boost, sub = sub.boost, Q.Term(sub.fieldname, sub.text)
    matcher = sub.matcher(searcher, context)
    ids, values = _scored_postings(matcher, boost)
    if isinstance(sub, Q.Term) and (sub.fieldname, sub.text) not in noted:
        noted[(sub.fieldname, sub.text)] = ids.tolist()  # in document order, as postings are
    if len(ids):
        (scores.keep_best if keep_best else scores.add)(ids, values)


def _scored_postings(matcher, boost: float) -> tuple[np.ndarray, np.ndarray]:
    """The matcher's document numbers and their scores times `boost`."""
    bm25 = _bm25_of(matcher)
    blocks = _blocks(matcher) if bm25 is not None else None
    if blocks is None:  # not a term's postings scored by BM25F: Whoosh's own scoring, posting by posting
        ids, values = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.score() * boost)
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(values, dtype=np.float64)
    # Whoosh's bm25() written out with the same operations in the same order, so the same numbers.
    idf, avgfl, B, K1, lengths = bm25
    ids = np.concatenate([block for block, _ in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    tf = np.concatenate([weights for _, weights in blocks]) if blocks else np.zeros(0)
    fl = lengths[ids]
    values = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))) * boost
    return ids, values


def _blocks(matcher) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """(document numbers, weights as float64) of each block of a term's postings left to read, or
    None if the matcher is not Whoosh 2.7.4's postings reader (possibly without deleted documents)."""
    leaf, deleted = matcher, None
    if type(matcher) is FilterMatcher:
        leaf = matcher.child
        # private API: a FilterMatcher's set of document numbers and whether it excludes them
        if not matcher._exclude:
            return None
        deleted = np.fromiter(matcher._ids, dtype=np.int64, count=len(matcher._ids))
    if type(leaf) is not W3LeafMatcher:
        return None
    blocks = []
    # private API below: W3LeafMatcher's block state (_atend, _i, _ids, _weights) and its block
    # readers (_read_ids, _read_weights, _next_block), the same steps its id()/weight()/next() take
    while not leaf._atend and leaf._i < leaf._blocklength:
        leaf._read_ids()
        leaf._read_weights()
        start = leaf._i
        ids = np.array(leaf._ids[start:], dtype=np.int64)
        weights = np.array(leaf._weights[start:], dtype=np.float32).astype(np.float64)
        if deleted is not None and len(deleted):
            kept = ~np.isin(ids, deleted)
            ids, weights = ids[kept], weights[kept]
        blocks.append((ids, weights))
        leaf._i = leaf._blocklength
        leaf._next_block()
    return blocks


def _bm25_of(matcher):
    """(idf, avgfl, B, K1, field lengths as an array) when the matcher scores with Whoosh's BM25F
    and the lengths were read once for the segment (index.whoosh.field_lengths), else None."""
    # private API: a postings matcher's .scorer, a FilterMatcher's .child
    scorer = getattr(matcher, "scorer", None) or getattr(getattr(matcher, "child", None), "scorer", None)
    if type(scorer) is not BM25FScorer:
        return None
    lengths = getattr(scorer.dfl, "__self__", None)  # private API: BM25FScorer.dfl, set by field_lengths
    if not isinstance(lengths, array) or lengths.typecode != "I":
        return None
    lengths = np.frombuffer(lengths, dtype=np.uint32) if len(lengths) else np.zeros(0, dtype=np.uint32)
    return scorer.idf, scorer.avgfl, scorer.B, scorer.K1, lengths  # private API: BM25FScorer's state


class _SummedMatcher(ListMatcher):
    """The summed scores in document order. Whoosh's ListMatcher recomputes its best score (a scan of
    the whole list) each time the collector asks whether it can still beat the top answers."""

    def __init__(self, docnums: list[int], scores: list[float]):
        super().__init__(docnums, weights=scores)
        self._best = max(scores)

    def copy(self) -> _SummedMatcher:
        other = _SummedMatcher(self._ids, self._weights)  # private API: ListMatcher's lists
        other._i = self._i  # private API: ListMatcher's position
        return other

    def max_quality(self) -> float:
        return self._best

    def block_quality(self) -> float:
        return self._best
