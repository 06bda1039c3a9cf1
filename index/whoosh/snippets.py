"""The best passage of a document for a question, with the matched words in **bold**, by Whoosh's
highlighter (index.passages flattens the text and gives the opening when nothing matches)."""

from __future__ import annotations

from whoosh import highlight

from index.passages import SNIPPET_CHARS, flatten, opening
from index.whoosh.tokenizer import FoldingStemTokenizer


class _BoldFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"**{highlight.get_text(text, token, replace)}**"


class _EarliestOnTies(highlight.BasicFragmentScorer):
    """Whoosh's fragment score, with the earlier of two equally good fragments preferred: Whoosh
    breaks ties by the fragments' memory addresses, so the same question could show a different
    passage from one run to the next. Scores differ by whole numbers (boosts of 1, times 100 per
    distinct term), so a tie-break below one half never reorders fragments that are not tied."""

    def __call__(self, fragment) -> float:
        return super().__call__(fragment) + 0.5 / (1 + fragment.startchar)


_FORMATTER = _BoldFormatter()
_SCORER = _EarliestOnTies()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


def snippet(text: str, lang: str, terms: set[str]) -> str:
    """Highlighted best fragment; the opening of the text when nothing matches literally."""
    flat = flatten(text)
    if terms:
        found = highlight.highlight(
            flat, frozenset(terms), FoldingStemTokenizer(lang), _FRAGMENTER, _FORMATTER, top=1, scorer=_SCORER
        )
        if found:
            return found.strip()
    return opening(flat)
