"""The best passage of a document for a question, with the matched words in **bold**, for an engine
without a highlighter of its own; the text is flattened the same way for every engine."""

from __future__ import annotations

import re

from index.analysis import stem, words

SNIPPET_CHARS = 240
SURROUND = 70  # characters of context before the first matched word
_MARKUP = re.compile(r"\*\*|__|(?m:^\s{0,3}#{1,6}\s+)|^>\s?|`")  # Markdown that would garble the bold


def flatten(text: str) -> str:
    """One line without the Markdown that would garble the bold."""
    return " ".join(_MARKUP.sub("", text).split())


def opening(flat: str) -> str:
    """The start of the text, cut at a word, when no passage matches."""
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SNIPPET_CHARS)
    return flat[: cut if cut > 0 else SNIPPET_CHARS] + " …"


def snippet(text: str, lang: str, terms: set[str]) -> str:
    """The window of SNIPPET_CHARS with the most words whose stem (in `lang`) is one of `terms`."""
    flat = flatten(text)
    found = [(start, end) for word, start, end in words(flat) if terms and stem(lang, word) in terms]
    if not found:
        return opening(flat)
    best, best_count = 0, 0
    for i, (start, _) in enumerate(found):
        count = sum(1 for s, e in found[i:] if e - start <= SNIPPET_CHARS - SURROUND)
        if count > best_count:
            best, best_count = i, count
    first = found[best][0]
    begin = max(0, first - SURROUND)
    if begin:
        space = flat.find(" ", begin, first)
        begin = space + 1 if space >= 0 else begin
    end = min(len(flat), begin + SNIPPET_CHARS)
    if end < len(flat):
        space = flat.rfind(" ", found[best][1], end)
        end = space if space > 0 else end
    pieces, last = [], begin
    for start, stop in found:
        if start >= begin and stop <= end:
            pieces += [flat[last:start], "**", flat[start:stop], "**"]
            last = stop
    pieces.append(flat[last:end])
    return ("… " if begin else "") + "".join(pieces) + (" …" if end < len(flat) else "")
