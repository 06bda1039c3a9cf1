"""The best passage of a document for a question, with the matched words in **bold**."""

from __future__ import annotations

import re

from whoosh import highlight

from index.whoosh.tokenizer import FoldingStemTokenizer

SNIPPET_CHARS = 240
_MARKUP = re.compile(r"\*\*|__|(?m:^\s{0,3}#{1,6}\s+)|^>\s?|`")  # Markdown that would garble the bold


class _BoldFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"**{highlight.get_text(text, token, replace)}**"


_FORMATTER = _BoldFormatter()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


def snippet(text: str, lang: str, terms: set[str]) -> str:
    """Highlighted best fragment; the opening of the text when nothing matches literally."""
    flat = " ".join(_MARKUP.sub("", text).split())
    if terms:
        found = highlight.highlight(
            flat, frozenset(terms), FoldingStemTokenizer(lang), _FRAGMENTER, _FORMATTER, top=1
        )
        if found:
            return found.strip()
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SNIPPET_CHARS)
    return flat[: cut if cut > 0 else SNIPPET_CHARS] + " …"
