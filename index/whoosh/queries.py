"""A search plan (index.search_engine) as a Whoosh query: its clauses in one SummedOr."""

from __future__ import annotations

from whoosh import query as Q

from index.search_engine import BestOf, Clause, Term
from index.whoosh.summed_or import OneOf, SummedOr


def whoosh_query(clauses: tuple[Clause, ...]) -> SummedOr:
    """Same scores as Whoosh's Or, a fraction of the work (summed_or.py)."""
    return SummedOr([_clause(clause) for clause in clauses])


def _clause(clause: Clause) -> Q.Query:
    if isinstance(clause, BestOf):
        return OneOf([_term(term) for term in clause.terms], boost=clause.boost)
    return _term(clause)


def _term(term: Term) -> Q.Term:
    return Q.Term(term.field, term.text, boost=term.boost)
