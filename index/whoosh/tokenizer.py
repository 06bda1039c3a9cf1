"""The Whoosh analyzer of a language's text field: index.analysis (words, fold, stop words, stem) in
one pass, so documents are indexed with exactly the terms queries are built from."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from index.analysis import stem, stopwords, words


class FoldingStemTokenizer(Tokenizer):
    """A whole Whoosh analyzer in one pass: words -> fold -> stop words -> stem, for one language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldingStemTokenizer) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(("FoldingStemTokenizer", self.lang))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        lang = self.lang
        stops = stopwords(lang)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in words(value):
            stopped = word in stops
            if stopped and removestops:
                continue
            token.text = word if stopped else stem(lang, word)
            token.stopped = stopped
            token.boost = 1.0
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            if not stopped:
                pos += 1
            yield token
