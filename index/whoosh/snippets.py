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


_FORMATTER = _BoldFormatter()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


def snippet(text: str, lang: str, terms: set[str]) -> str:
    """Highlighted best fragment; the opening of the text when nothing matches literally."""
    flat = flatten(text)
    if terms:
        found = highlight.highlight(
            flat, frozenset(terms), FoldingStemTokenizer(lang), _FRAGMENTER, _FORMATTER, top=1
        )
        if found:
            return found.strip()
    return opening(flat)
