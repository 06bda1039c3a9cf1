"""An OR of many terms, scored term by term into a table of the documents it matches.

Whoosh's default OR steps every term's postings together through a binary tree of union matchers
(several Python calls per posting per level). Its array variant (PreloadedOr) adds scores term by
term, but then clears and scans a slot for every document of the index, matched or not: at 100k
documents that scan was most of a short question's time. Here only matched documents are touched:
scores are summed in a dict, and the matches are walked in document order from a sorted list.
A term's boost is applied in the sum rather than by a matcher wrapped around its postings.
"""

from __future__ import annotations

from whoosh import query as Q
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.scoring import BM25FScorer


class SummedOr(Q.Or):
    """Also notes, per segment, which documents each term matched (`matches`): re-ranking asks that
    of the top answers, and walking the postings again to find out cost more than noting it here."""

    JOINT = " sumOR "

    def __init__(self, subqueries, boost=1.0, **kwargs):
        super().__init__(subqueries, boost=boost, **kwargs)
        self.matches: dict[str, dict[tuple[str, str], list[int]]] = {}  # segment id -> term -> docnums
        self.docs: dict[str, list[int]] = {}  # segment id -> every document it matched, in order

    def matcher(self, searcher, context=None):
        # Whoosh's Or hands a single subquery its own matcher: nothing would be noted for it.
        if not self.subqueries:
            return NullMatcher()
        return self._matcher(self.subqueries, searcher, context)

    def _matcher(self, subs, searcher, context):
        scores: dict[int, float] = {}
        get = scores.get
        noted: dict[tuple[str, str], list[int]] = {}
        for sub in subs:
            if isinstance(sub, OneOf):
                # One word in several language fields: its best field counts, once.
                best: dict[int, float] = {}
                for term in sub.subqueries:
                    _add_term(term, searcher, context, best, noted, keep_best=True)
                for docnum, score in best.items():
                    scores[docnum] = get(docnum, 0.0) + score * sub.boost
            else:
                _add_term(sub, searcher, context, scores, noted, keep_best=False)
        segment = searcher.reader().segment()
        if segment is not None:
            self.matches[segment.segment_id()] = noted
        if not scores:
            return NullMatcher()
        docnums = sorted(scores)
        if segment is not None:
            self.docs[segment.segment_id()] = docnums
        boost = self.boost
        return _SummedMatcher(docnums, [scores[d] * boost for d in docnums])


class OneOf(Q.Or):
    """The same word searched in several fields (its stem in each language): inside a SummedOr a
    document gets the best of them, not their sum — a post written in two languages, or a list of
    translations, does not count a word twice."""

    JOINT = " oneOF "


def _add_term(sub, searcher, context, scores: dict[int, float], noted: dict, keep_best: bool) -> None:
    """Score one subquery's postings into `scores`: added to what is there, or (keep_best) the
    larger of the two. Notes which documents it matched."""
    get = scores.get
    boost = 1.0
    if isinstance(sub, Q.Term) and sub.boost != 1.0:  # applied here, not by a wrapping matcher
        boost, sub = sub.boost, Q.Term(sub.fieldname, sub.text)
    docs: list[int] = []  # in document order, as postings are
    if isinstance(sub, Q.Term) and (sub.fieldname, sub.text) not in noted:
        noted[(sub.fieldname, sub.text)] = docs
    note = docs.append
    matcher = sub.matcher(searcher, context)
    is_active, current, advance = matcher.is_active, matcher.id, matcher.next
    bm25 = _bm25_of(matcher)
    if bm25 is None:
        score = matcher.score
        while is_active():
            docnum = current()
            note(docnum)
            value = score() * boost
            scores[docnum] = max(get(docnum, 0.0), value) if keep_best else get(docnum, 0.0) + value
            advance()
        return
    # Whoosh's bm25() written out (the same operations, so the same numbers) instead of
    # four calls deep per posting: matcher.score -> scorer.score -> _score -> bm25.
    idf, avgfl, B, K1, length = bm25
    weight = matcher.weight
    if keep_best:
        while is_active():
            docnum = current()
            note(docnum)
            tf = weight()
            value = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length(docnum) / avgfl))) * boost
            if value > get(docnum, 0.0):
                scores[docnum] = value
            advance()
        return
    while is_active():
        docnum = current()
        note(docnum)
        tf = weight()
        fl = length(docnum)
        scores[docnum] = (
            get(docnum, 0.0) + idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))) * boost
        )
        advance()


def _bm25_of(matcher):
    """(idf, avgfl, B, K1, field length function) when the matcher scores with Whoosh's BM25F (a
    term's postings, or them with deleted documents filtered out), else None."""
    # private API: a postings matcher's .scorer, a FilterMatcher's .child
    scorer = getattr(matcher, "scorer", None) or getattr(getattr(matcher, "child", None), "scorer", None)
    if type(scorer) is not BM25FScorer:
        return None
    return scorer.idf, scorer.avgfl, scorer.B, scorer.K1, scorer.dfl  # private API: BM25FScorer's state


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
