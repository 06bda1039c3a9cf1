"""Which of a question's terms each top document matched: what the knowledge base re-ranks by."""

from __future__ import annotations

import bisect

from whoosh.searching import Searcher


def noted_matches(
    searcher: Searcher, docnums: list[int], noted: dict[str, dict[tuple[str, str], list[int]]]
) -> dict[int, set[tuple[str, str]]]:
    """Which terms each document matched, from what SummedOr noted while scoring each segment."""
    leaves = sorted((base, leaf.segment()) for leaf, base in searcher.reader().leaf_readers())
    bases = [base for base, _ in leaves]
    matched: dict[int, set[tuple[str, str]]] = {}
    for docnum in docnums:
        base, segment = leaves[bisect.bisect_right(bases, docnum) - 1]
        local = docnum - base
        by_term = noted.get(segment.segment_id(), {}) if segment is not None else {}
        matched[docnum] = {
            term
            for term, docs in by_term.items()
            if (i := bisect.bisect_left(docs, local)) < len(docs) and docs[i] == local
        }
    return matched


def matched_terms(
    searcher: Searcher, docnums: list[int], terms: set[tuple[str, str]]
) -> dict[int, set[tuple[str, str]]]:
    """Which of the query's terms each of a few documents contains, by skipping through postings.

    Whoosh's own `terms=True` records matches for every document it scores, which cost more than
    the search itself; the re-ranking needs them for the top few only.
    """
    matched: dict[int, set[tuple[str, str]]] = {docnum: set() for docnum in docnums}
    targets = sorted(docnums)
    reader = searcher.reader()
    for field, text in terms:
        if (field, text) not in reader:
            continue
        postings = reader.postings(field, text)
        for docnum in targets:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                matched[docnum].add((field, text))
    return matched
